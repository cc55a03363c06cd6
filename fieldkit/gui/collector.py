"""Python's cyclic garbage collection, run on the GUI thread only.

Automatic collection runs in whichever thread happens to allocate when a threshold is crossed: in FieldKit that
is often a worker (the camera's frame analysis allocates many numpy arrays a frame). A reference cycle holding a
Qt object made on the GUI thread is then destroyed on that worker, which Qt does not allow and which can crash
the whole process (seen once in CI: a segfault in the camera thread while "Garbage-collecting"). So automatic
collection is turned off and a timer on the GUI thread collects instead, as soon as the usual thresholds ask for
it (the approach of pyqtgraph's GarbageCollector). Reference counting, which frees almost everything, is not
affected: only cycles wait for the timer.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer, Slot

CHECK_MS = 200  # how often the thresholds are looked at: the cost of a look is a few microseconds


class GuiThreadCollector(QObject):
    """Turns automatic collection off while it runs (`start`), and on again at `stop`."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect)

    def start(self) -> GuiThreadCollector:
        gc.disable()
        self._timer.start()
        return self

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()

    @Slot()
    def collect(self) -> None:
        """Collect the generations whose thresholds are passed, as the interpreter itself would have."""
        young, middle, old = gc.get_count()
        first, second, third = gc.get_threshold()
        if young > first:
            gc.collect(0)
            if middle > second:
                gc.collect(1)
                if old > third:
                    gc.collect(2)
