"""The main window: a header with who is working, and the pages (queue, wizard, dossier, settings)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from fieldkit.core.dossier import Place, PlaceKind
from fieldkit.gui.context import AppContext
from fieldkit.gui.detail import DetailPage
from fieldkit.gui.home import HomePage
from fieldkit.gui.settings_page import SettingsPage
from fieldkit.gui.widgets import big_button
from fieldkit.gui.wizard.citizen_step import citizen_as_text
from fieldkit.gui.wizard.draft import WizardDraft
from fieldkit.gui.wizard.wizard_page import WizardPage


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        tr = ctx.tr
        self.setWindowTitle(tr("ui.app_title"))
        self.place = Place()
        self.home = HomePage(ctx)
        self.wizard = WizardPage(ctx)
        self.detail = DetailPage(ctx)
        self.settings = SettingsPage(ctx)
        self.pages = QStackedWidget(self)
        for page in (self.home, self.wizard, self.detail, self.settings):
            self.pages.addWidget(page)

        self.worker_label = QLabel(tr("ui.header.worker", name=ctx.actor), self)
        self.worker_label.setStyleSheet("font-weight: bold;")
        home_button = big_button(tr("ui.nav.home"), self)
        settings_button = big_button(tr("ui.nav.settings"), self)
        home_button.clicked.connect(self.show_home)
        settings_button.clicked.connect(self.show_settings)
        header = QHBoxLayout()
        title = QLabel(tr("ui.app_title"), self)
        title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        header.addWidget(title, 1)
        header.addWidget(self.worker_label)
        header.addWidget(home_button)
        header.addWidget(settings_button)

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

    def start(self) -> None:
        self.settings.load()
        self.ctx.runner.db(lambda kit: kit.settings.all()).success(self._apply_settings).run()
        self.show_home()

    def show_home(self) -> None:
        self.pages.setCurrentWidget(self.home)
        self.home.refresh()

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

    def closeEvent(self, event) -> None:
        """Closing is safe at any moment: queued database work finishes, the kit closes cleanly."""
        self.ctx.runner.shutdown()
        super().closeEvent(event)
