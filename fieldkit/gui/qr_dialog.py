"""Scanning a QR code live: the ID card's (to fill in the citizen) or a procedure's posted code.

The camera runs on its own thread, the decoder on another (the QR live reader); the dialog shows where the
code is, beeps when it is read, and hands back what it means. A code of the wrong kind (a procedure poster
held up while an ID card was expected) says so and scanning goes on.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QDialog, QHBoxLayout, QLabel, QVBoxLayout

from fieldkit.core.dates import local_date
from fieldkit.gui.camera_feed import CameraFeed, Overlay, open_camera
from fieldkit.gui.camera_view import CameraView
from fieldkit.gui.context import AppContext
from fieldkit.gui.cross_thread import QUEUED
from fieldkit.gui.widgets import big_button
from fieldkit.qr import CodeSeen, LiveReader, QrReader, Reading, interpret
from fieldkit.qr.democard import demo_card, demo_poster


class _Bridge(QObject):
    """Carries the live reader's news (on its thread) to the GUI thread."""

    seen = Signal(object)


class QrScanDialog(QDialog):
    def __init__(self, ctx: AppContext, wanted: str, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.wanted = wanted
        self.reading: Reading | None = None
        tr = ctx.tr
        self.setWindowTitle(tr(f"ui.qr.title.{wanted}"))
        self.view = CameraView(self)
        self.view.message = tr("ui.qr.starting")
        self.status = QLabel(tr(f"ui.qr.hint.{wanted}"), self)
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-size: 13pt;")
        cancel = big_button(tr("ui.qr.cancel"), self)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(900, 640)

        self._bridge = _Bridge()
        self._bridge.seen.connect(self._on_seen, QUEUED)
        self.live = LiveReader(QrReader.create(), on_code=self._bridge.seen.emit)
        self._last_quad: np.ndarray | None = None
        demo_page = demo_card() if wanted == "citizen" else demo_poster()
        camera = ctx.camera
        self.feed = CameraFeed(lambda: open_camera(camera, page=demo_page, realtime=True), self._analyse)
        self.view.attach(self.feed)
        self.feed.failed.connect(self._camera_failed, QUEUED)

    # -- lifecycle ---------------------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.feed.start()

    def done(self, result: int) -> None:
        self.feed.stop()
        self.live.close()
        super().done(result)

    # -- camera thread -----------------------------------------------------------------------------------

    def _analyse(self, frame):
        self.live.submit(frame.image, frame.index, frame.timestamp)
        quad = self._last_quad
        return ([Overlay(quad)] if quad is not None else []), ""

    # -- GUI thread --------------------------------------------------------------------------------------

    @Slot(object)
    def _on_seen(self, seen: CodeSeen) -> None:
        self._last_quad = np.asarray(seen.code.quad, np.float32)
        text = seen.code.text
        catalog, today = self.ctx.catalog, local_date(self.ctx.clock.now())
        self.ctx.runner.db(lambda kit: interpret(text, catalog=catalog, today=today, citizens=kit.citizens)).success(
            self._on_reading
        ).run()

    def _on_reading(self, reading: Reading) -> None:
        tr = self.ctx.tr
        if reading.kind == self.wanted and (self.wanted != "procedure" or reading.procedure is not None):
            QApplication.beep()
            self.status.setText(tr("ui.qr.read"))
            self.reading = reading
            self.accept()
            return
        if reading.kind == "procedure" and reading.procedure is None:
            self.status.setText(tr("ui.qr.unknown_procedure", code=reading.code))
        else:
            self.status.setText(tr(f"ui.qr.wrong_kind.{self.wanted}"))
        self.live.reset()  # keep looking: the next code will be reported

    @Slot(object)
    def _camera_failed(self, error: BaseException) -> None:
        self.view.message = self.ctx.tr.describe(error)
        self.view.current = None
        self.view.update()
        self.status.setText(self.ctx.tr.describe(error))
