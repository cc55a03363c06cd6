"""What every screen needs, passed in explicitly (no global main window reached from everywhere)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fieldkit.core.catalog import Catalog
from fieldkit.core.clock import Clock
from fieldkit.core.i18n import Translator
from fieldkit.gui.dialogs import Dialogs
from fieldkit.gui.tasks import TaskRunner


@dataclass
class AppContext:
    tr: Translator
    runner: TaskRunner
    dialogs: Dialogs
    catalog: Catalog  # read-only data, safe to read on the GUI thread
    actor: str
    data_dir: Path
    clock: Clock
    camera: str = "auto"
