"""The contract between the wizard and each of its steps."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from fieldkit.gui.context import AppContext
from fieldkit.gui.wizard.draft import WizardDraft


class WizardStep(QWidget):
    """A step shows the draft (`enter`), says whether Next may be pressed (`completeness_changed`),
    and on Next stores what was typed and does its saving (`commit`, which calls `done` when it has)."""

    completeness_changed = Signal(bool)
    title_key = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tr = ctx.tr

    def enter(self, draft: WizardDraft) -> None:
        raise NotImplementedError

    def is_complete(self) -> bool:
        return True

    def commit(self, draft: WizardDraft, done: Callable[[], None]) -> None:
        done()
