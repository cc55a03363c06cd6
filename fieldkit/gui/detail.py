"""One dossier: citizen, declaration, documents, its timeline, the portal's code and status, and the
actions its state allows."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QTextBrowser, QVBoxLayout, QWidget

from fieldkit.core.dates import VIETNAM_TZ
from fieldkit.core.workflow import EDITABLE, LocalStatus
from fieldkit.gui.badges import local_badge, portal_badge
from fieldkit.gui.context import AppContext
from fieldkit.gui.page_previews import show_first_page_icons
from fieldkit.gui.receipt import ReceiptDialog
from fieldkit.gui.widgets import big_button
from fieldkit.gui.wizard.review_step import review_html
from fieldkit.storage.dossier_service import DISCARDABLE, DossierService


class DetailPage(QWidget):
    closed = Signal()
    edit_requested = Signal(str)
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        tr = ctx.tr
        self.uuid: str | None = None
        self.dossier = None
        self.status = QLabel(self)
        self.status.setStyleSheet("font-size: 13pt; padding: 6px;")
        self.portal = QLabel(self)
        self.portal.setWordWrap(True)
        self.body = QTextBrowser(self)
        self.documents = QListWidget(self)
        self.documents.itemActivated.connect(self._open_document)
        self.timeline = QListWidget(self)
        self.back_button = big_button(tr("ui.detail.back"), self)
        self.edit_button = big_button(tr("ui.detail.edit"), self)
        self.queue_button = big_button(tr("ui.wizard.queue"), self, primary=True)
        self.unqueue_button = big_button(tr("ui.detail.unqueue"), self)
        self.open_button = big_button(tr("ui.detail.open_document"), self)
        self.receipt_button = big_button(tr("ui.detail.receipt"), self)
        self.discard_button = big_button(tr("ui.detail.discard"), self)
        self.discard_button.clicked.connect(self.discard)
        self.receipt_button.clicked.connect(self.show_receipt)
        self.back_button.clicked.connect(self.closed)
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self.uuid))
        self.queue_button.clicked.connect(lambda: self._act("queue"))
        self.unqueue_button.clicked.connect(lambda: self._act("unqueue"))
        self.open_button.clicked.connect(lambda: self._open_document(self.documents.currentItem()))
        buttons = QHBoxLayout()
        for button in (
            self.back_button,
            self.discard_button,
            self.receipt_button,
            self.edit_button,
            self.unqueue_button,
            self.queue_button,
        ):
            buttons.addWidget(button)
        buttons.insertStretch(2, 1)
        side = QVBoxLayout()
        side.addWidget(QLabel(tr("ui.review.documents"), self))
        side.addWidget(self.documents, 1)
        side.addWidget(self.open_button)
        side.addWidget(QLabel(tr("ui.detail.timeline"), self))
        side.addWidget(self.timeline, 1)
        middle = QHBoxLayout()
        middle.addWidget(self.body, 3)
        middle.addLayout(side, 2)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.status)
        top.addWidget(self.portal, 1)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addLayout(buttons)

    def show_dossier(self, uuid: str) -> None:
        self.uuid = uuid
        actor = self.ctx.actor

        def load(kit):
            service = DossierService(kit, actor)
            dossier = service.view(uuid)  # a view of a citizen's dossier is recorded in the audit log
            procedure = service.procedure_of(dossier)
            problems = [self.ctx.tr.problem(p, procedure.where_labels()) for p in service.problems(dossier)]
            return (
                dossier,
                procedure,
                kit.citizens.find_one(dossier.applicant_id),
                problems,
                kit.dossiers.audit.for_dossier(uuid),
            )

        self.ctx.runner.db(load).success(self._show).run()

    def _show(self, loaded) -> None:
        dossier, procedure, citizen, problems, entries = loaded
        self._loaded = loaded
        tr = self.ctx.tr
        self.dossier = dossier
        text, colour = local_badge(dossier.status, tr)
        self.status.setText(text)
        self.status.setStyleSheet(f"font-size: 13pt; padding: 6px; color: white; background: {colour};")
        portal_text, _ = portal_badge(dossier.portal_status, tr)
        lines = []
        if dossier.portal_code:
            lines.append(tr("ui.detail.portal_code", code=dossier.portal_code))
        if portal_text:
            lines.append(portal_text + (f" — {dossier.portal_note}" if dossier.portal_note else ""))
        if dossier.attention_reason and dossier.attention_reason != dossier.portal_note:  # not the same words twice
            lines.append(tr("cli.dossier.attention", reason=dossier.attention_reason))
        self.portal.setText("\n".join(lines))
        self.body.setHtml(review_html(tr, dossier, procedure, citizen, problems))
        self.documents.clear()
        for doc in dossier.documents:
            slot = procedure.slot(doc.slot_code)
            item = QListWidgetItem(f"{slot.name.in_language(tr.lang) if slot else doc.slot_code}\n{doc.filename}")
            item.setData(Qt.ItemDataRole.UserRole, doc)
            self.documents.addItem(item)
        docs = dossier.documents
        show_first_page_icons(
            self.ctx.runner, self.documents, lambda kit: [(kit.vault.get(d.sha256), d.media_type) for d in docs]
        )
        self.timeline.clear()
        for entry in reversed(entries):
            when = entry.at.astimezone(VIETNAM_TZ).strftime("%d/%m %H:%M")
            what = tr(f"ui.timeline.{entry.action}") if entry.action in TIMELINE_ACTIONS else entry.action
            target = tr(f"status.{entry.to_status}") if entry.to_status else ""
            self.timeline.addItem(f"{when} · {entry.actor} · {what} {target}".strip())
        self.edit_button.setEnabled(dossier.status in EDITABLE)
        self.queue_button.setEnabled(dossier.status in (LocalStatus.DRAFT, LocalStatus.READY))
        self.unqueue_button.setEnabled(dossier.status is LocalStatus.QUEUED)
        self.discard_button.setVisible(dossier.status in DISCARDABLE and not dossier.portal_code)
        self.open_button.setEnabled(bool(dossier.documents))

    def show_receipt(self) -> None:
        self.receipt = ReceiptDialog(self.ctx, self._loaded[:3], self)
        self.receipt.open()

    def _act(self, action: str) -> None:
        uuid, actor = self.uuid, self.ctx.actor
        self.ctx.runner.db(lambda kit: getattr(DossierService(kit, actor), action)(uuid)).success(
            lambda _: (self.show_dossier(uuid), self.changed.emit())
        ).run()

    def discard(self) -> None:
        """Throw away a draft started by mistake, once the worker has said yes; then back to the list."""
        if not self.ctx.dialogs.confirm(self, self.ctx.tr("ui.detail.discard_confirm")):
            return
        uuid, actor = self.uuid, self.ctx.actor
        self.ctx.runner.db(lambda kit: DossierService(kit, actor).discard(uuid)).success(
            lambda _: (self.changed.emit(), self.closed.emit())
        ).run()

    def _open_document(self, item) -> None:
        """Hand the PDF to the system viewer through a temporary copy outside the data directory."""
        if item is None:
            return
        doc = item.data(Qt.ItemDataRole.UserRole)
        index = [d for d in self.dossier.documents if d.slot_code == doc.slot_code].index(doc)
        target = Path(tempfile.mkdtemp(prefix="fieldkit-")) / (doc.filename or f"{doc.sha256[:12]}.pdf")
        uuid, actor = self.uuid, self.ctx.actor
        # Export is role-checked and audited: a plain copy of a citizen's paper leaves the encrypted vault.
        self.ctx.runner.db(
            lambda kit: DossierService(kit, actor).export_document(uuid, doc.slot_code, target, index)
        ).success(lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))).run()


# Every action written to a dossier's audit trail, in words (others, if a later version adds some, as written).
TIMELINE_ACTIONS = (
    "created",
    "edited",
    "status",
    "portal_status",
    "consent_recorded",
    "citizen_mismatch_accepted",
    "exported",
    "viewed",
    "purged",
    "discarded",
    "review_approved",
    "review_edited",
    "review_returned",
    "revision",
    "collected",
    "receipt_printed",
    "receipt_saved",
)
