"""Sending queued dossiers from the app: by itself when the portal becomes reachable, and on "Send now".

Sync runs on a thread of its own with its own connection to the (encrypted) kit, so the queue on screen
keeps refreshing while dossiers go out (SQLite's write-ahead log lets one writer and many readers share the
file). Progress is a plain value the screen reads on a timer; cancel is a flag. Closing the app mid-sync is
safe: the outbox stops at its next step, and whatever was on the wire is resumed by the next sync.
"""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, Signal

from fieldkit.core.errors import UserError
from fieldkit.core.workflow import LocalStatus
from fieldkit.gui.context import AppContext
from fieldkit.hub.enrol import use_hub_login
from fieldkit.storage.logfile import failure_summary
from fieldkit.storage.security import open_with_key
from fieldkit.sync.errors import NetworkError, ServerBusy, SyncBusy
from fieldkit.sync.outbox import Outbox, SyncProgress
from fieldkit.sync.service import chunk_sizes, portal_client, portal_url, run_locked
from fieldkit.sync.session import PortalSession

log = logging.getLogger(__name__)

# Probes between two status pulls when nothing is queued (with the default 30 s probe: every 5 minutes).
PULL_EVERY = 10


class SyncController(QObject):
    connectivity_changed = Signal(str)  # "checking", "online", "offline", "no_portal"
    sending_changed = Signal(bool)
    report_ready = Signal(object)  # SyncReport
    problem = Signal(object)  # an error the user must act on (login, certificate)
    clock_off = Signal(object)  # minutes the laptop's clock is off the portal's, or None when it is right

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.progress: SyncProgress | None = None  # read by the screen on a timer
        self.connectivity = "checking"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._not_before: float | None = None  # monotonic time before which the portal asked not to be sent to

    def start(self, data_key: bytes) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, args=(data_key,), name="fieldkit-sync", daemon=True)
        self._thread.start()

    def send_now(self) -> None:
        self._wake.set()

    def cancel(self) -> None:
        self._cancel.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._cancel.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # -- the sync thread -----------------------------------------------------------------------------------

    def _loop(self, data_key: bytes) -> None:
        kit = open_with_key(self.ctx.data_dir, data_key, self.ctx.clock)
        idle = PULL_EVERY  # the first time the portal answers, bring back statuses too
        try:
            while not self._stop.is_set():
                asked = self._wake.is_set()
                self._wake.clear()
                try:
                    idle = self._once(kit, asked, idle)
                except UserError as error:  # the user must act: log in again, fix the address
                    self.problem.emit(error)
                except Exception as error:  # a failure of the kit: logged, said, and tried again later
                    log.error("sync failed: %s", failure_summary(error))
                    self.problem.emit(error)
                self._wake.wait(kit.settings.get("sync_watch_seconds"))
        finally:
            kit.close()

    def _once(self, kit, asked: bool, idle: int) -> int:
        if not kit.settings.get("portal_url"):
            self._set_connectivity("no_portal")
            return idle
        client = portal_client(kit, portal_url(kit))
        try:
            health = client.health()  # the connectivity probe
        except NetworkError:
            self._set_connectivity("offline")
            return idle + 1
        self._set_connectivity("online")
        self.clock_off.emit(health.clock_off_minutes(kit.clock.now()))
        pending = bool(kit.dossiers.list(status=LocalStatus.QUEUED))
        waiting = self._not_before is not None and time.monotonic() < self._not_before  # the portal asked
        if not (asked or (pending and not waiting) or idle >= PULL_EVERY):
            return idle + 1
        self._cancel.clear()
        session = PortalSession(client, self.ctx.credentials, kit.clock)
        use_hub_login(kit, session, client.base_url)  # a team kit sending to its supervisor's hub
        first, largest = chunk_sizes(kit, health.max_chunk_bytes)
        outbox = Outbox(
            kit,
            session,
            actor=self.ctx.actor.username,
            tr=self.ctx.tr,
            chunk_size=first,
            max_chunk=largest,
            progress=self._track,
            cancel=self._cancel,
        )
        self.sending_changed.emit(True)
        try:
            report = run_locked(kit, outbox)
        except SyncBusy:  # a `fieldkit sync` in a terminal is already on it
            return 0
        finally:
            self.progress = None
            self.sending_changed.emit(False)
        self.report_ready.emit(report)
        if isinstance(report.stopped, UserError):
            self.problem.emit(report.stopped)
        # A portal that said when to come back (busy, or its disk full) is not tried again before then, unless
        # the user presses Send now.
        wait = report.stopped.retry_after if isinstance(report.stopped, ServerBusy) else None
        self._not_before = time.monotonic() + wait if wait else None
        return 0

    def _track(self, progress: SyncProgress) -> None:
        self.progress = progress

    def _set_connectivity(self, state: str) -> None:
        if state != self.connectivity:
            self.connectivity = state
            self.connectivity_changed.emit(state)
