"""Step 1: pick the procedure by name or code (accents optional), or from its posted QR code."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from fieldkit.gui.qr_dialog import QrScanDialog
from fieldkit.gui.widgets import big_button
from fieldkit.gui.wizard.draft import WizardDraft
from fieldkit.gui.wizard.step import WizardStep


class ProcedureStep(WizardStep):
    title_key = "ui.wizard.step.procedure"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.search = QLineEdit(self)
        self.search.setMinimumHeight(36)
        self.search.setPlaceholderText(self.tr("ui.procedure.search"))
        self.search.setAccessibleName(self.tr("ui.procedure.search"))
        self.search.textChanged.connect(self._fill)
        self.scan_button = big_button(self.tr("ui.procedure.scan"), self)
        self.scan_button.clicked.connect(self.scan)
        self.dialog: QrScanDialog | None = None
        self.results = QListWidget(self)
        self.results.setStyleSheet("QListWidget::item { padding: 8px; }")
        self.results.currentItemChanged.connect(lambda *_: self.completeness_changed.emit(self.is_complete()))
        self.search.returnPressed.connect(self._take_first)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.scan_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("ui.procedure.hint"), self))
        layout.addLayout(top)
        layout.addWidget(self.results, 1)
        self._fill("")

    def enter(self, draft: WizardDraft) -> None:
        if draft.procedure_code:
            self.select(draft.procedure_code)
        self.search.setFocus()

    def select(self, code: str) -> None:
        for row in range(self.results.count()):
            if self.results.item(row).data(Qt.ItemDataRole.UserRole) == code:
                self.results.setCurrentRow(row)
                return

    def is_complete(self) -> bool:
        return self.results.currentItem() is not None

    def selected_code(self) -> str | None:
        item = self.results.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def commit(self, draft: WizardDraft, done) -> None:
        draft.procedure_code = self.selected_code()
        done()

    def _fill(self, text: str) -> None:
        current = self.selected_code()
        self.results.clear()
        for procedure in self.ctx.catalog.search(text):
            item = QListWidgetItem(
                f"{procedure.name.in_language(self.tr.lang)}\n{procedure.code} · "
                f"{procedure.sector.in_language(self.tr.lang)}"
            )
            item.setData(Qt.ItemDataRole.UserRole, procedure.code)
            self.results.addItem(item)
        if current:
            self.select(current)
        self.completeness_changed.emit(self.is_complete())

    def scan(self) -> None:
        """Read the procedure's posted QR code and select it."""
        self.dialog = QrScanDialog(self.ctx, "procedure", self)
        self.dialog.finished.connect(self._scanned)
        self.dialog.open()

    def _scanned(self, result: int) -> None:
        reading = self.dialog.reading if self.dialog else None
        if reading is not None and reading.procedure is not None:
            self.search.clear()
            self.select(reading.procedure.code)

    def _take_first(self) -> None:
        if self.results.count() and self.results.currentItem() is None:
            self.results.setCurrentRow(0)
