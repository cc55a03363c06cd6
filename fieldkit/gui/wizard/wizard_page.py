"""The new-dossier wizard: a step bar, the steps, Back and Next. Nothing typed is lost going back and
forth, and from the declaration on the dossier is saved as a draft at every Next."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from fieldkit.gui.context import AppContext
from fieldkit.gui.widgets import StepBar, big_button
from fieldkit.gui.wizard.citizen_step import CitizenStep
from fieldkit.gui.wizard.declaration_step import DeclarationStep
from fieldkit.gui.wizard.documents_step import DocumentsStep
from fieldkit.gui.wizard.draft import WizardDraft
from fieldkit.gui.wizard.procedure_step import ProcedureStep
from fieldkit.gui.wizard.review_step import ReviewStep
from fieldkit.storage.dossier_service import DossierService


class WizardPage(QWidget):
    finished = Signal(str)  # the dossier's UUID, or "" when left without one
    closed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        tr = ctx.tr
        self.draft = WizardDraft()
        self.steps = [ProcedureStep(ctx), CitizenStep(ctx), DeclarationStep(ctx), DocumentsStep(ctx), ReviewStep(ctx)]
        self.bar = StepBar([tr(step.title_key) for step in self.steps], self)
        self.stack = QStackedWidget(self)
        for step in self.steps:
            self.stack.addWidget(step)
            step.completeness_changed.connect(self._update_buttons)
        self.done_panel = self._done_panel()
        self.stack.addWidget(self.done_panel)

        self.cancel_button = big_button(tr("ui.wizard.close"), self)
        self.back_button = big_button(tr("ui.wizard.back"), self)
        self.next_button = big_button(tr("ui.wizard.next"), self, primary=True)
        self.draft_button = big_button(tr("ui.wizard.save_draft"), self)
        self.queue_button = big_button(tr("ui.wizard.queue"), self, primary=True)
        self.cancel_button.clicked.connect(self._close)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.draft_button.clicked.connect(lambda: self._finish(queue=False))
        self.queue_button.clicked.connect(lambda: self._finish(queue=True))
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.draft_button, self.queue_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self.index = 0

    # -- navigation --------------------------------------------------------------------------------------

    def start(self, draft: WizardDraft | None = None) -> None:
        self.draft = draft or WizardDraft()
        self._go(0)

    def current(self):
        return self.steps[self.index] if self.index < len(self.steps) else None

    def next(self) -> None:
        step = self.current()
        if step is None or not step.is_complete() or self.index == len(self.steps) - 1:
            return
        self.next_button.setEnabled(False)
        previous_code = self.draft.procedure_code

        def advance() -> None:
            if self.index == 0 and previous_code and previous_code != self.draft.procedure_code:
                # Another procedure: a new dossier; the earlier draft stays in the queue, nothing is lost.
                self.draft.dossier_uuid = None
                self.draft.declaration = {}
            self._go(self.index + 1)

        step.commit(self.draft, advance)
        self._update_buttons()

    def back(self) -> None:
        if 0 < self.index < len(self.steps):
            step = self.current()
            if self.index >= 2:  # keep what was typed on the way back too
                step.commit(self.draft, lambda: self._go(self.index - 1))
            else:
                self._go(self.index - 1)

    def _go(self, index: int) -> None:
        self.index = index
        self.stack.setCurrentIndex(index)
        if index < len(self.steps):
            self.bar.set_current(index)
            self.steps[index].enter(self.draft)
        self._update_buttons()

    def _update_buttons(self, *_args) -> None:
        in_steps = self.index < len(self.steps)
        last = self.index == len(self.steps) - 1
        step = self.current()
        complete = bool(step and step.is_complete())
        self.back_button.setVisible(in_steps and self.index > 0)
        self.next_button.setVisible(in_steps and not last)
        self.next_button.setEnabled(complete)
        self.draft_button.setVisible(last)
        self.queue_button.setVisible(last)
        self.queue_button.setEnabled(complete)
        self.cancel_button.setVisible(in_steps)

    # -- finishing ---------------------------------------------------------------------------------------

    def _finish(self, queue: bool) -> None:
        """Record the consent the citizen gave (if given), then queue the dossier or keep it as a draft."""
        uuid, actor = self.draft.dossier_uuid, self.ctx.actor
        review = self.steps[-1]
        consent = review.shown_consent if review.consent.isChecked() else None

        def finish(kit) -> None:
            service = DossierService(kit, actor)
            if consent is not None and service.consent_of(uuid) is None:
                service.record_consent(uuid, consent)
            if queue:
                service.queue(uuid)

        def done(_result=None) -> None:
            self.done_label.setText(self.ctx.tr("ui.wizard.queued" if queue else "ui.wizard.saved"))
            self._go(len(self.steps))
            self.finished.emit(uuid or "")

        self.ctx.runner.db(finish).success(done).run()

    def _done_panel(self) -> QWidget:
        panel = QWidget(self)
        self.done_label = QLabel(panel)
        self.done_label.setStyleSheet("font-size: 15pt;")
        self.done_label.setWordWrap(True)
        self.next_citizen_button = big_button(self.ctx.tr("ui.wizard.next_citizen"), panel, primary=True)
        self.home_button = big_button(self.ctx.tr("ui.wizard.home"), panel)
        self.next_citizen_button.clicked.connect(lambda: self.start(self.draft.next_citizen()))
        self.home_button.clicked.connect(self.closed)
        layout = QVBoxLayout(panel)
        layout.addStretch(1)
        layout.addWidget(self.done_label)
        layout.addWidget(self.next_citizen_button)
        layout.addWidget(self.home_button)
        layout.addStretch(1)
        return panel

    def _close(self) -> None:
        """Leave the wizard; a dossier already saved stays as a draft in the queue."""
        if self.index >= 2 and self.index < len(self.steps):
            self.current().commit(self.draft, self.closed.emit)
        else:
            self.closed.emit()
