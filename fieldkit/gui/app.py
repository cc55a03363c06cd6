"""Starting the desktop app: arguments, the kit on its worker thread, the main window."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from fieldkit.core.catalog import catalog_files, load_catalog
from fieldkit.core.clock import Clock, SystemClock
from fieldkit.core.i18n import Translator
from fieldkit.core.resources import resource_path
from fieldkit.gui.collector import GuiThreadCollector
from fieldkit.gui.context import AppContext
from fieldkit.gui.dialogs import Dialogs
from fieldkit.gui.main_window import MainWindow
from fieldkit.gui.tasks import TaskRunner
from fieldkit.storage.datadir import prepare_data_dir, resolve_data_dir
from fieldkit.storage.logfile import configure_logging
from fieldkit.sync.credentials import CredentialStore, open_credentials


def parse_gui_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fieldkit gui", add_help=False)
    parser.add_argument("--data-dir")
    parser.add_argument("--lang")
    parser.add_argument("--user", "--worker", dest="worker")
    parser.add_argument("--camera")
    args, _ = parser.parse_known_args(list(argv))
    return args


def has_screen() -> bool:
    """On Linux a window needs an X or Wayland display (QT_QPA_PLATFORM=offscreen runs without one)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def build_context(
    data_dir: Path,
    tr: Translator,
    dialogs: Dialogs | None = None,
    clock: Clock | None = None,
    synchronous: bool = False,
    camera: str = "auto",
    credentials: CredentialStore | None = None,
) -> AppContext:
    """Everything the window needs. The kit is unlocked at sign-in, on the database thread, and lives there."""
    clock = clock or SystemClock()
    dialogs = dialogs or Dialogs(tr)
    catalog = load_catalog(catalog_files(resource_path("catalog"), data_dir / "catalog"))
    runner = TaskRunner(on_error=lambda e: dialogs.error(None, e), synchronous=synchronous)
    return AppContext(
        tr, runner, dialogs, catalog, data_dir, clock, camera, credentials=credentials or open_credentials()
    )


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication([sys.argv[0]])
    font = QFont(app.font())
    font.setPointSize(max(font.pointSize(), 11))  # readable on a 1366×768 laptop at arm's length
    app.setFont(font)
    # Cycles are collected on the GUI thread only: the camera's worker threads must never destroy Qt objects.
    # (Kept on the application: its Python side must live as long as the timer that calls it.)
    app.collector = GuiThreadCollector(app).start()
    return app


def run(argv: Sequence[str]) -> int:
    args = parse_gui_arguments(argv)
    tr = Translator(args.lang)
    if not has_screen():
        print(tr("ui.no_screen"), file=sys.stderr)
        return 1
    data_dir = prepare_data_dir(resolve_data_dir(args.data_dir))
    configure_logging(data_dir)
    app = make_application()
    ctx = build_context(data_dir, tr, camera=args.camera or "auto")
    window = MainWindow(ctx)
    window.start()
    if args.worker:
        window.login.username.setText(args.worker)
        window.login.prepare()
    window.show()
    return app.exec()
