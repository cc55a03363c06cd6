"""Settings: the place of work, camera, language, file size limit; about this kit."""

from __future__ import annotations

import socket

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fieldkit import __version__
from fieldkit.gui.context import AppContext
from fieldkit.gui.widgets import big_button
from fieldkit.hub.enrol import enrol_with_hub, set_destination
from fieldkit.hub.pairing import QR_SCHEME, read_qr_payload
from fieldkit.sync.service import portal_client, portal_url
from fieldkit.sync.session import PortalSession

PLACE_KINDS = ("home_visit", "help_desk", "office")


CAMERAS = (
    ("auto", "ui.settings.camera.auto"),
    ("demo", "ui.settings.camera.demo"),
    ("camera:0", "ui.settings.camera.first"),
    ("camera:1", "ui.settings.camera.second"),
)


class SettingsPage(QWidget):
    closed = Signal()
    saved = Signal(dict)
    portal_login_done = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        tr = ctx.tr
        self.place_kind = QComboBox(self)
        for kind in PLACE_KINDS:
            self.place_kind.addItem(tr(f"ui.place.{kind}"), kind)
        self.village = QLineEdit(self)
        self.camera = QComboBox(self)
        self.camera.setEditable(True)
        for spec, key in CAMERAS:  # by name; a video file can still be typed in (video:PATH)
            self.camera.addItem(tr(key), spec)
        self.language = QComboBox(self)
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.portal_url = QLineEdit(self)
        self.portal_url.setPlaceholderText("https://dichvucong.example.gov.vn")
        self.ca_bundle = QLineEdit(self)
        self.ca_bundle.setPlaceholderText(tr("ui.settings.ca_bundle_hint"))
        self.portal_user = QLineEdit(self)
        self.portal_password = QLineEdit(self)
        self.portal_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.portal_login_button = big_button(tr("ui.settings.portal_login"), self)
        self.portal_login_button.clicked.connect(self.portal_login)
        self.portal_state = QLabel(self)
        self.portal_state.setWordWrap(True)
        # A team kit pairs once with its supervisor's hub, then chooses where its dossiers go.
        self.hub_address = QLineEdit(self)
        self.hub_address.setPlaceholderText("http://192.168.1.10:8766")
        self.hub_code = QLineEdit(self)
        self.hub_code.setPlaceholderText(tr("ui.settings.hub_code_hint"))
        self.hub_pair_button = big_button(tr("ui.settings.hub_pair"), self)
        self.hub_pair_button.clicked.connect(self.pair_with_hub)
        self.destination = QComboBox(self)
        self.destination.addItem(tr("ui.settings.destination.portal"), "portal")
        self.destination.addItem(tr("ui.settings.destination.hub"), "hub")
        self.destination_button = big_button(tr("ui.settings.destination.apply"), self)
        self.destination_button.clicked.connect(self.apply_destination)
        self.hub_state = QLabel(self)
        self.hub_state.setWordWrap(True)
        self.lock_after = QSpinBox(self)
        self.lock_after.setRange(1, 240)
        self.lock_after.setSuffix(tr("ui.settings.minutes"))
        self.retention_days = QSpinBox(self)
        self.retention_days.setRange(1, 3650)
        self.max_file_mb = QDoubleSpinBox(self)
        self.max_file_mb.setRange(0.5, 200)
        self.max_file_mb.setSuffix(" MB")
        form = QFormLayout()
        form.addRow(tr("setting.place_kind"), self.place_kind)
        form.addRow(tr("setting.village"), self.village)
        form.addRow(tr("setting.camera"), self.camera)
        form.addRow(tr("setting.language"), self.language)
        form.addRow(tr("setting.max_file_mb"), self.max_file_mb)
        form.addRow(tr("setting.lock_after_minutes"), self.lock_after)
        form.addRow(tr("setting.retention_days"), self.retention_days)
        form.addRow(tr("setting.portal_url"), self.portal_url)
        form.addRow(tr("setting.ca_bundle"), self.ca_bundle)
        form.addRow(tr("ui.settings.portal_user"), self.portal_user)
        form.addRow(tr("ui.login.password"), self.portal_password)
        form.addRow("", self.portal_login_button)
        form.addRow("", self.portal_state)
        form.addRow(tr("ui.settings.hub_address"), self.hub_address)
        form.addRow(tr("ui.settings.hub_code"), self.hub_code)
        form.addRow("", self.hub_pair_button)
        form.addRow(tr("ui.settings.destination"), self.destination)
        form.addRow("", self.destination_button)
        form.addRow("", self.hub_state)
        for widget in (
            self.place_kind,
            self.village,
            self.camera,
            self.language,
            self.max_file_mb,
            self.lock_after,
            self.retention_days,
            self.portal_url,
            self.ca_bundle,
            self.portal_user,
            self.portal_password,
        ):
            widget.setMinimumHeight(32)
        self.about = QLabel(tr("ui.settings.about", version=__version__, data_dir=str(ctx.data_dir)), self)
        self.about.setWordWrap(True)
        save = big_button(tr("ui.settings.save"), self, primary=True)
        back = big_button(tr("ui.detail.back"), self)
        save.clicked.connect(self.save)
        back.clicked.connect(self.closed)
        host = QWidget(self)
        host.setLayout(form)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(host)  # fits a 1366×768 screen however many settings there are
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.about)
        layout.addWidget(save)
        layout.addWidget(back)

    def load(self) -> None:
        self.ctx.runner.db(lambda kit: kit.settings.all()).success(self._show).run()

    def _show(self, values: dict) -> None:
        self.place_kind.setCurrentIndex(max(0, self.place_kind.findData(values["place_kind"])))
        self.village.setText(values["village"])
        known = self.camera.findData(values["camera"])
        if known >= 0:
            self.camera.setCurrentIndex(known)
        else:
            self.camera.setCurrentText(values["camera"])
        self.language.setCurrentIndex(max(0, self.language.findData(values["language"])))
        self.max_file_mb.setValue(float(values["max_file_mb"]))
        self.lock_after.setValue(int(values["lock_after_minutes"]))
        self.retention_days.setValue(int(values["retention_days"]))
        self.portal_url.setText(values["portal_url"])
        self.ca_bundle.setText(values["ca_bundle"])

    def values(self) -> dict:
        return {
            "place_kind": self.place_kind.currentData(),
            "village": self.village.text(),
            "camera": self._camera_spec(),
            "language": self.language.currentData(),
            "max_file_mb": self.max_file_mb.value(),
            "lock_after_minutes": self.lock_after.value(),
            "retention_days": self.retention_days.value(),
            "portal_url": self.portal_url.text().strip(),
            "ca_bundle": self.ca_bundle.text().strip(),
        }

    def _camera_spec(self) -> str:
        """The chosen camera's spec: a listed one by its name, else what was typed."""
        text = self.camera.currentText().strip()
        listed = self.camera.findText(text)
        return self.camera.itemData(listed) if listed >= 0 else (text or "auto")

    def save(self) -> None:
        values = self.values()

        def store(kit):
            for name, value in values.items():
                kit.settings.set(name, value)
            return kit.settings.all()

        self.ctx.runner.db(store).success(self._saved).run()

    def portal_login(self) -> None:
        """Sign in to the portal (the address is saved first); the login is kept in the OS keyring."""
        user, password = self.portal_user.text().strip(), self.portal_password.text()
        if not user or not password:
            self.portal_state.setText(self.ctx.tr("ui.login.fill_both"))
            return
        url = self.portal_url.text().strip()
        credentials, clock = self.ctx.credentials, self.ctx.clock

        def client_for(kit):
            kit.settings.set("portal_url", url)
            kit.settings.set("ca_bundle", self.ca_bundle.text().strip())
            return portal_client(kit, portal_url(kit))

        def logged_in(_stored) -> None:
            self.portal_password.clear()
            self.portal_state.setText(self.ctx.tr("ui.settings.portal_logged_in", user=user))
            self.portal_login_done.emit()

        def failed(error: BaseException) -> None:
            self.portal_password.clear()
            self.portal_state.setText(self.ctx.tr.describe(error))

        def log_in(client) -> None:
            self.ctx.runner.background(lambda: PortalSession(client, credentials, clock).login(user, password)).success(
                logged_in
            ).failure(failed).run()

        self.portal_state.setText(self.ctx.tr("ui.login.checking"))
        self.ctx.runner.db(client_for).success(log_in).failure(failed).run()

    def pair_with_hub(self) -> None:
        """Pair with the supervisor's hub using the code on its screen (or the text of its QR code)."""
        text, address = self.hub_code.text().strip(), self.hub_address.text().strip()
        actor, label = self.ctx.actor.username, f"{self.ctx.actor.username}@{socket.gethostname()}"[:80]

        def pair(kit):
            if text.startswith(f"{QR_SCHEME}:"):
                offer = read_qr_payload(text)
                link = enrol_with_hub(kit, actor, offer.url, offer.code, label, fingerprint=offer.fingerprint)
            else:
                link = enrol_with_hub(kit, actor, address, text, label)
            set_destination(kit, actor, "hub")
            return link

        def paired(link) -> None:
            self.hub_code.clear()
            self.hub_state.setText(self.ctx.tr("ui.settings.hub_paired", url=link.url))
            self.destination.setCurrentIndex(self.destination.findData("hub"))
            self.load()
            self.portal_login_done.emit()  # start sending there

        self.ctx.runner.db(pair).success(paired).failure(self._hub_failed).run()

    def apply_destination(self) -> None:
        where, actor, portal = self.destination.currentData(), self.ctx.actor.username, self.portal_url.text().strip()

        def choose(kit):
            return set_destination(kit, actor, where, portal if where == "portal" else "")

        def chosen(url: str) -> None:
            self.hub_state.setText(self.ctx.tr("ui.settings.destination.set", url=url))
            self.load()
            self.portal_login_done.emit()

        self.ctx.runner.db(choose).success(chosen).failure(self._hub_failed).run()

    def _hub_failed(self, error: BaseException) -> None:
        self.hub_state.setText(self.ctx.tr.describe(error))

    def _saved(self, values: dict) -> None:
        self.ctx.dialogs.info(self, self.ctx.tr("ui.settings.saved"))
        self.saved.emit(values)
