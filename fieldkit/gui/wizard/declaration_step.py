"""Step 3: the procedure's declaration, built from the catalog, checked as it is typed."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldkit.core.dates import local_date
from fieldkit.core.declaration import DeclarationField, check_value
from fieldkit.gui.widgets import ProblemLabel
from fieldkit.gui.wizard.draft import WizardDraft
from fieldkit.gui.wizard.step import WizardStep
from fieldkit.storage.dossier_service import DossierService


class FieldEditor:
    """One declaration field: its widget, its value as text, and the label that says what is wrong."""

    def __init__(self, spec: DeclarationField, lang: str, parent: QWidget) -> None:
        self.spec = spec
        self.problem = ProblemLabel(parent)
        if spec.type == "choice":
            widget = QComboBox(parent)
            widget.addItem("", "")
            for choice in spec.choices:
                widget.addItem(choice.label.in_language(lang), choice.value)
            self.changed = widget.currentIndexChanged
        elif spec.type == "textarea":
            widget = QPlainTextEdit(parent)
            widget.setFixedHeight(72)
            self.changed = widget.textChanged
        elif spec.type == "boolean":
            widget = QCheckBox(parent)
            self.changed = widget.toggled
        else:
            widget = QLineEdit(parent)
            self.changed = widget.textChanged
        widget.setMinimumHeight(32)
        widget.setAccessibleName(spec.label.in_language(lang))
        if spec.help:
            widget.setToolTip(spec.help.in_language(lang))
        self.widget = widget

    def text(self) -> str:
        w = self.widget
        if isinstance(w, QComboBox):
            return w.currentData() or ""
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        if isinstance(w, QCheckBox):
            return "true" if w.isChecked() else "false"
        return w.text()

    def set_text(self, value: str) -> None:
        w = self.widget
        if isinstance(w, QComboBox):
            w.setCurrentIndex(max(0, w.findData(value)))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(value)
        elif isinstance(w, QCheckBox):
            w.setChecked(value == "true")
        else:
            w.setText(_for_display(self.spec, value))


def _for_display(spec: DeclarationField, value: str) -> str:
    """Stored dates are ISO; people read and type dd/mm/yyyy."""
    if spec.type == "date" and len(value) == 10 and value[4] == "-":
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    return value


class DeclarationStep(WizardStep):
    title_key = "ui.wizard.step.declaration"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(QLabel(self.tr("ui.declaration.hint"), self))
        layout.addWidget(self.scroll, 1)
        self.editors: dict[str, FieldEditor] = {}
        self._procedure_code: str | None = None

    def _build(self, procedure) -> None:
        form_host = QWidget()
        form = QFormLayout(form_host)
        self.editors = {}
        for spec in procedure.fields:
            editor = FieldEditor(spec, self.tr.lang, form_host)
            if spec.type == "date":
                editor.widget.setPlaceholderText(self.tr("ui.date_placeholder"))
            editor.changed.connect(self._recheck)
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(editor.widget)
            box.addWidget(editor.problem)
            form.addRow(spec.label.in_language(self.tr.lang) + (" *" if spec.required else ""), box)
            self.editors[spec.name] = editor
        self.scroll.setWidget(form_host)
        self._procedure_code = procedure.code

    def enter(self, draft: WizardDraft) -> None:
        procedure = self.ctx.catalog.get(draft.procedure_code)
        if procedure.code != self._procedure_code:
            self._build(procedure)
        self.heading.setText(procedure.name.in_language(self.tr.lang))
        values = dict(draft.declaration)
        for spec in procedure.fields:  # declare once: what the applicant's record already says
            if spec.prefill and not values.get(spec.name) and draft.citizen_values.get(spec.prefill):
                values[spec.name] = draft.citizen_values[spec.prefill]
        for name, editor in self.editors.items():
            editor.set_text(values.get(name, ""))
        self._recheck()

    def values(self) -> dict[str, str]:
        return {name: editor.text() for name, editor in self.editors.items()}

    def problems(self) -> dict[str, str]:
        today = local_date(self.ctx.clock.now())
        found = {}
        for name, editor in self.editors.items():
            _, problems = check_value(editor.spec, editor.text(), today)
            if problems:
                found[name] = self.tr.msg(problems[0].message)
        return found

    def _recheck(self, *_args) -> None:
        found = self.problems()
        for name, editor in self.editors.items():
            typed = editor.text() not in ("", "false")
            editor.problem.show_problem(found.get(name, "") if typed else "")
        self.completeness_changed.emit(True)

    def commit(self, draft: WizardDraft, done) -> None:
        """Save what was typed (valid or not) as the dossier's draft; problems are listed at review."""
        draft.declaration = {name: value for name, value in self.values().items() if value not in ("", "false")}
        values = dict(draft.declaration)
        actor, place = self.ctx.actor, draft.place
        code, applicant, uuid = draft.procedure_code, draft.applicant_id, draft.dossier_uuid
        cleared = dict.fromkeys(self.editors, "")

        def save(kit):
            service = DossierService(kit, actor)
            if uuid is None:
                return service.create(code, applicant, values, place).uuid
            service.set_applicant(uuid, applicant)
            service.set_values(uuid, {**cleared, **values})
            return uuid

        def saved(new_uuid: str) -> None:
            draft.dossier_uuid = new_uuid
            done()

        self.ctx.runner.db(save).success(saved).run()
