"""Running work off the GUI thread (ARCHITECTURE.md rule 3), the way Anki's CollectionOp does.

    runner.db(lambda kit: DossierService(kit, actor).queue(uuid)).success(self.refresh).run()

Database work runs on ONE worker thread that owns the kit (a sqlite connection belongs to the thread that
made it, so the kit is also unlocked there: `runner.open_kit(lambda: unlock_kit(...))`); other work
(network, camera, PDF) runs on a small pool. Results come back to the GUI thread
through a queued signal. A failure goes to the one error handler unless the caller supplies its own.
Tests pass `synchronous=True`: everything runs inline, in order, on the calling thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from fieldkit.core.errors import FieldKitError
from fieldkit.gui.cross_thread import QUEUED
from fieldkit.storage.kit import Kit
from fieldkit.storage.logfile import failure_summary

log = logging.getLogger(__name__)

_STOP = object()


class KitLocked(FieldKitError):
    """Work asked of a kit nobody has unlocked yet (a programming slip: screens appear after sign-in)."""

    key = "error.auth.locked"


class _Mailbox(QObject):
    """Carries a finished job's callback back to the GUI thread."""

    delivered = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.delivered.connect(self._deliver, QUEUED)

    @Slot(object)
    def _deliver(self, deliver: Callable[[], None]) -> None:
        deliver()


class Op:
    """One piece of work: what to run, what to do with its result, what to do if it fails."""

    def __init__(self, runner: TaskRunner, fn: Callable, on_db: bool, needs_kit: bool = True) -> None:
        self._runner = runner
        self._fn = fn
        self._on_db = on_db
        self._needs_kit = needs_kit
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None

    def success(self, callback: Callable[[Any], None]) -> Op:
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op:
        self._failure = callback
        return self

    def run(self) -> None:
        self._runner._submit(self)

    def _finish(self, result: Any, error: BaseException | None) -> None:
        if error is None:
            if self._success is not None:
                self._success(result)
        elif self._failure is not None:
            self._failure(error)
        else:
            self._runner.on_error(error)


class TaskRunner:
    def __init__(
        self,
        on_error: Callable[[BaseException], None],
        synchronous: bool = False,
        workers: int = 2,
    ) -> None:
        self.on_error = on_error
        self.synchronous = synchronous
        self._kit: Kit | None = None
        self._mailbox = _Mailbox()
        self._jobs: queue.Queue = queue.Queue()
        self._db_thread: threading.Thread | None = None
        self._pool = None if synchronous else ThreadPoolExecutor(workers, thread_name_prefix="fieldkit-work")
        self._closed = False

    # -- public ------------------------------------------------------------------------------------------

    def open_kit(self, unlock: Callable[[], tuple[Kit, Any]]) -> Op:
        """Unlock the kit on the database thread (the password's deliberate cost never freezes the window);
        the op's result is the session. A kit already open is closed first (another worker signing in)."""

        def opening(_kit_or_none) -> Any:
            kit, session = unlock()
            if self._kit is not None and self._kit is not kit:
                self._kit.close()
            self._kit = kit
            return session

        return Op(self, opening, on_db=True, needs_kit=False)

    def db(self, fn: Callable[[Kit], Any]) -> Op:
        """Work that needs the kit (database, vault): runs on the database thread."""
        return Op(self, fn, on_db=True)

    def background(self, fn: Callable[[], Any]) -> Op:
        """Work that does not touch the kit: network, camera, image processing."""
        return Op(self, fn, on_db=False)

    def shutdown(self) -> None:
        """Finish queued work, close the kit; safe to call twice and from closeEvent."""
        if self._closed:
            return
        self._closed = True
        if self._db_thread is not None:
            self._jobs.put(_STOP)
            self._db_thread.join(timeout=30)
        elif self._kit is not None:
            self._kit.close()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    # -- internals ---------------------------------------------------------------------------------------

    def _kit_here(self) -> Kit:
        if self._kit is None:
            raise KitLocked()
        return self._kit

    def _submit(self, op: Op) -> None:
        if self._closed:
            return
        if self.synchronous:
            result, error = self._call(op)
            op._finish(result, error)
            return
        if op._on_db:
            self._ensure_db_thread()
            self._jobs.put(op)
        else:
            assert self._pool is not None
            self._pool.submit(self._run_and_post, op)

    def _call(self, op: Op) -> tuple[Any, BaseException | None]:
        try:
            if not op._on_db:
                return op._fn(), None
            return op._fn(self._kit_here() if op._needs_kit else self._kit), None
        except Exception as exc:  # handed to the GUI thread, shown from one place
            if not getattr(exc, "user_error", False):
                log.error("task failed: %s", failure_summary(exc))
            return None, exc

    def _run_and_post(self, op: Op) -> None:
        result, error = self._call(op)
        self._mailbox.delivered.emit(lambda: op._finish(result, error))

    def _ensure_db_thread(self) -> None:
        if self._db_thread is None:
            self._db_thread = threading.Thread(target=self._db_loop, name="fieldkit-db", daemon=True)
            self._db_thread.start()

    def _db_loop(self) -> None:
        while True:
            op = self._jobs.get()
            if op is _STOP:
                break
            self._run_and_post(op)
        if self._kit is not None:
            self._kit.close()
