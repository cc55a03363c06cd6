"""Step 4: the procedure's checklist of papers. Each slot: scan with the webcam or pick a file; a photo picked
as a file may go through the scanner (page found, straightened, a small PDF) or be attached as it is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldkit.core.catalog import DocumentSlot
from fieldkit.core.dossier import Dossier
from fieldkit.gui.page_previews import PageStrip, first_pages, read_then_draw
from fieldkit.gui.scanner_dialog import ScannerDialog
from fieldkit.gui.widgets import big_button
from fieldkit.gui.wizard.draft import WizardDraft
from fieldkit.gui.wizard.step import WizardStep
from fieldkit.storage.dossier_service import DossierService

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
HEIC_SUFFIXES = (".heic", ".heif")


class DocumentsStep(WizardStep):
    title_key = "ui.wizard.step.documents"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("ui.documents.hint"), self))
        layout.addWidget(self.scroll, 1)
        self.uuid: str | None = None
        self.state_labels: dict[str, QLabel] = {}
        self.import_buttons: dict[str, QWidget] = {}
        self.scan_buttons: dict[str, QWidget] = {}
        self.remove_buttons: dict[str, QWidget] = {}
        self.page_strips: dict[str, PageStrip] = {}
        self.slots: dict[str, DocumentSlot] = {}

    def enter(self, draft: WizardDraft) -> None:
        self.uuid = draft.dossier_uuid
        procedure = self.ctx.catalog.get(draft.procedure_code)
        host = QWidget()
        grid = QGridLayout(host)
        self.state_labels.clear()
        for row, slot in enumerate(procedure.slots):
            mark = " *" if slot.required and not slot.one_of else (" (*)" if slot.one_of else "")
            name = QLabel(slot.name.in_language(self.tr.lang) + mark, host)
            name.setWordWrap(True)
            if slot.note:
                name.setToolTip(slot.note.in_language(self.tr.lang))
            state = QLabel()
            strip = PageStrip()
            cell = QWidget(host)
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(state)
            column.addWidget(strip)
            scan = big_button(self.tr("ui.documents.scan"), host, primary=True)
            scan.clicked.connect(lambda _=False, s=slot: self.scan_into(s))
            pick = big_button(self.tr("ui.documents.import"), host)
            pick.clicked.connect(lambda _=False, code=slot.code: self.import_into(code))
            remove = big_button(self.tr("ui.documents.remove"), host)
            remove.clicked.connect(lambda _=False, code=slot.code: self.remove_from(code))
            for column_index, widget in enumerate((name, cell, scan, pick, remove)):
                grid.addWidget(widget, row, column_index)
            self.slots[slot.code] = slot
            self.state_labels[slot.code] = state
            self.page_strips[slot.code] = strip
            self.scan_buttons[slot.code] = scan
            self.import_buttons[slot.code] = pick
            self.remove_buttons[slot.code] = remove
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        hint = QLabel(self.tr("ui.documents.legend"), host)
        grid.addWidget(hint, len(procedure.slots), 0, 1, 5)
        grid.setRowStretch(len(procedure.slots) + 1, 1)  # rows stay at the top
        self.scroll.setWidget(host)
        self.refresh()

    def refresh(self) -> None:
        uuid = self.uuid
        self.ctx.runner.db(lambda kit: kit.dossiers.get(uuid)).success(self._show).run()

    def _show(self, dossier: Dossier) -> None:
        for code, label in self.state_labels.items():
            docs = dossier.documents_for(code)
            if docs:
                pages = sum(d.pages for d in docs)
                size_kb = sum(d.size for d in docs) // 1024
                label.setText(self.tr("ui.documents.attached", files=len(docs), pages=pages, size_kb=size_kb))
                label.setStyleSheet("color: #1b6e3a;")
            else:
                label.setText(self.tr("ui.documents.none"))
                label.setStyleSheet("")
            self.remove_buttons[code].setEnabled(bool(docs))
        self._show_pages(dossier)

    def _show_pages(self, dossier: Dossier) -> None:
        """Each slot's first pages as small pictures; a dossier left meanwhile is not drawn over the next one."""
        uuid = dossier.uuid
        wanted = {code: dossier.documents_for(code) for code in self.page_strips}

        def read(kit) -> dict[str, list[tuple[bytes, str]]]:
            return {code: [(kit.vault.get(d.sha256), d.media_type) for d in docs] for code, docs in wanted.items()}

        def pictures(files: dict[str, list[tuple[bytes, str]]]) -> dict[str, list[QImage]]:
            return {code: first_pages(found, PageStrip.MOST) for code, found in files.items()}

        def draw(images: dict[str, list[QImage]]) -> None:
            if uuid != self.uuid:
                return
            for code, strip in self.page_strips.items():
                strip.show_pages(images.get(code, []))

        read_then_draw(self.ctx.runner, read, pictures, draw)

    def scan_into(self, slot: DocumentSlot, photos: list[str] | None = None) -> None:
        self.scanner = ScannerDialog(self.ctx, self.uuid, slot, self, photos=photos)
        self.scanner.finished.connect(lambda _result: self.refresh())
        self.scanner.open()

    def import_into(self, slot_code: str) -> None:
        path = self._ask_for_file()
        if not path:
            return
        if self._straighten(path):
            self.scan_into(self.slots[slot_code], photos=[path])
            return
        uuid, actor = self.uuid, self.ctx.actor
        self.ctx.runner.db(lambda kit: DossierService(kit, actor).attach_file(uuid, slot_code, Path(path))).success(
            self._show
        ).run()

    def remove_from(self, slot_code: str) -> None:
        uuid, actor = self.uuid, self.ctx.actor
        self.ctx.runner.db(lambda kit: DossierService(kit, actor).remove_document(uuid, slot_code, -1)).success(
            self._show
        ).run()

    def _straighten(self, path: str) -> bool:
        """A photo of a paper goes through the scanner (the portal wants the page, not the table under it);
        asked, since a photo may be meant as it is (a portrait). HEIC always: the portal does not take it."""
        suffix = Path(path).suffix.lower()
        if suffix in HEIC_SUFFIXES:
            return True
        return suffix in PHOTO_SUFFIXES and self.ctx.dialogs.confirm(
            self, self.tr("ui.documents.straighten", file=Path(path).name)
        )

    def _ask_for_file(self) -> str:
        return self.ctx.dialogs.open_file(
            self, self.tr("ui.documents.import"), str(Path.home()), self.tr("ui.documents.filter")
        )
