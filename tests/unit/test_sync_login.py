"""Logins kept in the OS keyring (an in-memory backend registered through keyring's own API), renewed
before they expire, asked for again when they cannot be; a box with no keyring says so."""

from __future__ import annotations

from datetime import timedelta

import keyring
import keyring.backends.fail
import pytest

from fieldkit.sync.client import PortalClient
from fieldkit.sync.credentials import (
    SERVICE,
    KeyringCredentials,
    SessionCredentials,
    keyring_available,
    open_credentials,
)
from fieldkit.sync.errors import AuthRequired
from fieldkit.sync.session import PortalSession
from tests.e2e.harness import PASSWORD, USER


def test_the_login_lives_in_the_keyring_and_nowhere_else(kit, portal, memory_keyring):
    credentials = open_credentials()
    assert isinstance(credentials, KeyringCredentials) and credentials.persistent
    session = PortalSession(PortalClient(portal.url, clock=kit.clock), credentials, kit.clock)
    stored = session.login(USER, PASSWORD)
    [(service, account)] = memory_keyring.entries
    assert service == SERVICE and account == portal.url
    assert credentials.load(portal.url + "/") == stored  # the same portal, however the address was typed
    # Neither the token nor the username reach the kit's database or its log.
    dump = repr([kit.db.execute(f"SELECT * FROM [{table}]").fetchall() for table in kit.db.table_names()])
    assert stored.token not in dump and USER not in dump
    credentials.forget(portal.url)
    assert credentials.load(portal.url) is None
    credentials.forget(portal.url)  # forgetting twice is fine


def test_a_headless_box_keeps_the_login_for_this_session_only():
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        assert not keyring_available()
        credentials = open_credentials()
        assert isinstance(credentials, SessionCredentials) and not credentials.persistent
    finally:
        keyring.set_keyring(previous)


def test_a_token_about_to_expire_is_renewed(kit, clock, start_portal, memory_keyring):
    portal = start_portal(token_ttl=timedelta(minutes=30))
    credentials = KeyringCredentials()
    session = PortalSession(PortalClient(portal.url, clock=clock), credentials, clock)
    first = session.login(USER, PASSWORD)
    clock.advance(minutes=27)
    session.call(lambda token: session.client.changes(token, ""))
    renewed = credentials.load(portal.url)
    assert renewed.token != first.token and renewed.expires_at > first.expires_at


def test_an_expired_token_asks_for_the_password_or_stops(kit, clock, start_portal):
    portal = start_portal(token_ttl=timedelta(minutes=30))
    credentials = SessionCredentials()
    asked = []
    session = PortalSession(PortalClient(portal.url, clock=clock), credentials, clock)
    session.login(USER, PASSWORD)
    clock.advance(hours=1)
    with pytest.raises(AuthRequired):
        session.call(lambda token: session.client.changes(token, ""))
    session.ask_password = lambda user: asked.append(user) or PASSWORD
    assert session.call(lambda token: session.client.changes(token, "")).changes == ()
    assert asked == [USER]


def test_a_token_the_server_no_longer_knows_is_renewed_once(kit, clock, portal):
    credentials = SessionCredentials()
    session = PortalSession(PortalClient(portal.url, clock=clock), credentials, clock, lambda user: PASSWORD)
    stored = session.login(USER, PASSWORD)
    portal.store.add_user(USER, PASSWORD)  # a new password on the server ends the old sessions
    assert session.call(lambda token: session.client.changes(token, "")).cursor == "0"
    assert credentials.load(portal.url).token != stored.token


def test_no_login_at_all_asks_to_log_in(kit, portal):
    session = PortalSession(PortalClient(portal.url), SessionCredentials(), kit.clock)
    with pytest.raises(AuthRequired):
        session.call(lambda token: session.client.changes(token, ""))
    with pytest.raises(AuthRequired):
        session.login(USER, "wrong password")


@pytest.mark.parametrize("off", [timedelta(days=3), timedelta(hours=-9)])
def test_a_kit_whose_clock_is_off_keeps_its_login_as_long_as_the_portal_does(clock, start_portal, off):
    """A laptop three days ahead (a wrong date typed in) or nine hours behind (a flat clock battery, a wrong
    time zone): the token lasts as long as the portal says, counted on the kit's own clock."""
    from fieldkit.core.clock import FixedClock

    portal = start_portal(token_ttl=timedelta(minutes=30))  # on the portal's clock, `clock`
    laptop = FixedClock(clock.now() + off)
    credentials = SessionCredentials()
    asked: list[str] = []
    session = PortalSession(
        PortalClient(portal.url, clock=laptop), credentials, laptop, lambda user: asked.append(user) or PASSWORD
    )
    first = session.login(USER, PASSWORD)
    assert first.expires_at == laptop.now() + timedelta(minutes=30)
    for _ in range(3):
        session.call(lambda token: session.client.changes(token, ""))
    assert asked == [] and credentials.load(portal.url).token == first.token  # no login again on every call
    clock.advance(minutes=28)
    laptop.advance(minutes=28)
    session.call(lambda token: session.client.changes(token, ""))  # renewed before it runs out, as usual
    assert credentials.load(portal.url).token != first.token and asked == []
