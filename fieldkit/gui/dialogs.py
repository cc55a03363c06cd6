"""Every message box and file chooser goes through here, so errors are shown from one place, every button
speaks the user's language, and tests can watch them."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

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

    def open_file(self, parent: QWidget | None, title: str, folder: str, filters: str) -> str:
        """The path the user picked to open, or "" when they cancelled."""
        dialog = self.file_dialog(parent, title, folder, filters, QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        return dialog.selectedFiles()[0] if dialog.exec() else ""

    def open_files(self, parent: QWidget | None, title: str, folder: str, filters: str) -> list[str]:
        """The paths the user picked (one or many), or [] when they cancelled."""
        dialog = self.file_dialog(parent, title, folder, filters, QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        return dialog.selectedFiles() if dialog.exec() else []

    def save_file(self, parent: QWidget | None, title: str, suggested: str, filters: str) -> str:
        """Where the user chose to save, or "" when they cancelled."""
        dialog = self.file_dialog(parent, title, suggested, filters, QFileDialog.AcceptMode.AcceptSave)
        return dialog.selectedFiles()[0] if dialog.exec() else ""

    def file_dialog(
        self, parent: QWidget | None, title: str, where: str, filters: str, mode: QFileDialog.AcceptMode
    ) -> QFileDialog:
        """Qt ships no Vietnamese for its own file chooser (used where the system has none to offer): its
        labels and buttons are given here in the user's language."""
        dialog = QFileDialog(parent, title, where, filters)
        dialog.setAcceptMode(mode)
        labels = {
            QFileDialog.DialogLabel.LookIn: "ui.file.look_in",
            QFileDialog.DialogLabel.FileName: "ui.file.name",
            QFileDialog.DialogLabel.FileType: "ui.file.type",
            QFileDialog.DialogLabel.Accept: "ui.file.open"
            if mode == QFileDialog.AcceptMode.AcceptOpen
            else "ui.file.save",
            QFileDialog.DialogLabel.Reject: "ui.cancel",
        }
        for label, key in labels.items():
            dialog.setLabelText(label, self.tr(key))
        return dialog

    def _show(self, parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> None:
        box = QMessageBox(icon, title, text, parent=parent)
        box.addButton(self.tr("ui.ok"), QMessageBox.ButtonRole.AcceptRole)
        box.exec()


class RecordingDialogs(Dialogs):
    """For tests: remembers what would have been shown and answers confirmations as told."""

    def __init__(self, tr: Translator, answer: bool = True) -> None:
        super().__init__(tr)
        self.answer = answer
        self.file_answer = ""  # the path a file chooser returns; "" is a cancel
        self.files_answer: list[str] = []  # the paths a many-file chooser returns; [] is a cancel
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

    def open_file(self, parent, title, folder, filters) -> str:
        self.shown.append(title)
        return self.file_answer

    def open_files(self, parent, title, folder, filters) -> list[str]:
        self.shown.append(title)
        return list(self.files_answer)

    def save_file(self, parent, title, suggested, filters) -> str:
        self.shown.append(title)
        return self.file_answer
