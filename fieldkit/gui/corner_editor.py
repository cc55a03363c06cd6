"""Moving a captured page's corners by hand: drag each corner (or select it and use the arrow keys), with a
magnifier showing the photo under the corner (the cursor and the handle hide the very spot being placed, and
at a laptop screen's scale a screen pixel is two or three of the photo's). The sides can be snapped onto the
paper's edges near them, the whole photo taken, and every change undone."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from fieldkit.gui.camera_feed import to_qimage
from fieldkit.gui.widgets import big_button
from fieldkit.scanner.geometry import slide_side, whole_image_quad
from fieldkit.scanner.refine import snap_to_edges

HANDLE = 14  # pixels on screen: big enough for a finger on a touchpad
SIDE_HANDLE = 9  # a side's handle at its middle: drag it to move the whole side (its corners slide along the
# sides beside it), as when the detector put one side on a line of the table beyond the page
LOUPE = 160  # the magnifier's side, in screen pixels
LOUPE_ZOOM = 4.0  # how much larger than the canvas shows the photo
LOUPE_MARGIN = 8
OUTLINE = QColor("#00c853")
SELECTED = QColor("#ffab00")


class CornerCanvas(QWidget):
    changed = Signal()  # an undoable change was made or undone

    def __init__(self, photo: np.ndarray, quad: np.ndarray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.photo = photo
        self.image = to_qimage(photo)
        self.quad = np.asarray(quad, np.float32).copy()
        self.history: list[np.ndarray] = []  # earlier outlines, the latest last (undo)
        self.selected = 0
        self.magnifying = False  # the loupe is shown (while a corner or a side is dragged, or a key moved one)
        self.side: int | None = None  # the side being dragged by its middle handle (side k: corner k to k+1)
        self._dragging = False
        self._side_start: tuple[np.ndarray, np.ndarray] | None = None  # (quad, pointer in the photo) at the press
        self.setMinimumSize(560, 400)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # -- where things are ------------------------------------------------------------------------------

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
        return self._clipped(np.array([x, y], np.float32))

    def loupe_rect(self) -> QRectF:
        """The magnifier's place: a top corner of the canvas, the one away from the corner being moved."""
        corner = self.to_screen(self._focus())
        left = corner.x() > self.width() / 2 or corner.y() > LOUPE + 2 * LOUPE_MARGIN
        x = LOUPE_MARGIN if left else self.width() - LOUPE - LOUPE_MARGIN
        return QRectF(x, LOUPE_MARGIN, LOUPE, LOUPE)

    def _focus(self) -> np.ndarray:
        """Where the loupe looks: the side being dragged's middle, else the selected corner."""
        if self.side is not None:
            return (self.quad[self.side] + self.quad[(self.side + 1) % 4]) / 2
        return self.quad[self.selected]

    def _middles(self) -> np.ndarray:
        return (self.quad + np.roll(self.quad, -1, axis=0)) / 2

    # -- changes, each one undoable --------------------------------------------------------------------

    def set_quad(self, quad: np.ndarray) -> None:
        self._remember()
        self.quad = np.asarray(quad, np.float32).copy()
        self.update()

    def _remember(self) -> None:
        """The outline as it is, kept for undo (before a change, or before a drag starts changing it)."""
        self.history.append(self.quad.copy())
        self.changed.emit()

    def undo(self) -> bool:
        if not self.history:
            return False
        self.quad = self.history.pop()
        self.update()
        self.changed.emit()
        return True

    def snap(self) -> bool:
        """The sides moved onto the paper's edges near them; False (nothing moved) when none are near."""
        snapped = snap_to_edges(self.photo, self.quad)
        if snapped is None:
            return False
        self.set_quad(snapped)
        return True

    def take_whole(self) -> None:
        self.set_quad(whole_image_quad(self.photo))

    # -- painting --------------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        rect, _ = self._frame()
        painter.drawImage(rect, self.image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(OUTLINE, 3))
        painter.drawPolygon(QPolygonF([self.to_screen(p) for p in self.quad]))
        painter.setPen(QPen(QColor("white"), 2))
        for index, middle in enumerate(self._middles()):
            painter.setBrush(SELECTED if index == self.side else OUTLINE)
            painter.drawEllipse(self.to_screen(middle), SIDE_HANDLE, SIDE_HANDLE)
        painter.setPen(QPen(OUTLINE, 3))
        for index, point in enumerate(self.quad):
            painter.setBrush(SELECTED if index == self.selected and self.side is None else OUTLINE)
            painter.drawEllipse(self.to_screen(point), HANDLE, HANDLE)
        if self.magnifying:
            self._paint_loupe(painter)

    def _paint_loupe(self, painter: QPainter) -> None:
        """The photo round the corner or side being moved (`_focus`), magnified, with the outline over it and a
        cross at the very point."""
        box = self.loupe_rect()
        _, scale = self._frame()
        zoom = scale * LOUPE_ZOOM  # screen pixels per photo pixel inside the loupe
        focus = self._focus()
        span = LOUPE / zoom
        source = QRectF(float(focus[0]) - span / 2, float(focus[1]) - span / 2, span, span)
        centre = box.center()

        def inside(point) -> QPointF:
            return QPointF(centre.x() + (point[0] - focus[0]) * zoom, centre.y() + (point[1] - focus[1]) * zoom)

        painter.save()
        clip = QPainterPath()
        clip.addRect(box)
        painter.setClipPath(clip)
        painter.fillRect(box, QColor("#202020"))  # beyond the photo's edge
        painter.drawImage(box, self.image, source)
        painter.setPen(QPen(OUTLINE, 2))
        for k in range(4):
            painter.drawLine(inside(self.quad[k]), inside(self.quad[(k + 1) % 4]))
        painter.setPen(QPen(SELECTED, 1))
        painter.drawLine(QPointF(centre.x() - 12, centre.y()), QPointF(centre.x() + 12, centre.y()))
        painter.drawLine(QPointF(centre.x(), centre.y() - 12), QPointF(centre.x(), centre.y() + 12))
        painter.restore()
        painter.setPen(QPen(QColor("white"), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(box)

    # -- input -----------------------------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:
        where = np.array([event.position().x(), event.position().y()])

        def gaps(points: np.ndarray) -> np.ndarray:
            return np.array([np.hypot(*(where - (self.to_screen(p).x(), self.to_screen(p).y()))) for p in points])

        corners, middles = gaps(self.quad), gaps(self._middles())
        self.side = None
        if corners.min() <= 3 * HANDLE:
            self.selected = int(np.argmin(corners))
        elif middles.min() <= 2.5 * SIDE_HANDLE:
            self.side = int(np.argmin(middles))
            self._side_start = (self.quad.copy(), self.to_photo(event.position()))
        else:
            self.selected = int(np.argmin(corners))
        self._dragging = corners.min() <= 3 * HANDLE or self.side is not None
        self.magnifying = self._dragging
        if self._dragging:
            self._remember()
        self.update()

    def mouseMoveEvent(self, event) -> None:
        if not self._dragging:
            return
        if self.side is None:
            self.quad[self.selected] = self.to_photo(event.position())
        else:
            start, pressed = self._side_start
            a, b = start[self.side], start[(self.side + 1) % 4]
            direction = (b - a) / max(float(np.linalg.norm(b - a)), 1e-6)
            offset = float(np.dot(self.to_photo(event.position()) - pressed, (-direction[1], direction[0])))
            moved = slide_side(start, self.side, offset)
            if moved is not None:  # a move that would fold the outline is not followed
                self.quad = self._clipped(moved).astype(np.float32)
        self.update()

    def mouseReleaseEvent(self, event) -> None:
        if self._dragging and self.history and np.array_equal(self.history[-1], self.quad):
            self.history.pop()  # a handle pressed and let go where it was: nothing to undo
            self.changed.emit()
        self._dragging = False
        self.magnifying = False
        self.side = None
        self.update()

    def event(self, event) -> bool:
        """Tab and Shift+Tab pick corners here (QWidget would move the focus to the buttons on them; Ctrl+Tab
        still does)."""
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.keyPressEvent(event)
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        """Tab picks the next corner, Shift+Tab the one before; arrows move it 2 photo pixels (with Shift, 10);
        the loupe shows it."""
        steps = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            self.selected = (self.selected + (-1 if event.key() == Qt.Key.Key_Backtab else 1)) % 4
        elif event.key() in steps:
            factor = 10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 2
            dx, dy = steps[event.key()]
            moved = self.quad[self.selected] + np.array([dx, dy], np.float32) * factor
            self.set_quad(np.where(np.arange(4)[:, None] == self.selected, self._clipped(moved), self.quad))
        else:
            super().keyPressEvent(event)
            return
        self.magnifying = True
        self.update()

    def _clipped(self, point: np.ndarray) -> np.ndarray:
        return np.clip(point, [0, 0], [self.image.width() - 1, self.image.height() - 1])


class CornerEditor(QDialog):
    def __init__(self, tr, photo: np.ndarray, quad: np.ndarray, parent=None) -> None:
        super().__init__(parent)
        self.tr = tr
        self.setWindowTitle(tr("ui.scan.corners"))
        self.canvas = CornerCanvas(photo, quad, self)
        self.hint = QLabel(tr("ui.scan.corners_hint"), self)
        self.hint.setWordWrap(True)
        self.snap_button = big_button(tr("ui.scan.corners_snap"), self)
        self.whole_button = big_button(tr("ui.scan.corners_whole"), self)
        self.undo_button = big_button(tr("ui.scan.corners_undo"), self)
        ok = big_button(tr("ui.ok"), self, primary=True)
        cancel = big_button(tr("ui.qr.cancel_plain"), self)
        self.snap_button.clicked.connect(self.snap)
        self.whole_button.clicked.connect(self.take_whole)
        self.undo_button.clicked.connect(self.undo)
        ok.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        self.canvas.changed.connect(self._refresh)
        self._refresh()
        buttons = QHBoxLayout()
        for button in (self.snap_button, self.whole_button, self.undo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        self.resize(900, 680)

    def snap(self) -> None:
        snapped = self.canvas.snap()
        self.hint.setText(self.tr("ui.scan.corners_snapped" if snapped else "ui.scan.corners_snap_none"))

    def take_whole(self) -> None:
        self.canvas.take_whole()
        self.hint.setText(self.tr("ui.scan.corners_hint"))

    def undo(self) -> None:
        self.canvas.undo()
        self.hint.setText(self.tr("ui.scan.corners_hint"))

    @Slot()
    def _refresh(self) -> None:
        self.undo_button.setEnabled(bool(self.canvas.history))

    def quad(self) -> np.ndarray:
        return self.canvas.quad.copy()
