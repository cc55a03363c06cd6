"""Step 5: consent and review. What will be filed, what is still missing; save as draft or queue."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QCheckBox, QLabel, QTextBrowser, QVBoxLayout

from fieldkit.core.consent import ConsentText, consent_text
from fieldkit.core.i18n import Translator
from fieldkit.gui.wizard.draft import WizardDraft
from fieldkit.gui.wizard.step import WizardStep
from fieldkit.storage.dossier_service import DossierService


class ReviewStep(WizardStep):
    title_key = "ui.wizard.step.review"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.summary = QTextBrowser(self)
        self.consent_text = QLabel(self)
        self.consent_text.setWordWrap(True)
        self.consent_text.setStyleSheet("background: #f2f2f2; padding: 8px;")
        self.consent = QCheckBox(self.tr("ui.review.consent"), self)
        self.consent.setMinimumHeight(32)
        self.consent.toggled.connect(lambda _: self.completeness_changed.emit(self.is_complete()))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.consent_text)
        layout.addWidget(self.consent)
        self.problems: list[str] = []
        self.shown_consent: ConsentText | None = None

    def enter(self, draft: WizardDraft) -> None:
        uuid, actor = draft.dossier_uuid, self.ctx.actor
        procedure = self.ctx.catalog.get(draft.procedure_code)
        # The very words the citizen is shown are what the dossier's consent record points at (by hash).
        self.shown_consent = consent_text(self.tr.lang, procedure.name.in_language(self.tr.lang))
        self.consent_text.setText(self.shown_consent.text)

        def load(kit):
            service = DossierService(kit, actor)
            dossier = service.get(uuid)
            procedure = service.procedure_of(dossier)
            problems = [self.tr.problem(p, procedure.where_labels()) for p in service.problems(dossier)]
            return dossier, procedure, kit.citizens.find_one(dossier.applicant_id), problems, service.consent_of(uuid)

        self.ctx.runner.db(load).success(self._show).run()

    def is_complete(self) -> bool:
        return self.consent.isChecked()

    def _show(self, loaded) -> None:
        dossier, procedure, citizen, problems, consent = loaded
        self.consent.setChecked(consent is not None)
        self.problems = problems
        self.summary.setHtml(review_html(self.tr, dossier, procedure, citizen, problems))


def review_html(tr: Translator, dossier, procedure, citizen, problems: list[str]) -> str:
    e = html.escape
    lang = tr.lang
    parts = [f"<h3>{e(procedure.name.in_language(lang))} <small>({e(procedure.code)})</small></h3>"]
    if citizen is not None:
        parts.append(f"<p><b>{e(tr('ui.review.applicant'))}:</b> {e(citizen.full_name)} · {e(citizen.id_number)}</p>")
    rows = []
    for spec in procedure.fields:
        value = dossier.declaration.get(spec.name, "")
        if spec.type == "choice":
            value = next((c.label.in_language(lang) for c in spec.choices if c.value == value), value)
        rows.append(f"<tr><td>{e(spec.label.in_language(lang))}</td><td><b>{e(value)}</b></td></tr>")
    parts.append(f"<table cellpadding='3'>{''.join(rows)}</table>")
    docs = [
        f"<li>{e(procedure.slot(d.slot_code).name.in_language(lang) if procedure.slot(d.slot_code) else d.slot_code)}"
        f" — {e(d.filename)} ({d.pages} {e(tr('ui.review.pages'))})</li>"
        for d in dossier.documents
    ]
    parts.append(f"<p><b>{e(tr('ui.review.documents'))}:</b></p><ul>{''.join(docs) or '<li>—</li>'}</ul>")
    if problems:
        items = "".join(f"<li>⚠ {e(p)}</li>" for p in problems)
        parts.append(
            f"<p style='color:#b00020'><b>{e(tr('ui.review.missing'))}</b></p><ul style='color:#b00020'>{items}</ul>"
        )
    else:
        parts.append(f"<p style='color:#1b6e3a'><b>✔ {e(tr('ui.review.complete'))}</b></p>")
    return "".join(parts)
