"""Signals: emitting one leaves Python's objects intact, and what worker threads (camera, QR reader, sync,
database) send reaches the GUI thread.

CI once died with SIGSEGV in the scanner dialog. The cause was PySide6 6.12.0: its Signal.emit() drops a
reference to True on every call, and under Python 3.11 the process crashes once True's count runs out
(pyproject.toml now keeps 6.12 out). The receivers of cross-thread signals are also declared slots on
queued connections, as PySide6 6.8+ asks (PYSIDE-3124), so nothing is left for the binding to guess.
"""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

from fieldkit.gui.camera_feed import CameraFeed, PreviewFrame
from fieldkit.gui.camera_view import CameraView
from fieldkit.gui.home import HomePage
from fieldkit.gui.main_window import MainWindow
from fieldkit.gui.qr_dialog import QrScanDialog
from fieldkit.gui.scanner_dialog import ScannerDialog
from fieldkit.gui.tasks import TaskRunner


class _Sender(QObject):
    something = Signal(object)
    nothing = Signal()


def test_emitting_signals_leaves_true_and_false_alone(qtbot):
    """Under the broken binding True loses one reference per emit: 2,000 emits would show as -2,000."""
    sender = _Sender()
    received = []
    sender.something.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for n in range(1000):
        sender.something.emit(n)
        sender.nothing.emit()
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert received == list(range(1000))
    assert abs(after[0] - before[0]) < 100 and abs(after[1] - before[1]) < 100, (before, after)


def _declared_slots(cls) -> set[str]:
    meta = cls.staticMetaObject
    return {meta.method(i).methodSignature().data().decode() for i in range(meta.methodOffset(), meta.methodCount())}


@pytest.mark.parametrize(
    ("cls", "slots"),
    [
        (CameraView, {"show_frame(PyObject)"}),
        (ScannerDialog, {"_page_captured()", "_page_seen(bool)", "_live_advice(QString)", "_camera_failed(PyObject)"}),
        (QrScanDialog, {"_on_seen(PyObject)", "_camera_failed(PyObject)"}),
        (
            HomePage,
            {
                "_show_connectivity(QString)",
                "_show_sending(bool)",
                "_show_report(PyObject)",
                "_show_clock_off(PyObject)",
            },
        ),
        (MainWindow, {"_sync_problem(PyObject)"}),
    ],
)
def test_receivers_of_worker_signals_are_declared_slots(cls, slots):
    assert slots <= _declared_slots(cls)


def test_frames_sent_from_many_threads_are_drawn_on_the_gui_thread(qtbot):
    """Four threads send 300 frames each, as fast as they can, while the view shows them."""
    gui_thread = threading.get_ident()
    shown_on: set[int] = set()

    class RecordingView(CameraView):
        @Slot(object)
        def show_frame(self, frame: PreviewFrame) -> None:
            shown_on.add(threading.get_ident())
            super().show_frame(frame)

    view = RecordingView()
    qtbot.addWidget(view)
    view.show()
    feed = CameraFeed(lambda: None)
    view.attach(feed)
    image = QImage(64, 48, QImage.Format.Format_RGB888)
    image.fill(0)

    def send() -> None:
        for n in range(300):
            feed.frame_ready.emit(PreviewFrame(image, text=str(n)))

    senders = [threading.Thread(target=send) for _ in range(4)]
    for sender in senders:
        sender.start()
    qtbot.waitUntil(lambda: not any(s.is_alive() for s in senders), timeout=20_000)
    qtbot.waitUntil(lambda: view.current is not None and view.current.text == "299", timeout=5_000)
    assert shown_on == {gui_thread}


def test_results_of_background_work_come_back_on_the_gui_thread(qtbot):
    """The task runner's worker threads hand each result to the GUI thread, each exactly once."""
    gui_thread = threading.get_ident()
    runner = TaskRunner(on_error=lambda error: pytest.fail(str(error)), workers=4)
    received: list[tuple[int, int, int]] = []
    try:
        for n in range(200):
            runner.background(lambda n=n: n * n).success(
                lambda value, n=n: received.append((n, value, threading.get_ident()))
            ).run()
        qtbot.waitUntil(lambda: len(received) == 200, timeout=20_000)
    finally:
        runner.shutdown()
    assert sorted(n for n, _value, _thread in received) == list(range(200))
    assert all(value == n * n for n, value, _thread in received)
    assert {thread for _n, _value, thread in received} == {gui_thread}
