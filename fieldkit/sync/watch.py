"""Sync by itself when the connection returns: probe the server's health, and run the outbox when it comes
back, when something is queued, and now and then to bring back status changes."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from fieldkit.core.errors import UserError
from fieldkit.sync.client import PortalClient
from fieldkit.sync.errors import NetworkError
from fieldkit.sync.outbox import SyncReport

log = logging.getLogger(__name__)


def reachable(client: PortalClient) -> bool:
    """The connectivity probe: True when the sync server answers its health check.

    Only network trouble means "offline"; a certificate that is not trusted or an address that is not a
    portal raises, because waiting will not fix them.
    """
    try:
        client.health()
    except NetworkError:
        return False
    return True


class Watcher:
    def __init__(
        self,
        probe: Callable[[], bool],
        sync: Callable[[], SyncReport],
        has_pending: Callable[[], bool],
        *,
        interval: float,
        stop: threading.Event,
        pull_every: int = 10,
        on_report: Callable[[SyncReport], None] | None = None,
        on_online: Callable[[bool], None] | None = None,
    ) -> None:
        self.probe = probe
        self.sync = sync
        self.has_pending = has_pending
        self.interval = interval
        self.stop = stop
        self.pull_every = pull_every  # probes between two status pulls when nothing is queued
        self.on_report = on_report or (lambda report: None)
        self.on_online = on_online or (lambda online: None)

    def run(self) -> None:
        """Until `stop` is set. A problem the user must fix (login, certificate) ends the watch by raising."""
        was_online, idle = False, 0
        while not self.stop.is_set():
            online = self.probe()
            if online != was_online:
                log.info("portal %s", "reachable" if online else "unreachable")
                self.on_online(online)
            if online and (not was_online or idle >= self.pull_every or self.has_pending()):
                report = self.sync()
                self.on_report(report)
                idle = 0
                if isinstance(report.stopped, UserError):
                    raise report.stopped
            elif online:
                idle += 1
            was_online = online
            self.stop.wait(self.interval)
