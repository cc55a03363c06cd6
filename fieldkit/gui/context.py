"""What every screen needs, passed in explicitly (no global main window reached from everywhere)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fieldkit.core.catalog import Catalog
from fieldkit.core.clock import Clock
from fieldkit.core.i18n import Translator
from fieldkit.core.roles import Actor
from fieldkit.core.session import Session
from fieldkit.gui.dialogs import Dialogs
from fieldkit.gui.tasks import TaskRunner
from fieldkit.sync.credentials import CredentialStore


@dataclass
class AppContext:
    tr: Translator
    runner: TaskRunner
    dialogs: Dialogs
    catalog: Catalog  # read-only data, safe to read on the GUI thread
    data_dir: Path
    clock: Clock
    camera: str = "auto"
    # Where the portal login is kept: the OS keyring, or this process's memory on a box without one.
    credentials: CredentialStore | None = None
    # Who is signed in; None until the kit is unlocked.
    session: Session | None = None

    @property
    def actor(self) -> Actor:
        """The signed-in worker; services check their role."""
        assert self.session is not None, "screens with citizens' data appear only after sign-in"
        return self.session.user
