"""The queue on screen follows a real sync to the training portal on 127.0.0.1."""

from __future__ import annotations

from fieldkit.core.workflow import LocalStatus
from fieldkit.gui.main_window import MainWindow
from fieldkit.sync.credentials import SessionCredentials
from tests.e2e.harness import PASSWORD, USER, logged_in, queue_dossiers
from tests.gui.conftest import opened, sign_in


def test_send_now_delivers_the_queue_and_the_screen_follows(qtbot, make_ctx, start_portal):
    portal = start_portal()
    ctx = make_ctx()
    ctx.credentials = SessionCredentials()  # this process's memory, as on a box without a keyring
    with opened(ctx) as kit:
        uuids = queue_dossiers(kit, 3, lambda rng: 40_000)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.start()
    sign_in(window)
    home = window.home
    assert home.model.rowCount() == 3 and "Chờ gửi: 3" in home.counts.text()
    qtbot.waitUntil(lambda: "Chưa cài địa chỉ cổng" in home.connectivity.text(), timeout=10_000)
    assert not home.send_button.isEnabled()

    settings = window.settings
    window.show_settings()
    settings.portal_url.setText(portal.url)
    settings.portal_user.setText(USER)
    settings.portal_password.setText(PASSWORD)
    settings.portal_login()
    assert USER in settings.portal_state.text(), settings.portal_state.text()
    window.show_home()

    qtbot.waitUntil(lambda: "Có mạng" in home.connectivity.text(), timeout=15_000)
    assert home.clock_note.isHidden()  # the laptop's clock agrees with the portal's
    statuses = lambda: {home.model.summary(row).status for row in range(home.model.rowCount())}  # noqa: E731
    qtbot.waitUntil(lambda: statuses() == {LocalStatus.SENT}, timeout=30_000)
    assert "Chờ gửi: 0" in home.counts.text()
    qtbot.waitUntil(lambda: "Đã gửi 3" in home.sync_note.text(), timeout=5_000)
    with opened(ctx) as kit:
        codes = {kit.dossiers.get(uuid).portal_code for uuid in uuids}
    assert len(codes) == 3 and all(codes)
    assert len(portal.store.dossiers()) == 3  # each exactly once
    window.close()  # stops the sync thread cleanly


def test_an_unreachable_portal_is_said_and_nothing_is_lost(qtbot, make_ctx):
    ctx = make_ctx()
    ctx.credentials = SessionCredentials()
    with opened(ctx) as kit:
        queue_dossiers(kit, 1, lambda rng: 20_000)
        kit.settings.set("portal_url", "http://127.0.0.1:9")  # nothing listens there
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.start()
    sign_in(window)
    qtbot.waitUntil(lambda: "Không có mạng" in window.home.connectivity.text(), timeout=15_000)
    assert not window.home.send_button.isEnabled()
    assert window.home.model.summary(0).status is LocalStatus.QUEUED
    window.close()


def test_a_laptop_clock_hours_off_the_portals_is_pointed_out(qtbot, make_ctx, start_portal, clock):
    from datetime import timedelta

    from fieldkit.core.clock import FixedClock

    portal = start_portal(clock=FixedClock(clock.now() - timedelta(hours=2)))  # the laptop is two hours ahead
    ctx = make_ctx()
    ctx.credentials = SessionCredentials()
    with opened(ctx) as kit:
        kit.settings.set("portal_url", portal.url)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.start()
    sign_in(window)
    home = window.home
    qtbot.waitUntil(lambda: not home.clock_note.isHidden(), timeout=15_000)
    assert "lệch 120 phút" in home.clock_note.text() and "chỉnh lại giờ" in home.clock_note.text()
    window.close()


def test_a_full_portal_is_left_alone_until_it_said_or_the_user_asks(qtbot, make_ctx, start_portal):
    from pathlib import Path

    import pytest

    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full, a device that is always full")
    portal = start_portal()
    ctx = make_ctx()
    ctx.credentials = SessionCredentials()
    with opened(ctx) as kit:
        [uuid] = queue_dossiers(kit, 1, lambda rng: 30_000)
        sha256 = kit.dossiers.get(uuid).documents[0].sha256
        kit.settings.set("sync_watch_seconds", 5)  # the shortest round the setting allows
        kit.settings.set("portal_url", portal.url)
        logged_in(kit, portal.url, credentials=ctx.credentials)
    full = portal.store.blobs.root / "partial" / sha256
    full.symlink_to("/dev/full")  # the portal's disk is full for this file: a real ENOSPC
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.start()
    sign_in(window)
    home = window.home
    qtbot.waitUntil(lambda: "hết chỗ lưu trữ" in home.sync_note.text(), timeout=15_000)
    full.unlink()  # space is freed, but the portal asked for ten minutes
    qtbot.wait(6000)  # a round of the background loop
    assert home.model.summary(0).status is LocalStatus.QUEUED and portal.store.dossiers() == []
    window.sync.send_now()  # the user asks: it goes now
    qtbot.waitUntil(lambda: home.model.summary(0).status is LocalStatus.SENT, timeout=15_000)
    window.close()
