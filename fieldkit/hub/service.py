"""Putting the hub together: its server configuration, the collector that moves each dossier into the
supervisor's kit as it arrives, and forwarding (approved dossiers to the portal, the portal's answers back)."""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fieldkit.core.catalog import base_code
from fieldkit.core.clock import Clock
from fieldkit.core.intake import HUB_UNIT_CODE
from fieldkit.hub.collect import collect
from fieldkit.hub.relay import relay_statuses
from fieldkit.hub.store import Hub
from fieldkit.server.config import ServerConfig
from fieldkit.server.run import AppThread
from fieldkit.storage.kit import Kit
from fieldkit.storage.security import open_with_key
from fieldkit.sync.outbox import Outbox, SyncReport
from fieldkit.sync.service import run_locked

log = logging.getLogger(__name__)

# Kits log in with a password their kit keeps; a long token spares them the login on every sync.
KIT_TOKEN_TTL = timedelta(days=30)


def hub_config(kit: Kit, lang: str, **overrides) -> ServerConfig:
    """The sync server's configuration as a hub: procedures of the supervisor's catalog, the hub's unit code."""
    procedures = frozenset(filter(None, (base_code(p.code) for p in kit.catalog)))
    options = {
        "unit_code": HUB_UNIT_CODE,
        "title": "FieldKit hub",
        "token_ttl": KIT_TOKEN_TTL,
        "procedures": procedures,
        "lang": lang,
        "clock": kit.clock,
        **overrides,
    }
    return ServerConfig(**options)


class Collector:
    """A thread with its own connection to the supervisor's kit (a connection belongs to its thread), told of
    each revision the hub takes, moving it into the kit at once: the scans do not wait at the hub."""

    def __init__(self, data_dir: Path, data_key: bytes, hub: Hub, clock: Clock | None = None) -> None:
        self.data_dir, self.data_key, self.hub, self.clock = data_dir, data_key, hub, clock
        self._arrived: queue.Queue[tuple[str, int] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="hub-collector", daemon=True)
        self.collected = 0
        self._ready = threading.Event()

    def start(self) -> Collector:
        """Returns once the thread's connection is open (opening may bring the schema up to date)."""
        self._thread.start()
        self._ready.wait(timeout=30)
        return self

    def notify(self, uuid: str, revision: int) -> None:
        self._arrived.put((uuid, revision))

    def stop(self) -> None:
        self._arrived.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            kit = open_with_key(self.data_dir, self.data_key, self.clock)
        finally:
            self._ready.set()
        try:
            while (item := self._arrived.get()) is not None:
                wanted = {item}
                while not self._arrived.empty():
                    more = self._arrived.get()
                    if more is None:
                        self._arrived.put(None)  # stop after this batch
                        break
                    wanted.add(more)
                try:
                    self.collected += len(collect(kit, self.hub, "hub", only=wanted))
                except Exception as error:  # the dossier stays at the hub; the review queue collects it later
                    log.error("collecting failed: %s", type(error).__name__)
        finally:
            kit.close()


@dataclass(frozen=True)
class Forwarded:
    sync: SyncReport
    relayed: int


def forward(kit: Kit, outbox: Outbox, hub: Hub) -> Forwarded:
    """Send the approved dossiers to the portal (the supervisor's outbox: exactly once), then tell the team
    kits what the portal answered."""
    report = run_locked(kit, outbox)
    return Forwarded(report, relay_statuses(kit, hub))


class HubThread(AppThread):
    """The hub served on a background thread (the GUI, tests); `url` once `start()` returns."""

    name = "hub-server"


def office_address(port: int, scheme: str = "http") -> str:
    """The address team kits on the office network reach this machine at (its outgoing interface's)."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the interface
            address = probe.getsockname()[0]
    except OSError:
        address = "127.0.0.1"
    return f"{scheme}://{address}:{port}"
