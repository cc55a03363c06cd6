"""How a worker thread (camera, QR reader, sync, database) talks to the GUI thread.

Its signals are connected QUEUED, to methods declared with @Slot. PySide6 6.8 and later turn an undeclared
method into a slot at run time, and a signal from a plain Python thread to such a method can crash the
process (PYSIDE-3124; it did, once in CI, in the scanner dialog). Declared slots and an explicit queued
connection leave nothing for PySide to guess: the receiver always runs on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

QUEUED = Qt.ConnectionType.QueuedConnection
