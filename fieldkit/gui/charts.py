"""A plain horizontal bar chart drawn with QPainter (Qt Charts is not part of PySide6-Essentials).

Bars carry their value as text, so the chart reads without telling colours apart."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR_HEIGHT = 22


class BarChart(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.bars: list[tuple[str, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: list[tuple[str, float]]) -> None:
        self.bars = list(bars)
        self.setFixedHeight(30 + BAR_HEIGHT * max(1, len(self.bars)) + 8)
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setPen(QColor("#202020"))
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(QRectF(0, 0, self.width(), 24), Qt.AlignmentFlag.AlignLeft, self.title)
        font.setBold(False)
        painter.setFont(font)
        label_width = self.width() * 0.38
        largest = max((value for _, value in self.bars), default=0) or 1
        for row, (label, value) in enumerate(self.bars):
            top = 30 + row * BAR_HEIGHT
            painter.setPen(QColor("#202020"))
            shown = painter.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, int(label_width - 8))
            painter.drawText(
                QRectF(0, top, label_width - 6, BAR_HEIGHT - 4),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                shown,
            )
            length = (self.width() - label_width - 60) * value / largest
            painter.fillRect(QRectF(label_width, top + 2, max(length, 1), BAR_HEIGHT - 8), QColor("#005a9c"))
            painter.drawText(
                QRectF(label_width + length + 6, top, 60, BAR_HEIGHT - 4),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{value:g}",
            )
