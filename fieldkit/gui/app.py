"""Starting the desktop app. Until the GUI issue lands this is a placeholder main window."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from fieldkit import __version__
from fieldkit.core.i18n import Translator
from fieldkit.storage.datadir import resolve_data_dir


class MainWindow(QMainWindow):
    def __init__(self, tr: Translator, data_dir: str) -> None:
        super().__init__()
        self.setWindowTitle(tr("ui.app_title"))
        central = QWidget(self)
        layout = QVBoxLayout(central)
        heading = QLabel(tr("ui.placeholder.heading"), central)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading.setStyleSheet("font-size: 20pt; font-weight: bold;")
        body = QLabel(tr("ui.placeholder.body", version=__version__, data_dir=data_dir), central)
        body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.setWordWrap(True)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(heading)
        layout.addWidget(body)
        self.setCentralWidget(central)
        self.resize(960, 640)


def parse_gui_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fieldkit gui", add_help=False)
    parser.add_argument("--data-dir")
    parser.add_argument("--lang")
    parser.add_argument("--worker")
    parser.add_argument("--camera")
    args, _ = parser.parse_known_args(list(argv))
    return args


def has_screen() -> bool:
    """On Linux a window needs an X or Wayland display (QT_QPA_PLATFORM=offscreen runs without one)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(argv: Sequence[str]) -> int:
    args = parse_gui_arguments(argv)
    tr = Translator(args.lang)
    if not has_screen():
        print(tr("ui.no_screen"), file=sys.stderr)
        return 1
    app = QApplication.instance() or QApplication([sys.argv[0]])
    window = MainWindow(tr, str(resolve_data_dir(args.data_dir)))
    window.show()
    return app.exec()
