"""Reference cycles are collected on the GUI thread, whichever thread allocates: a cycle holding a Qt object
made on the GUI thread must never be destroyed on a camera or sync worker (that crashed a CI run once, in the
camera thread, while "Garbage-collecting")."""

import gc
import threading

from PySide6.QtCore import QObject


class Held(QObject):
    """A Qt object in a reference cycle; records the thread its Python side is finalised on."""

    def __init__(self, finalised_on: list) -> None:
        super().__init__()
        self.me = self
        self.finalised_on = finalised_on

    def __del__(self) -> None:
        self.finalised_on.append(threading.get_ident())


def test_a_cycle_dropped_while_a_worker_allocates_is_collected_on_the_gui_thread(qtbot, collected_on_the_gui_thread):
    assert not gc.isenabled()  # the collector took over
    finalised_on: list = []
    Held(finalised_on)  # unreachable at once, but for its cycle

    kept: list = []

    def allocate() -> None:  # far more container objects than the youngest generation's threshold, kept
        kept.extend([index] for index in range(20 * gc.get_threshold()[0]))

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    assert finalised_on == []  # the worker's allocations did not set off a collection
    qtbot.waitUntil(lambda: bool(finalised_on), timeout=3000)
    assert finalised_on == [threading.get_ident()]


def test_automatic_collection_is_back_when_the_collector_stops(qapp):
    from fieldkit.gui.collector import GuiThreadCollector

    collector = GuiThreadCollector(qapp).start()
    assert not gc.isenabled()
    collector.stop()
    assert gc.isenabled()
    collector.deleteLater()
