"""The main window: a header with who is working, and the pages (queue, wizard, dossier, settings)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QLocale, QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from fieldkit.core.dossier import Place, PlaceKind
from fieldkit.core.roles import Permission, allowed
from fieldkit.gui.context import AppContext
from fieldkit.gui.cross_thread import QUEUED
from fieldkit.gui.dashboard import DashboardPage
from fieldkit.gui.detail import DetailPage
from fieldkit.gui.home import HomePage
from fieldkit.gui.login import LoginPage
from fieldkit.gui.review_page import ReviewPage
from fieldkit.gui.settings_page import SettingsPage
from fieldkit.gui.sync_controller import SyncController
from fieldkit.gui.widgets import big_button
from fieldkit.gui.wizard.citizen_step import citizen_as_text
from fieldkit.gui.wizard.draft import WizardDraft
from fieldkit.gui.wizard.wizard_page import WizardPage
from fieldkit.storage.retention import RetentionService


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        # Number fields write 10,5 in Vietnamese and 10.5 in English: widgets take the default when made.
        QLocale.setDefault(QLocale(QLocale.Language.Vietnamese if ctx.tr.lang == "vi" else QLocale.Language.English))
        super().__init__()
        self.ctx = ctx
        tr = ctx.tr
        self.setWindowTitle(tr("ui.app_title"))
        self.place = Place()
        self.login = LoginPage(ctx)
        self.home = HomePage(ctx)
        self.wizard = WizardPage(ctx)
        self.detail = DetailPage(ctx)
        self.settings = SettingsPage(ctx)
        self.review = ReviewPage(ctx)
        self.dashboard = DashboardPage(ctx)
        self.pages = QStackedWidget(self)
        for page in (self.login, self.home, self.wizard, self.detail, self.settings, self.review, self.dashboard):
            self.pages.addWidget(page)

        self.worker_label = QLabel(self)
        self.worker_label.setStyleSheet("font-weight: bold;")
        self.home_button = big_button(tr("ui.nav.home"), self)
        self.settings_button = big_button(tr("ui.nav.settings"), self)
        self.lock_button = big_button(tr("ui.nav.lock"), self)
        # The supervisor's screens; shown only to those whose role the services would let through anyway.
        self.review_button = big_button(tr("ui.nav.review"), self)
        self.dashboard_button = big_button(tr("ui.nav.dashboard"), self)
        self.review_button.clicked.connect(self.show_review)
        self.dashboard_button.clicked.connect(self.show_dashboard)
        self.home_button.clicked.connect(self.show_home)
        self.settings_button.clicked.connect(self.show_settings)
        self.lock_button.clicked.connect(self.lock)
        header = QHBoxLayout()
        title = QLabel(tr("ui.app_title"), self)
        title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        header.addWidget(title, 1)
        header.addWidget(self.worker_label)
        self._header_buttons = (
            self.home_button,
            self.review_button,
            self.dashboard_button,
            self.settings_button,
            self.lock_button,
        )
        for button in self._header_buttons:
            header.addWidget(button)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addLayout(header)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.resize(1280, 720)  # fits 1366×768 with the task bar

        self.home.new_dossier_requested.connect(self.new_dossier)
        self.home.dossier_opened.connect(self.open_dossier)
        self.wizard.closed.connect(self.show_home)
        self.wizard.finished.connect(lambda _uuid: self.home.refresh())
        self.detail.closed.connect(self.show_home)
        self.detail.changed.connect(self.home.refresh)
        self.detail.edit_requested.connect(self.edit_dossier)
        self.settings.closed.connect(self.show_home)
        self.settings.saved.connect(self._apply_settings)
        self.login.signed_in.connect(self._signed_in)
        self.sync = SyncController(ctx)
        self.home.attach_sync(self.sync)
        self.sync.problem.connect(self._sync_problem, QUEUED)  # sent from the sync thread
        self.settings.portal_login_done.connect(self.sync.send_now)
        self.review.changed.connect(self.sync.send_now)  # an approved dossier heads for the portal
        self.settings.saved.connect(lambda _values: self.sync.send_now())

        # Idle lock: any key or click counts as activity; a timer checks the session.
        self.activity = _ActivityWatcher(self._touch)
        QApplication.instance().installEventFilter(self.activity)
        self.idle_timer = QTimer(self, interval=15_000)
        self.idle_timer.timeout.connect(self.check_idle)

    def start(self) -> None:
        """Everything starts at the sign-in page: nothing of the citizens' is readable before it."""
        self._show_login()

    def _show_login(self) -> None:
        self._set_header_enabled(False)
        self.login.prepare()
        self.pages.setCurrentWidget(self.login)

    def _set_header_enabled(self, enabled: bool) -> None:
        for button in self._header_buttons:
            button.setEnabled(enabled)
        supervises = enabled and self.ctx.session is not None and allowed(self.ctx.actor, Permission.APPROVE)
        self.review_button.setVisible(supervises)
        self.dashboard_button.setVisible(supervises)

    def _signed_in(self, session) -> None:
        resumed = self.ctx.session is session
        self.ctx.session = session
        user = session.user
        self.worker_label.setText(
            self.ctx.tr("ui.header.worker", name=user.username, role=self.ctx.tr.msg(user.role.label))
        )
        self._set_header_enabled(True)
        self.idle_timer.start()
        if resumed and self._before_lock is not None and self._before_lock is not self.login:
            self.pages.setCurrentWidget(self._before_lock)  # back where the work was, nothing lost
        else:
            self.ctx.runner.db(lambda kit: kit.settings.all()).success(self._apply_settings).run()
            # Finished dossiers past the retention period lose their scans and personal fields (those this
            # user may purge: a field worker's own; a supervisor's, everyone's). Quietly, and audited.
            actor = user
            self.ctx.runner.db(lambda kit: RetentionService(kit, actor).purge()).success(self._purged).run()
            # Sending starts once someone has signed in, with its own connection to the kit.
            self.ctx.runner.db(lambda kit: kit.data_key).success(self.sync.start).run()
            self.show_home()

    _before_lock: QWidget | None = None

    def _purged(self, report) -> None:
        if report.purged:
            self.home.refresh()

    def lock(self) -> None:
        """Lock now (leaving the laptop, or handing it to the next worker): the password is needed again."""
        if self.ctx.session is None:
            return
        self.ctx.session.lock()
        self._before_lock = self.pages.currentWidget()
        self._show_login()

    def check_idle(self) -> None:
        session = self.ctx.session
        on_login = self.pages.currentWidget() is self.login
        if session is not None and not on_login and session.is_locked(self.ctx.clock.now()):
            self.lock()

    def _touch(self) -> None:
        if self.ctx.session is not None and self.pages.currentWidget() is not self.login:
            self.ctx.session.touch(self.ctx.clock.now())

    def show_home(self) -> None:
        self.pages.setCurrentWidget(self.home)
        self.home.refresh()

    def show_review(self) -> None:
        self.review.refresh()
        self.pages.setCurrentWidget(self.review)

    def show_dashboard(self) -> None:
        self.dashboard.refresh()
        self.pages.setCurrentWidget(self.dashboard)

    def show_settings(self) -> None:
        self.settings.load()
        self.pages.setCurrentWidget(self.settings)

    def new_dossier(self) -> None:
        self.wizard.start(WizardDraft(place=self.place))
        self.pages.setCurrentWidget(self.wizard)

    def open_dossier(self, uuid: str) -> None:
        self.detail.show_dossier(uuid)
        self.pages.setCurrentWidget(self.detail)

    def edit_dossier(self, uuid: str) -> None:
        """Open a saved draft in the wizard at its declaration, with everything it holds."""

        def load(kit):
            dossier = kit.dossiers.get(uuid)
            return dossier, kit.citizens.find_one(dossier.applicant_id)

        def show(loaded) -> None:
            dossier, citizen = loaded
            draft = WizardDraft(
                place=dossier.place,
                procedure_code=dossier.procedure_code,
                citizen_values=citizen_as_text(citizen) if citizen else {},
                applicant_id=dossier.applicant_id,
                declaration=dict(dossier.declaration),
                dossier_uuid=dossier.uuid,
            )
            self.wizard.start(draft)
            self.wizard._go(2)
            self.pages.setCurrentWidget(self.wizard)

        self.ctx.runner.db(load).success(show).run()

    def _apply_settings(self, values: dict) -> None:
        self.place = Place(PlaceKind(values["place_kind"]), values["village"])
        self.ctx.camera = values["camera"]

    @Slot(object)
    def _sync_problem(self, error: BaseException) -> None:
        """A login to renew, an address to fix: said on the home screen, where "Send now" is."""
        self.home.sync_note.setText(self.ctx.tr.describe(error))
        self.home.sync_note.show()

    def closeEvent(self, event) -> None:
        """Closing is safe at any moment, even mid-sync: the outbox stops at its next step (what was on the
        wire is resumed next time), queued database work finishes, the kit closes cleanly."""
        self.sync.stop()
        self.review.hub.stop()
        self.idle_timer.stop()
        QApplication.instance().removeEventFilter(self.activity)
        self.ctx.runner.shutdown()
        super().closeEvent(event)


class _ActivityWatcher(QObject):
    """Any key, click or scroll anywhere in the app counts as the worker still being there."""

    _ACTIVITY = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel)

    def __init__(self, touch) -> None:
        super().__init__()
        self._touch = touch

    def eventFilter(self, watched, event) -> bool:
        if event.type() in self._ACTIVITY:
            self._touch()
        return False
