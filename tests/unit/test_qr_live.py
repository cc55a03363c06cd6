"""The live reader: each code reported once, the latest frame only, never holding up the caller."""

import threading

import numpy as np
import pytest

from fieldkit.camera import open_source
from fieldkit.qr import LiveReader, QrReader
from fieldkit.qr.democard import DEMO_PAYLOAD, demo_card
from tests.unit.test_qr_reader import CARD, scene


@pytest.fixture(scope="module")
def reader():
    return QrReader.create()


class GatedReader(QrReader):
    """A real reader that waits at a gate before each frame, so a test decides when decoding happens."""

    def __init__(self, inner: QrReader, fail_first: bool = False) -> None:
        super().__init__(inner.zxing, inner.zbar)
        self.gate = threading.Semaphore(0)
        self.started = threading.Event()
        self.fail_first = fail_first

    def read(self, image, **options):
        self.started.set()
        self.gate.acquire()
        if self.fail_first:
            self.fail_first = False
            raise RuntimeError("a decoder bug")
        return super().read(image, **options)


def test_the_same_code_in_many_frames_is_reported_once_until_reset(reader):
    live = LiveReader(reader)
    with open_source("demo", page=demo_card(), frames=8, seed=1) as source:
        reported = [seen for frame in source for seen in live.process(frame.image, frame.index, frame.timestamp)]
    assert [(s.code.text, s.frame_index) for s in reported] == [(DEMO_PAYLOAD, 0)]
    assert live.found.is_set() and live.stats.decoded == 8
    assert [s.code.text for s in live.poll()] == [DEMO_PAYLOAD] and live.poll() == []

    live.reset()
    assert not live.found.is_set()
    frame, _ = scene(DEMO_PAYLOAD)
    assert [s.code.text for s in live.process(frame, 9)] == [DEMO_PAYLOAD]  # the next card, shown again


def test_a_second_code_is_reported_on_its_own(reader):
    live = LiveReader(reader)
    first, _ = scene(CARD)
    second, _ = scene("1.004873")
    assert [s.code.text for s in live.process(first)] == [CARD]
    assert live.process(first) == []
    assert [s.code.text for s in live.process(second)] == ["1.004873"]


def test_frames_arriving_during_a_decode_are_dropped_for_the_latest(reader):
    gated = GatedReader(reader)
    blank = np.full((720, 1280, 3), 128, np.uint8)
    with_code, _ = scene(CARD)
    seen = []
    with LiveReader(gated, on_code=seen.append) as live:
        live.submit(blank, 0)
        assert gated.started.wait(5)  # the worker holds frame 0
        for index in range(1, 30):
            live.submit(blank, index)  # returns at once; each replaces the one waiting
        live.submit(with_code, 30)
        gated.gate.release()  # frame 0
        gated.gate.release()  # then only the latest: frame 30
        events = live.wait(timeout=10)
    assert [(e.code.text, e.frame_index) for e in events] == [(CARD, 30)]
    assert seen == events  # the callback saw the same event
    assert (live.stats.submitted, live.stats.decoded, live.stats.dropped) == (31, 2, 29)


def test_a_failure_while_decoding_does_not_stop_the_reader(reader):
    gated = GatedReader(reader, fail_first=True)
    with_code, _ = scene(CARD)
    with LiveReader(gated) as live:
        live.submit(with_code, 0)
        assert gated.started.wait(5)
        gated.gate.release()  # raises inside the worker
        live.submit(with_code, 1)
        gated.gate.release()
        events = live.wait(timeout=10)
    assert [(e.code.text, e.frame_index) for e in events] == [(CARD, 1)]


def test_close_stops_the_thread_and_later_frames_are_ignored(reader):
    live = LiveReader(reader)
    live.submit(np.zeros((720, 1280, 3), np.uint8))
    thread = live._thread
    live.close()
    assert thread is not None and not thread.is_alive()
    live.submit(np.zeros((720, 1280, 3), np.uint8))
    assert live.stats.submitted == 1 and live._thread is thread
