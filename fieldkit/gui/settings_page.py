"""Settings: the place of work, camera, language, file size limit; about this kit."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from fieldkit import __version__
from fieldkit.gui.context import AppContext
from fieldkit.gui.widgets import big_button

PLACE_KINDS = ("home_visit", "help_desk", "office")


class SettingsPage(QWidget):
    closed = Signal()
    saved = Signal(dict)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        tr = ctx.tr
        self.place_kind = QComboBox(self)
        for kind in PLACE_KINDS:
            self.place_kind.addItem(tr(f"ui.place.{kind}"), kind)
        self.village = QLineEdit(self)
        self.camera = QComboBox(self)
        self.camera.setEditable(True)
        for spec in ("auto", "demo", "camera:0", "camera:1"):
            self.camera.addItem(spec)
        self.language = QComboBox(self)
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.max_file_mb = QDoubleSpinBox(self)
        self.max_file_mb.setRange(0.5, 200)
        self.max_file_mb.setSuffix(" MB")
        form = QFormLayout()
        form.addRow(tr("setting.place_kind"), self.place_kind)
        form.addRow(tr("setting.village"), self.village)
        form.addRow(tr("setting.camera"), self.camera)
        form.addRow(tr("setting.language"), self.language)
        form.addRow(tr("setting.max_file_mb"), self.max_file_mb)
        for widget in (self.place_kind, self.village, self.camera, self.language, self.max_file_mb):
            widget.setMinimumHeight(32)
        self.about = QLabel(tr("ui.settings.about", version=__version__, data_dir=str(ctx.data_dir)), self)
        self.about.setWordWrap(True)
        save = big_button(tr("ui.settings.save"), self, primary=True)
        back = big_button(tr("ui.detail.back"), self)
        save.clicked.connect(self.save)
        back.clicked.connect(self.closed)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.about)
        layout.addStretch(1)
        layout.addWidget(save)
        layout.addWidget(back)

    def load(self) -> None:
        self.ctx.runner.db(lambda kit: kit.settings.all()).success(self._show).run()

    def _show(self, values: dict) -> None:
        self.place_kind.setCurrentIndex(max(0, self.place_kind.findData(values["place_kind"])))
        self.village.setText(values["village"])
        self.camera.setCurrentText(values["camera"])
        self.language.setCurrentIndex(max(0, self.language.findData(values["language"])))
        self.max_file_mb.setValue(float(values["max_file_mb"]))

    def values(self) -> dict:
        return {
            "place_kind": self.place_kind.currentData(),
            "village": self.village.text(),
            "camera": self.camera.currentText().strip() or "auto",
            "language": self.language.currentData(),
            "max_file_mb": self.max_file_mb.value(),
        }

    def save(self) -> None:
        values = self.values()

        def store(kit):
            for name, value in values.items():
                kit.settings.set(name, value)
            return kit.settings.all()

        self.ctx.runner.db(store).success(self._saved).run()

    def _saved(self, values: dict) -> None:
        self.ctx.dialogs.info(self, self.ctx.tr("ui.settings.saved"))
        self.saved.emit(values)
