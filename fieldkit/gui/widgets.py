"""Small widgets used across screens: big buttons, a step bar, a problem label."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

BUTTON_HEIGHT = 40  # big targets for tired eyes and shaky hands


def big_button(text: str, parent: QWidget | None = None, primary: bool = False) -> QPushButton:
    button = QPushButton(text, parent)
    button.setMinimumHeight(BUTTON_HEIGHT)
    if primary:
        button.setDefault(True)
        button.setStyleSheet("QPushButton { font-weight: bold; }")
    return button


class ProblemLabel(QLabel):
    """Says, beside a field, what is wrong with it, in words (not only in red)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet("color: #b00020;")
        self.hide()

    def show_problem(self, text: str) -> None:
        self.setText(f"⚠ {text}" if text else "")
        self.setVisible(bool(text))


class StepBar(QWidget):
    """1 Thủ tục › 2 Công dân › ... with the current step in bold."""

    def __init__(self, titles: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._labels = []
        for number, title in enumerate(titles, start=1):
            label = QLabel(f"{number}. {title}", self)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label, 1)
            self._labels.append(label)
        self.set_current(0)

    def set_current(self, index: int) -> None:
        for position, label in enumerate(self._labels):
            done = position < index
            style = "font-weight: bold; border-bottom: 3px solid #005a9c;" if position == index else ""
            label.setStyleSheet(f"padding: 6px; {style}{'color: #1b6e3a;' if done else ''}")
            label.setAccessibleName(label.text() + (" ✓" if done else ""))
