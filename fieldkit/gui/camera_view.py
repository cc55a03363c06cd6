"""The live preview: the newest frame, scaled to fit, with outlines drawn over it."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Slot
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from fieldkit.gui.camera_feed import CameraFeed, PreviewFrame
from fieldkit.gui.cross_thread import QUEUED


class CameraView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(480, 300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.current: PreviewFrame | None = None
        self.message = ""
        self._feed: CameraFeed | None = None

    def attach(self, feed: CameraFeed) -> None:
        self._feed = feed
        feed.frame_ready.connect(self.show_frame, QUEUED)

    @Slot(object)
    def show_frame(self, frame: PreviewFrame) -> None:
        self.current = frame
        self.update()
        if self._feed is not None:
            self._feed.frame_shown()

    def image_rect(self) -> QRectF:
        """Where the frame is drawn: as large as fits, centred, aspect kept."""
        if self.current is None:
            return QRectF(self.rect())
        image = self.current.image
        scale = min(self.width() / image.width(), self.height() / image.height())
        w, h = image.width() * scale, image.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#202020"))
        if self.current is None:
            painter.setPen(QColor("white"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.message)
            return
        target = self.image_rect()
        painter.drawImage(target, self.current.image)
        scale = target.width() / self.current.image.width()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for overlay in self.current.overlays:
            painter.setPen(QPen(QColor(overlay.colour), 4))
            polygon = QPolygonF([QPointF(target.x() + x * scale, target.y() + y * scale) for x, y in overlay.points])
            painter.drawPolygon(polygon)
        if self.current.text:
            font = QFont(painter.font())
            font.setPointSize(28)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(QColor("white"))
            painter.drawText(target, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter, self.current.text)
