"""Step 2: the citizen. Find someone already declared, scan the ID card's QR code, or type.

Problems from the ID rules are shown beside the field they concern while typing. A disagreement between
the ID number's digits and the birth date or sex may be accepted by the worker after checking the card.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldkit.core.citizen import CITIZEN_FIELDS, Citizen, citizen_from_text, citizen_problems
from fieldkit.core.dates import format_date, local_date
from fieldkit.core.errors import UserError
from fieldkit.gui.qr_dialog import QrScanDialog
from fieldkit.gui.widgets import ProblemLabel, big_button
from fieldkit.gui.wizard.draft import WizardDraft
from fieldkit.gui.wizard.step import WizardStep
from fieldkit.storage.citizen_service import OVERRIDABLE, CitizenService

TEXT_FIELDS = ("id_number", "full_name", "date_of_birth", "permanent_address", "phone", "issue_date", "old_id_number")
REQUIRED = ("id_number", "full_name", "date_of_birth", "sex")


def citizen_as_text(citizen: Citizen) -> dict[str, str]:
    """A citizen as a form shows it: every field as text, dates the Vietnamese way (dd/mm/yyyy)."""
    data = {name: str(value or "") for name, value in citizen.to_dict().items()}
    for name in ("date_of_birth", "issue_date"):
        value = getattr(citizen, name)
        data[name] = format_date(value) if value else ""
    return data


class CitizenStep(WizardStep):
    title_key = "ui.wizard.step.citizen"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(ctx, parent)
        tr = self.tr
        # Left: find someone already declared.
        self.search = QLineEdit(self)
        self.search.setMinimumHeight(36)
        self.search.setPlaceholderText(tr("ui.citizen.search"))
        self.search.setAccessibleName(tr("ui.citizen.search"))
        self.found = QListWidget(self)
        self.found.itemActivated.connect(self._use_found)
        self.found.itemClicked.connect(self._use_found)
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.scan_button = big_button(tr("ui.citizen.scan"), self, primary=True)
        self.scan_button.clicked.connect(self.scan)
        self.dialog: QrScanDialog | None = None
        self.card_note = QLabel(self)
        self.card_note.setWordWrap(True)
        self.card_note.hide()
        left = QVBoxLayout()
        left.addWidget(self.scan_button)
        left.addWidget(self.card_note)
        left.addWidget(QLabel(tr("ui.citizen.find"), self))
        left.addWidget(self.search)
        left.addWidget(self.found, 1)

        # Right: the form, each field with the reason beside it when something is wrong.
        self.inputs: dict[str, QWidget] = {}
        self.problem_labels: dict[str, ProblemLabel] = {}
        form = QFormLayout()
        for name in CITIZEN_FIELDS:
            if name == "sex":
                widget = QComboBox(self)
                widget.addItem("", "")
                widget.addItem(tr("sex.nam"), "nam")
                widget.addItem(tr("sex.nu"), "nu")
                widget.currentIndexChanged.connect(self._recheck)
            else:
                widget = QLineEdit(self)
                if name in ("date_of_birth", "issue_date"):
                    widget.setPlaceholderText(tr("ui.date_placeholder"))
                widget.textChanged.connect(self._recheck)
            widget.setMinimumHeight(32)
            label = tr(f"field.{name}") + (" *" if name in REQUIRED else "")
            widget.setAccessibleName(label)
            problem = ProblemLabel(self)
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            box.addWidget(problem)
            form.addRow(label, box)
            self.inputs[name] = widget
            self.problem_labels[name] = problem
        self.accept_mismatch = QCheckBox(tr("ui.citizen.accept_mismatch"), self)
        self.accept_mismatch.hide()
        self.accept_mismatch.toggled.connect(self._recheck)
        right = QVBoxLayout()
        right.addWidget(QLabel(tr("ui.citizen.or_type"), self))
        right.addLayout(form)
        right.addWidget(self.accept_mismatch)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addLayout(right, 3)

    # -- the form ----------------------------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        values = {name: self.inputs[name].text() for name in TEXT_FIELDS}
        values["sex"] = self.inputs["sex"].currentData() or ""
        return values

    def set_values(self, values: dict[str, str]) -> None:
        for name in TEXT_FIELDS:
            self.inputs[name].setText(values.get(name, ""))
        sex = self.inputs["sex"]
        sex.setCurrentIndex(max(0, sex.findData(values.get("sex", ""))))

    def fill_from(self, citizen: Citizen) -> None:
        """Put a known or scanned citizen in the form."""
        self.set_values(citizen_as_text(citizen))

    def problems_by_field(self) -> dict[str, str]:
        citizen, problems = citizen_from_text(self.values())
        problems += citizen_problems(citizen, local_date(self.ctx.clock.now()))
        shown: dict[str, str] = {}
        for problem in problems:
            if self.accept_mismatch.isChecked() and problem.message.key in OVERRIDABLE:
                continue
            shown.setdefault(problem.where, self.tr.msg(problem.message))
        return shown

    def _mismatch_present(self) -> bool:
        citizen, _ = citizen_from_text(self.values())
        today = local_date(self.ctx.clock.now())
        return any(p.message.key in OVERRIDABLE for p in citizen_problems(citizen, today))

    def _recheck(self, *_args) -> None:
        shown = self.problems_by_field()
        values = self.values()
        for name, label in self.problem_labels.items():
            # An empty field is marked * and blocks Next; it is not shouted at while the form is being filled.
            label.show_problem(shown.get(name, "") if values.get(name) else "")
        self.accept_mismatch.setVisible(self._mismatch_present())
        self.completeness_changed.emit(self.is_complete())

    def is_complete(self) -> bool:
        return not self.problems_by_field()

    # -- the ID card's QR code ---------------------------------------------------------------------------

    def scan(self) -> None:
        self.dialog = QrScanDialog(self.ctx, "citizen", self)
        self.dialog.finished.connect(self._scanned)
        self.dialog.open()

    def _scanned(self, result: int) -> None:
        reading = self.dialog.reading if self.dialog else None
        if reading is not None:
            self.use_card(reading)

    def use_card(self, reading) -> None:
        """Fill the form from the card; say whether the citizen is already known and what changed."""
        citizen = reading.citizen
        if reading.known is not None:
            # Keep what the kit knows (a phone number) where the card says nothing.
            citizen = reading.known.updated_from(citizen)
        self.fill_from(citizen)
        tr = self.tr
        if reading.known is None:
            note = tr("ui.citizen.card_new")
        elif reading.differences:
            fields = ", ".join(tr(f"field.{name}") for name in reading.differences)
            note = tr("ui.citizen.card_known_changed", fields=fields)
        else:
            note = tr("ui.citizen.card_known")
        self.card_note.setText("✔ " + note)
        self.card_note.show()

    # -- finding ---------------------------------------------------------------------------------------

    def _run_search(self) -> None:
        text = self.search.text().strip()
        if not text:
            self.found.clear()
            return
        self.ctx.runner.db(lambda kit: kit.citizens.search(text, limit=30)).success(self._show_found).run()

    def _show_found(self, citizens: list[Citizen]) -> None:
        self.found.clear()
        for citizen in citizens:
            born = format_date(citizen.date_of_birth) if citizen.date_of_birth else ""
            item = QListWidgetItem(f"{citizen.full_name}\n{citizen.id_number} · {born}")
            item.setData(Qt.ItemDataRole.UserRole, citizen)
            self.found.addItem(item)
        if not citizens:
            self.found.addItem(QListWidgetItem(self.tr("ui.citizen.none_found")))

    def _use_found(self, item: QListWidgetItem) -> None:
        citizen = item.data(Qt.ItemDataRole.UserRole)
        if citizen is not None:
            self.fill_from(citizen)

    # -- wizard ------------------------------------------------------------------------------------------

    def enter(self, draft: WizardDraft) -> None:
        if draft.citizen_values:
            self.set_values(draft.citizen_values)
        self._recheck()
        self.inputs["id_number"].setFocus()

    def commit(self, draft: WizardDraft, done, update: bool = False) -> None:
        draft.citizen_values = self.values()
        citizen, _ = citizen_from_text(draft.citizen_values)
        accept = self.accept_mismatch.isChecked()
        actor = self.ctx.actor

        def saved(result) -> None:
            draft.applicant_id = result.citizen.id_number
            done()

        def failed(error: BaseException) -> None:
            if isinstance(error, UserError) and error.message.key == "error.citizen_differs" and not update:
                if self.ctx.dialogs.confirm(self, self.tr.describe(error) + "\n\n" + self.tr("ui.citizen.update_q")):
                    self.commit(draft, done, update=True)
                return
            self.ctx.dialogs.error(self, error)

        self.ctx.runner.db(
            lambda kit: CitizenService(kit, actor).save(citizen, accept_mismatch=accept, update=update)
        ).success(saved).failure(failed).run()
