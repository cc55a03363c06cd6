"""How a worker thread (camera, QR reader, sync, database) talks to the GUI thread.

Its signals are connected QUEUED, to methods declared with @Slot. PySide6 6.8 and later turn an undeclared
method into a slot at run time, and a signal from a plain Python thread to such a method can crash the
process (PYSIDE-3124). Declared slots and an explicit queued connection leave nothing for PySide to guess:
the receiver always runs on the GUI thread. (The crash CI once met in the scanner dialog was another fault,
PySide6 6.12.0's emit; pyproject.toml keeps that release out.)
"""

from __future__ import annotations

from PySide6.QtCore import Qt

QUEUED = Qt.ConnectionType.QueuedConnection
