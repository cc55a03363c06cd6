"""Sync runs by itself when the connection returns: a real portal appears on a port nobody answered."""

from __future__ import annotations

import threading

from fieldkit.core.workflow import LocalStatus
from fieldkit.server.run import ServerThread
from fieldkit.sync.backoff import RetryPolicy
from fieldkit.sync.client import PortalClient
from fieldkit.sync.credentials import SessionCredentials
from fieldkit.sync.outbox import Outbox
from fieldkit.sync.service import run_locked
from fieldkit.sync.session import PortalSession
from fieldkit.sync.watch import Watcher, reachable
from tests.e2e.harness import PASSWORD, USER, LivePortal, free_port, queue_dossiers


def test_queued_dossiers_go_when_the_portal_becomes_reachable(kit, clock, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    uuids = queue_dossiers(kit, 2, lambda rng: 40_000, seed=3)
    client = PortalClient(url, timeout=(0.5, 2), clock=clock)
    session = PortalSession(client, SessionCredentials(), clock, ask_password=lambda user: PASSWORD)
    box = Outbox(kit, session, actor="tester", policy=RetryPolicy(base=0.01, cap=0.02, attempts=3))
    assert not reachable(client)

    stop = threading.Event()
    reports, transitions = [], []

    def after_report(report):
        reports.append(report)
        if report.sent:
            stop.set()

    watcher = Watcher(
        lambda: reachable(client),
        lambda: run_locked(kit, box),
        lambda: bool(kit.dossiers.list(status=LocalStatus.QUEUED)),
        interval=0.05,
        stop=stop,
        on_report=after_report,
        on_online=transitions.append,
    )
    portal = LivePortal(tmp_path / "portal", clock)
    session.credentials.save(url, _expired_login(clock))  # the login kept from last time has run out

    reports_while_offline = []

    def connection_returns():
        reports_while_offline.append(len(reports))
        portal.thread = ServerThread(portal.store, portal.config, port=port).start()

    # The kit's database belongs to this thread, so the watcher runs here; the network comes back meanwhile.
    threading.Timer(0.4, connection_returns).start()
    give_up = threading.Timer(30, stop.set)
    give_up.start()
    try:
        watcher.run()
    finally:
        give_up.cancel()
        portal.stop()
    assert reports_while_offline == [0]  # offline all that time: nothing tried, nothing lost
    assert transitions == [True]
    assert sorted(s.uuid for s in reports[-1].sent) == sorted(uuids)
    assert {d.uuid for d in kit.dossiers.list(status=LocalStatus.SENT)} == set(uuids)


def _expired_login(clock):
    from datetime import timedelta

    from fieldkit.sync.credentials import StoredLogin

    return StoredLogin(USER, "an-old-token", clock.now() - timedelta(minutes=1))
