"""Signing in: the first administrator on a new kit, the worker's password to unlock, and the lock
screen that comes back after idle time or when another worker takes over a shared laptop."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from fieldkit.core.errors import UserError
from fieldkit.core.session import Session
from fieldkit.gui.context import AppContext
from fieldkit.gui.widgets import ProblemLabel, big_button
from fieldkit.storage.security import init_kit, is_initialised, resume, unlock_kit


class LoginPage(QWidget):
    """One page for the three cases; which one depends on the kit and on whether someone is signed in."""

    signed_in = Signal(object)  # the Session

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        tr = ctx.tr
        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.explain = QLabel(self)
        self.explain.setWordWrap(True)
        self.explain.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.username = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit(self)
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        for widget, key in (
            (self.username, "ui.login.username"),
            (self.password, "ui.login.password"),
            (self.confirm, "ui.login.confirm"),
        ):
            widget.setMinimumHeight(36)
            widget.setAccessibleName(tr(key))
        self.password.returnPressed.connect(self.submit)
        self.confirm.returnPressed.connect(self.submit)
        self.problem = ProblemLabel(self)
        self.button = big_button("", self, primary=True)
        self.button.clicked.connect(self.submit)
        self.form = QFormLayout()
        self.form.addRow(tr("ui.login.username"), self.username)
        self.form.addRow(tr("ui.login.password"), self.password)
        self.form.addRow(tr("ui.login.confirm"), self.confirm)
        box = QWidget(self)
        box.setMinimumWidth(480)
        box.setMaximumWidth(600)
        inner = QVBoxLayout(box)
        inner.addWidget(self.heading)
        inner.addWidget(self.explain)
        inner.addLayout(self.form)
        inner.addWidget(self.problem)
        inner.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.mode = "unlock"

    def prepare(self) -> None:
        """Choose the case: a new kit (create the administrator), a locked session, or a fresh start."""
        tr = self.ctx.tr
        if self.ctx.session is not None:
            self.mode = "resume"
            self.heading.setText(tr("ui.login.locked"))
            self.explain.setText(tr("ui.login.locked_explain", name=self.ctx.session.user.username))
            self.username.setText(self.ctx.session.user.username)
        elif not is_initialised(self.ctx.data_dir):
            self.mode = "first_run"
            self.heading.setText(tr("ui.login.first_run"))
            self.explain.setText(tr("ui.login.first_run_explain"))
        else:
            self.mode = "unlock"
            self.heading.setText(tr("ui.login.title"))
            self.explain.setText(tr("ui.login.explain"))
        first = self.mode == "first_run"
        self.confirm.setVisible(first)
        self.form.labelForField(self.confirm).setVisible(first)
        self.button.setText(tr("ui.login.create" if first else "ui.login.open"))
        self.password.clear()
        self.confirm.clear()
        self.problem.show_problem("")
        (self.password if self.username.text() else self.username).setFocus()

    def submit(self) -> None:
        tr = self.ctx.tr
        name, password = self.username.text().strip(), self.password.text()
        if not name or not password:
            self.problem.show_problem(tr("ui.login.fill_both"))
            return
        if self.mode == "first_run" and password != self.confirm.text():
            self.problem.show_problem(tr("error.auth.passwords_differ"))
            return
        self.button.setEnabled(False)
        self.problem.show_problem(tr("ui.login.checking"))
        data_dir, clock = self.ctx.data_dir, self.ctx.clock
        if self.mode == "resume":
            session = self.ctx.session
            op = self.ctx.runner.db(lambda kit: resume(kit, session, name, password))
        elif self.mode == "first_run":
            op = self.ctx.runner.open_kit(lambda: init_kit(data_dir, name, password, clock=clock))
        else:
            op = self.ctx.runner.open_kit(lambda: unlock_kit(data_dir, name, password, clock=clock))
        op.success(self._done).failure(self._failed).run()

    def _done(self, session: Session) -> None:
        self.button.setEnabled(True)
        self.password.clear()
        self.confirm.clear()
        self.problem.show_problem("")
        self.signed_in.emit(session)

    def _failed(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        self.password.clear()
        if isinstance(error, UserError):
            self.problem.show_problem(self.ctx.tr.describe(error))
        else:
            self.problem.show_problem("")
            self.ctx.dialogs.error(self, error)
