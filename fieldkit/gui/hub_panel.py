"""The supervisor's hub, run from the app: team kits on the office network send to this laptop, which
collects their dossiers into the review queue. Shows the address, the one-time pairing code and its QR code
(a team kit scans or types it once), and this kit's fingerprint to compare on screen."""

from __future__ import annotations

import socket

import segno
from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from fieldkit.gui.context import AppContext
from fieldkit.gui.widgets import big_button
from fieldkit.hub.collect import collect
from fieldkit.hub.pairing import shown
from fieldkit.hub.server import create_hub_app, offer_pairing
from fieldkit.hub.service import Collector, HubThread, hub_config, office_address
from fieldkit.hub.store import open_hub
from fieldkit.storage.identity import kit_identity

HUB_PORT = 8766


class HubPanel(QGroupBox):
    collected = Signal()

    def __init__(self, ctx: AppContext, parent=None) -> None:
        super().__init__(ctx.tr("ui.hub.title"), parent)
        self.ctx = ctx
        tr = ctx.tr
        self.state = QLabel(tr("ui.hub.off"), self)
        self.state.setWordWrap(True)
        self.code = QLabel(self)
        self.code.setStyleSheet("font-size: 20pt; font-weight: bold;")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.qr = QLabel(self)
        self.toggle = big_button(tr("ui.hub.start"), self, primary=True)
        self.new_code = big_button(tr("ui.hub.new_code"), self)
        self.toggle.clicked.connect(self._toggle)
        self.new_code.clicked.connect(self.offer)
        self.new_code.hide()
        layout = QVBoxLayout(self)
        for widget in (self.state, self.code, self.qr, self.new_code, self.toggle):
            layout.addWidget(widget)
        self.hub = None
        self.thread: HubThread | None = None
        self.collector: Collector | None = None
        self.identity = None
        self.url = ""
        self.host, self.port = "0.0.0.0", HUB_PORT

    @property
    def running(self) -> bool:
        return self.thread is not None

    def _toggle(self) -> None:
        self.stop() if self.running else self.start()

    def start(self) -> None:
        """Open the hub's stores (encrypted under the kit's key), sweep in what arrived while it was off, serve."""
        tr, actor = self.ctx.tr, self.ctx.actor
        label = f"{actor.username}@{socket.gethostname()}"[:80]
        host, port = self.host, self.port

        def open_everything(kit):
            hub = open_hub(kit)
            collect(kit, hub, actor.username)  # what arrived while the hub was not running
            identity = kit_identity(kit).public(label)
            collector = Collector(kit.data_dir, kit.data_key, hub, kit.clock).start()
            hub.store.on_revision = collector.notify
            thread = HubThread(create_hub_app(hub, hub_config(kit, tr.lang), identity), host, port).start()
            return hub, identity, collector, thread

        self.ctx.runner.db(open_everything).success(self._started).run()

    def _started(self, opened) -> None:
        self.hub, self.identity, self.collector, self.thread = opened
        self.url = office_address(self.thread.port) if self.host in ("0.0.0.0", "") else self.thread.url
        self.state.setText(self.ctx.tr("ui.hub.on", url=self.url, fingerprint=self.identity.fingerprint))
        self.toggle.setText(self.ctx.tr("ui.hub.stop"))
        self.new_code.show()
        self.offer()
        self.collected.emit()

    def offer(self) -> None:
        """A new one-time pairing code (the previous one stops working) and its QR code."""
        hub, identity, url, now = self.hub, self.identity, self.url, self.ctx.clock.now()
        self.ctx.runner.background(lambda: offer_pairing(hub, identity, url, now)).success(self._show_offer).run()

    def _show_offer(self, offer) -> None:
        self.offer_shown = offer
        self.code.setText(shown(offer.code))
        png = segno.make(offer.qr_payload(), error="m").png_data_uri(scale=5)
        data = QByteArray.fromBase64(png.split(",", 1)[1].encode())
        self.qr.setPixmap(QPixmap.fromImage(QImage.fromData(data)))

    def stop(self) -> None:
        if self.thread is not None:
            self.thread.stop()
            self.collector.stop()
            self.hub.close()
        self.thread = self.collector = self.hub = None
        self.state.setText(self.ctx.tr("ui.hub.off"))
        self.toggle.setText(self.ctx.tr("ui.hub.start"))
        self.code.clear()
        self.qr.clear()
        self.new_code.hide()
