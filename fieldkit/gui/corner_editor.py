"""Moving a captured page's corners by hand: drag each corner (or select it and use the arrow keys)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from fieldkit.gui.camera_feed import to_qimage
from fieldkit.gui.widgets import big_button

HANDLE = 14  # pixels on screen: big enough for a finger on a touchpad


class CornerCanvas(QWidget):
    def __init__(self, photo: np.ndarray, quad: np.ndarray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = to_qimage(photo)
        self.quad = np.asarray(quad, np.float32).copy()
        self.selected = 0
        self._dragging = False
        self.setMinimumSize(560, 400)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def _frame(self) -> tuple[QRectF, float]:
        scale = min(self.width() / self.image.width(), self.height() / self.image.height())
        w, h = self.image.width() * scale, self.image.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h), scale

    def to_screen(self, point) -> QPointF:
        rect, scale = self._frame()
        return QPointF(rect.x() + point[0] * scale, rect.y() + point[1] * scale)

    def to_photo(self, point: QPointF) -> np.ndarray:
        rect, scale = self._frame()
        x = (point.x() - rect.x()) / scale
        y = (point.y() - rect.y()) / scale
        return np.clip([x, y], [0, 0], [self.image.width() - 1, self.image.height() - 1]).astype(np.float32)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        rect, _ = self._frame()
        painter.drawImage(rect, self.image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#00c853"), 3))
        painter.drawPolygon(QPolygonF([self.to_screen(p) for p in self.quad]))
        for index, point in enumerate(self.quad):
            painter.setBrush(QColor("#ffab00" if index == self.selected else "#00c853"))
            painter.drawEllipse(self.to_screen(point), HANDLE, HANDLE)

    def mousePressEvent(self, event) -> None:
        distances = [
            np.hypot(
                *(
                    np.array([event.position().x(), event.position().y()])
                    - np.array([self.to_screen(p).x(), self.to_screen(p).y()])
                )
            )
            for p in self.quad
        ]
        self.selected = int(np.argmin(distances))
        self._dragging = distances[self.selected] <= 3 * HANDLE
        self.update()

    def mouseMoveEvent(self, event) -> None:
        if self._dragging:
            self.quad[self.selected] = self.to_photo(event.position())
            self.update()

    def mouseReleaseEvent(self, event) -> None:
        self._dragging = False

    def keyPressEvent(self, event) -> None:
        """Tab picks the next corner; arrows move it (Shift: ten times further)."""
        steps = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        if event.key() == Qt.Key.Key_Tab:
            self.selected = (self.selected + 1) % 4
        elif event.key() in steps:
            factor = 10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 2
            dx, dy = steps[event.key()]
            moved = self.quad[self.selected] + np.array([dx, dy], np.float32) * factor
            self.quad[self.selected] = np.clip(moved, [0, 0], [self.image.width() - 1, self.image.height() - 1])
        else:
            super().keyPressEvent(event)
            return
        self.update()


class CornerEditor(QDialog):
    def __init__(self, tr, photo: np.ndarray, quad: np.ndarray, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("ui.scan.corners"))
        self.canvas = CornerCanvas(photo, quad, self)
        hint = QLabel(tr("ui.scan.corners_hint"), self)
        hint.setWordWrap(True)
        ok = big_button(tr("ui.ok"), self, primary=True)
        cancel = big_button(tr("ui.qr.cancel_plain"), self)
        ok.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        self.resize(900, 680)

    def quad(self) -> np.ndarray:
        return self.canvas.quad.copy()
