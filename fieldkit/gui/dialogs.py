"""Every message box goes through here, so errors are shown from one place and tests can watch them."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from fieldkit.core.errors import FieldKitError
from fieldkit.core.i18n import Translator


class Dialogs:
    def __init__(self, tr: Translator) -> None:
        self.tr = tr

    def error(self, parent: QWidget | None, error: BaseException) -> None:
        """A user's mistake is a warning with what to do; anything else says saved work is safe."""
        icon = (
            QMessageBox.Icon.Warning
            if isinstance(error, FieldKitError) and error.user_error
            else QMessageBox.Icon.Critical
        )
        self._show(parent, icon, self.tr("ui.error.title"), self.tr.describe(error))

    def info(self, parent: QWidget | None, text: str) -> None:
        self._show(parent, QMessageBox.Icon.Information, self.tr("ui.app_title"), text)

    def confirm(self, parent: QWidget | None, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("ui.app_title"), text, parent=parent)
        yes = box.addButton(self.tr("ui.yes"), QMessageBox.ButtonRole.YesRole)
        box.addButton(self.tr("ui.no"), QMessageBox.ButtonRole.NoRole)
        box.exec()
        return box.clickedButton() is yes

    def _show(self, parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> None:
        box = QMessageBox(icon, title, text, parent=parent)
        box.addButton(self.tr("ui.ok"), QMessageBox.ButtonRole.AcceptRole)
        box.exec()


class RecordingDialogs(Dialogs):
    """For tests: remembers what would have been shown and answers confirmations as told."""

    def __init__(self, tr: Translator, answer: bool = True) -> None:
        super().__init__(tr)
        self.answer = answer
        self.shown: list[str] = []
        self.errors: list[BaseException] = []

    def error(self, parent, error) -> None:
        self.errors.append(error)
        self.shown.append(self.tr.describe(error))

    def info(self, parent, text) -> None:
        self.shown.append(text)

    def confirm(self, parent, text) -> bool:
        self.shown.append(text)
        return self.answer
