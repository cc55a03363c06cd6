"""Reading codes from a live preview without holding the preview up.

The camera delivers 30 frames a second; decoding one takes a few milliseconds when a code is in view and up
to the time budget when none is. `LiveReader` decodes on its own thread and keeps only the latest frame:
a frame that arrives while another is being decoded replaces the one waiting, so what is read is always
what the camera shows now, never a backlog. The same code seen in many frames is reported once, until
`reset()` (the next card).

    live = LiveReader(QrReader.create(), on_code=lambda seen: ...)   # on_code runs on the reader's thread
    for frame in source:
        live.submit(frame.image, frame.index, frame.timestamp)
        if live.found.is_set(): ...
    live.close()

No Qt here: the GUI wraps `on_code` in a signal to get back to its own thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fieldkit.qr.reader import QrCode, QrReader

log = logging.getLogger(__name__)

# What a frame with nothing readable in it may cost: about 25 decodes a second on one core, the preview beside.
LIVE_BUDGET_MS = 40.0


@dataclass(frozen=True)
class CodeSeen:
    """A code seen for the first time since the last reset."""

    code: QrCode
    frame_index: int
    timestamp: float


@dataclass
class LiveStats:
    submitted: int = 0
    decoded: int = 0
    dropped: int = 0  # replaced by a newer frame before being decoded


class LiveReader:
    def __init__(
        self,
        reader: QrReader,
        *,
        on_code: Callable[[CodeSeen], None] | None = None,
        budget_ms: float = LIVE_BUDGET_MS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reader = reader
        self.on_code = on_code
        self.budget_ms = budget_ms
        self.stats = LiveStats()
        # Set when a new code has been seen: the plain "success" signal (cleared by reset).
        self.found = threading.Event()
        self._clock = clock
        self._lock = threading.Condition()
        self._waiting: tuple[np.ndarray, int, float] | None = None
        self._seen: set[str] = set()
        self._events: list[CodeSeen] = []
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._generation = 0

    # -- feeding ----------------------------------------------------------------------------------------

    def submit(self, image: np.ndarray, index: int = 0, timestamp: float | None = None) -> None:
        """Hand over a frame and return at once; it replaces any frame still waiting to be decoded.

        The array is read later on the reader's thread: hand over a frame the caller will not change.
        """
        with self._lock:
            if self._stopping:
                return
            self.stats.submitted += 1
            if self._waiting is not None:
                self.stats.dropped += 1
            self._waiting = (image, index, self._clock() if timestamp is None else timestamp)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="fieldkit-qr-live", daemon=True)
                self._thread.start()
            self._lock.notify()

    def process(self, image: np.ndarray, index: int = 0, timestamp: float | None = None) -> list[CodeSeen]:
        """Decode one frame on the caller's thread (tests, benchmarks, command line); the new codes in it."""
        generation = self._generation
        codes = self.reader.read(image, budget_ms=self.budget_ms)
        with self._lock:
            self.stats.decoded += 1
        return self._report(codes, generation, index, self._clock() if timestamp is None else timestamp)

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._waiting is None and not self._stopping:
                    self._lock.wait()
                if self._stopping:
                    return
                image, index, timestamp = self._waiting  # type: ignore[misc]
                self._waiting = None
            try:
                self.process(image, index, timestamp)
            except Exception as exc:  # the preview goes on; the next frame gets its chance
                log.error("live QR decoding failed: %s", type(exc).__name__)

    # -- results ------------------------------------------------------------------------------------------

    def _report(self, codes: list[QrCode], generation: int, index: int, timestamp: float) -> list[CodeSeen]:
        new = []
        with self._lock:
            if generation != self._generation:  # a frame from before a reset: the old card, not the next one
                return []
            for code in codes:
                if code.text in self._seen:
                    continue
                self._seen.add(code.text)
                seen = CodeSeen(code, index, timestamp)
                self._events.append(seen)
                new.append(seen)
        for seen in new:
            self.found.set()
            if self.on_code is not None:
                self.on_code(seen)
        return new

    def poll(self) -> list[CodeSeen]:
        """The codes seen since the last poll, oldest first."""
        with self._lock:
            events, self._events = self._events, []
        return events

    def wait(self, timeout: float | None = None) -> list[CodeSeen]:
        """Block until a new code is seen (or the timeout passes); the codes seen since the last poll."""
        self.found.wait(timeout)
        return self.poll()

    def reset(self) -> None:
        """Forget the codes seen: the same card shown again is reported again."""
        with self._lock:
            self._generation += 1
            self._seen.clear()
            self._events.clear()
            self._waiting = None
            self.found.clear()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the reader's thread (after the frame it is decoding, if any)."""
        with self._lock:
            self._stopping = True
            self._waiting = None
            self._lock.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def __enter__(self) -> LiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
