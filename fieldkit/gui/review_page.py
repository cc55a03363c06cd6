"""The supervisor's review queue: each collected dossier with its papers; approve (it goes to the portal
through the supervisor's outbox) or return it to the team member with a note."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fieldkit.core.dates import VIETNAM_TZ
from fieldkit.gui.context import AppContext
from fieldkit.gui.hub_panel import HubPanel
from fieldkit.gui.page_previews import show_first_page_icons
from fieldkit.gui.widgets import big_button
from fieldkit.gui.wizard.review_step import review_html
from fieldkit.hub.review import ReviewItem, ReviewService


class ReviewPage(QWidget):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        tr = ctx.tr
        self.items = QListWidget(self)
        self.items.setStyleSheet("QListWidget::item { padding: 8px; }")
        self.items.currentItemChanged.connect(lambda current, _: self._show(current))
        self.body = QTextBrowser(self)
        self.documents = QListWidget(self)
        self.documents.itemActivated.connect(self._open_document)
        self.empty = QLabel(tr("ui.review_queue.empty"), self)
        self.empty.setWordWrap(True)
        self.refresh_button = big_button(tr("ui.review_queue.refresh"), self)
        self.approve_button = big_button(tr("ui.review_queue.approve"), self, primary=True)
        self.return_button = big_button(tr("ui.review_queue.return"), self)
        self.refresh_button.clicked.connect(self.refresh)
        self.approve_button.clicked.connect(self.approve)
        self.return_button.clicked.connect(lambda: self.return_to_member())
        left = QVBoxLayout()
        left.addWidget(QLabel(tr("ui.review_queue.title"), self))
        left.addWidget(self.items, 1)
        left.addWidget(self.empty)
        left.addWidget(self.refresh_button)
        self.hub = HubPanel(ctx, self)
        self.hub.collected.connect(self.refresh)
        left.addWidget(self.hub)
        right = QVBoxLayout()
        right.addWidget(self.body, 3)
        right.addWidget(QLabel(tr("ui.review.documents"), self))
        right.addWidget(self.documents, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.approve_button)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addLayout(right, 3)
        # Asking for the note is a dialog; tests replace it with a function returning the text.
        self.ask_note = self._ask_note
        self._set_actions(False)

    def refresh(self) -> None:
        actor = self.ctx.actor
        self.ctx.runner.db(lambda kit: ReviewService(kit, actor).queue()).success(self._fill).run()

    def _fill(self, queue: list[ReviewItem]) -> None:
        tr = self.ctx.tr
        self.items.clear()
        for item in queue:
            procedure = item.procedure.name.in_language(tr.lang) if item.procedure else item.dossier.procedure_code
            received = item.received_at.astimezone(VIETNAM_TZ).strftime("%d/%m %H:%M")
            warn = f" · ⚠ {len(item.problems)}" if item.problems else ""
            entry = QListWidgetItem(f"{procedure}\n{item.team_member} · {item.kit_label} · {received}{warn}")
            entry.setData(Qt.ItemDataRole.UserRole, item)
            self.items.addItem(entry)
        self.empty.setVisible(not queue)
        if queue:
            self.items.setCurrentRow(0)
        else:
            self.body.clear()
            self.documents.clear()
            self._set_actions(False)

    def selected(self) -> ReviewItem | None:
        current = self.items.currentItem()
        return current.data(Qt.ItemDataRole.UserRole) if current else None

    def _show(self, current) -> None:
        item = current.data(Qt.ItemDataRole.UserRole) if current else None
        self._set_actions(item is not None)
        if item is None:
            return
        tr = self.ctx.tr
        problems = [tr.problem(p, item.procedure.where_labels() if item.procedure else None) for p in item.problems]
        if item.procedure is not None:
            self.body.setHtml(review_html(tr, item.dossier, item.procedure, item.applicant, problems))
        self.documents.clear()
        for index, doc in enumerate(item.documents):
            slot = item.procedure.slot(doc.slot_code) if item.procedure else None
            name = slot.name.in_language(tr.lang) if slot else doc.slot_code
            entry = QListWidgetItem(tr("ui.review.document_row", slot=name, pages=doc.pages))
            entry.setData(Qt.ItemDataRole.UserRole, index)
            self.documents.addItem(entry)
        uuid, actor = item.uuid, self.ctx.actor
        show_first_page_icons(self.ctx.runner, self.documents, lambda kit: ReviewService(kit, actor).documents(uuid))

    def _set_actions(self, enabled: bool) -> None:
        self.approve_button.setEnabled(enabled)
        self.return_button.setEnabled(enabled)

    def approve(self) -> None:
        item = self.selected()
        if item is None:
            return
        uuid, actor = item.uuid, self.ctx.actor
        self.ctx.runner.db(lambda kit: ReviewService(kit, actor).approve(uuid)).success(self._decided).run()

    def return_to_member(self, note: str | None = None) -> None:
        item = self.selected()
        if item is None:
            return
        note = note if note is not None else self.ask_note()
        if not note or not note.strip():
            return
        uuid, actor = item.uuid, self.ctx.actor
        self.ctx.runner.db(lambda kit: ReviewService(kit, actor).return_to_member(uuid, note)).success(
            self._decided
        ).run()

    def _decided(self, _dossier) -> None:
        self.refresh()
        self.changed.emit()

    def _ask_note(self) -> str:
        text, ok = QInputDialog.getMultiLineText(
            self, self.ctx.tr("ui.review_queue.return"), self.ctx.tr("ui.review_queue.note")
        )
        return text if ok else ""

    def _open_document(self, entry) -> None:
        item = self.selected()
        if item is None or entry is None:
            return
        index, uuid, actor = entry.data(Qt.ItemDataRole.UserRole), item.uuid, self.ctx.actor
        target = Path(tempfile.mkdtemp(prefix="fieldkit-")) / f"{uuid[:8]}-{index + 1}.pdf"

        def export(kit):
            target.write_bytes(ReviewService(kit, actor).document(uuid, index))
            return target

        self.ctx.runner.db(export).success(lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))).run()
