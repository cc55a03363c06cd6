"""The citizen's receipt: what was filed, when, by whom, the portal's dossier code when known, and a QR
code that finds the dossier again at the commune. Printed, or saved as a PDF to send by Zalo or e-mail."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QByteArray, QUrl
from PySide6.QtGui import QImage, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QTextBrowser, QVBoxLayout

from fieldkit.core.dates import VIETNAM_TZ
from fieldkit.core.dossier import AuditEntry
from fieldkit.gui.context import AppContext
from fieldkit.gui.widgets import big_button
from fieldkit.qr.receipt import receipt_for, receipt_png
from fieldkit.storage.audit import AuditLog

QR_URL = "fieldkit:receipt-qr.png"


def receipt_html(tr, dossier, procedure, citizen, when) -> str:
    e = html.escape
    rows = [
        (tr("ui.receipt.procedure"), f"{procedure.name.in_language(tr.lang)} ({procedure.code})"),
        (tr("ui.review.applicant"), citizen.full_name if citizen else dossier.applicant_id),
        (tr("ui.receipt.received"), when.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M")),
        (tr("ui.receipt.assisted_by"), dossier.assisted_by),
        (tr("ui.receipt.portal_code"), dossier.portal_code or tr("ui.receipt.portal_code_later")),
        (tr("ui.receipt.reference"), dossier.uuid[:8].upper()),
    ]
    table = "".join(f"<tr><td>{e(k)}</td><td><b>{e(v)}</b></td></tr>" for k, v in rows)
    return (
        f"<h2 align='center'>{e(tr('ui.receipt.title'))}</h2>"
        f"<table cellpadding='4'>{table}</table>"
        f"<p align='center'><img src='{QR_URL}' width='180' height='180'></p>"
        f"<p align='center'>{e(tr('ui.receipt.footer'))}</p>"
    )


class ReceiptDialog(QDialog):
    def __init__(self, ctx: AppContext, loaded, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        dossier, procedure, citizen = loaded
        self.dossier = dossier
        tr = ctx.tr
        self.setWindowTitle(tr("ui.receipt.title"))
        self.document = QTextDocument(self)
        qr = QImage.fromData(QByteArray(receipt_png(receipt_for(dossier), scale=8)))
        self.document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(QR_URL), qr)
        self.document.setHtml(receipt_html(tr, dossier, procedure, citizen, dossier.created_at))
        view = QTextBrowser(self)
        view.setDocument(self.document)
        print_button = big_button(tr("ui.receipt.print"), self, primary=True)
        save_button = big_button(tr("ui.receipt.save"), self)
        close_button = big_button(tr("ui.detail.back"), self)
        print_button.clicked.connect(self.print_receipt)
        save_button.clicked.connect(lambda: self.save_pdf())
        close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (close_button, save_button, print_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(view, 1)
        layout.addLayout(buttons)
        self.resize(560, 640)

    def print_receipt(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            self.document.print_(printer)
            self._record("receipt_printed")

    def save_pdf(self, path: str | None = None) -> Path | None:
        if path is None:
            path = self.ctx.dialogs.save_file(
                self, self.ctx.tr("ui.receipt.save"), f"bien-nhan-{self.dossier.uuid[:8]}.pdf", "PDF (*.pdf)"
            )
        if not path:
            return None
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
        printer.setOutputFileName(path)
        self.document.print_(printer)
        self._record("receipt_saved")
        return Path(path)

    def _record(self, action: str) -> None:
        """A receipt carries the citizen's name out of the kit: the audit log says so (without the name)."""
        uuid, actor, now = self.dossier.uuid, self.ctx.actor.username, self.ctx.clock.now()
        self.ctx.runner.db(lambda kit: AuditLog(kit.db).append(AuditEntry(now, actor, action, uuid))).run()
