"""Accounts, keys and sessions: argon2id-wrapped data keys, re-wrapping on a password change, disabling,
the growing wait after wrong passwords (kept across restarts), the idle lock."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from fieldkit.core.accounts import FREE_ATTEMPTS, wait_after
from fieldkit.core.errors import UserError
from fieldkit.core.roles import Actor, PermissionDenied, Role
from fieldkit.core.session import Session
from fieldkit.storage.accounts import AccountDisabled, Accounts, AuthFailed, TooManyAttempts
from fieldkit.storage.audit import AuditLog
from fieldkit.storage.keys import MIN_MEMORY_KIB, MIN_TIME_COST, KdfParams, calibrate, unwrap_key, wrap_key
from fieldkit.storage.security import resume, unlock_kit
from fieldkit.storage.users import UserService
from tests.conftest import ADMIN, ADMIN_PASSWORD, NOW, make_kit, make_pdf


@pytest.fixture
def admin_kit(tmp_path, clock):
    kit, session = make_kit(tmp_path / "kit", clock)
    yield kit, session
    kit.close()


def actions(kit) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.reason) for e in AuditLog(kit.db).all()]


def test_each_user_holds_the_same_data_key_under_their_own_password(admin_kit, tmp_path, clock):
    kit, session = admin_kit
    UserService(kit, session.user).add("lan", Role.FIELD_WORKER, "mat-khau-cua-lan")
    data_key = kit.data_key
    kit.close()
    opened, lan = unlock_kit(tmp_path / "kit", "lan", "mat-khau-cua-lan", clock=clock)
    with opened:
        assert opened.data_key == data_key and lan.user == Actor("lan", Role.FIELD_WORKER)
    stored = json.loads((tmp_path / "kit" / "accounts.json").read_text(encoding="utf-8"))
    assert stored["users"]["lan"]["wrapped_data_key"] != stored["users"][ADMIN]["wrapped_data_key"]
    assert data_key.hex() not in json.dumps(stored)


def test_changing_a_password_rewraps_and_re_encrypts_nothing(admin_kit, tmp_path, clock):
    kit, session = admin_kit
    scan = make_pdf(1)
    digest = kit.vault.put(scan)
    kit.close()
    before = {p: p.read_bytes() for p in (tmp_path / "kit").rglob("*") if p.is_file() and "accounts" not in p.name}
    kit, session = unlock_kit(tmp_path / "kit", ADMIN, ADMIN_PASSWORD, clock=clock)
    UserService(kit, session.user).set_password(ADMIN, "mat-khau-moi-123")
    kit.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    vault_after = {p: p.read_bytes() for p in (tmp_path / "kit" / "vault").rglob("*") if p.is_file()}
    assert vault_after == {p: b for p, b in before.items() if "vault" in p.parts} and len(vault_after) == 1
    assert kit.vault.get(digest) == scan
    kit.close()
    with pytest.raises(AuthFailed):
        unlock_kit(tmp_path / "kit", ADMIN, ADMIN_PASSWORD, clock=clock)
    kit, _ = unlock_kit(tmp_path / "kit", ADMIN, "mat-khau-moi-123", clock=clock)
    with kit:
        assert ("tester", "password_changed", "user=tester") in actions(kit)


def test_a_disabled_account_opens_nothing_even_with_its_password(admin_kit, tmp_path, clock):
    kit, session = admin_kit
    users = UserService(kit, session.user)
    users.add("minh", Role.SUPERVISOR, "mat-khau-cua-minh")
    users.disable("minh")
    stored = json.loads((tmp_path / "kit" / "accounts.json").read_text(encoding="utf-8"))
    assert stored["users"]["minh"]["wrapped_data_key"] is None  # the key copy is gone, not only a flag
    with pytest.raises(AccountDisabled):
        unlock_kit(tmp_path / "kit", "minh", "mat-khau-cua-minh", clock=clock)
    users.set_password("minh", "mat-khau-moi-cua-minh")  # an administrator re-enables with a new password
    unlock_kit(tmp_path / "kit", "minh", "mat-khau-moi-cua-minh", clock=clock)[0].close()
    with pytest.raises(UserError) as caught:
        users.disable(ADMIN)
    assert caught.value.message.key == "error.user.last_admin"


def test_only_administrators_manage_accounts_but_anyone_changes_their_own_password(admin_kit, tmp_path, clock):
    kit, session = admin_kit
    UserService(kit, session.user).add("lan", Role.FIELD_WORKER, "mat-khau-cua-lan")
    lan = UserService(kit, Actor("lan", Role.FIELD_WORKER))
    for attempt in (
        lambda: lan.add("x", Role.ADMIN, "12345678"),
        lambda: lan.set_role("lan", Role.ADMIN),
        lambda: lan.disable(ADMIN),
        lambda: lan.set_password(ADMIN, "chiem-quyen-123"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    lan.set_password("lan", "mat-khau-moi-cua-lan")
    UserService(kit, session.user).set_role("lan", Role.SUPERVISOR)
    assert ("tester", "role_changed", "user=lan field_worker->supervisor") in actions(kit)


def test_names_and_passwords_are_checked(admin_kit):
    kit, session = admin_kit
    users = UserService(kit, session.user)
    for name, password, key in (
        ("Nguyễn An", "12345678", "error.user.bad_name"),
        ("an", "ngan", "error.user.short_password"),
        (ADMIN, "12345678", "error.user.exists"),
    ):
        with pytest.raises(UserError) as caught:
            users.add(name, Role.FIELD_WORKER, password)
        assert caught.value.message.key == key
    assert users.add("  Lan.Nguyen ", Role.FIELD_WORKER, "12345678").username == "lan.nguyen"


def test_wrong_passwords_make_the_next_tries_wait_even_after_a_restart(admin_kit, tmp_path, clock):
    kit, _ = admin_kit
    kit.close()
    data_dir = tmp_path / "kit"
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(AuthFailed):
            unlock_kit(data_dir, ADMIN, "sai-mat-khau", clock=clock)
    with pytest.raises(AuthFailed):
        unlock_kit(data_dir, ADMIN, "sai-mat-khau", clock=clock)
    # A new process reads the count from the file: even the right password must wait now.
    assert Accounts.load(data_dir).get(ADMIN).failures == FREE_ATTEMPTS + 1
    with pytest.raises(TooManyAttempts) as caught:
        unlock_kit(data_dir, ADMIN, ADMIN_PASSWORD, clock=clock)
    assert caught.value.message.params["seconds"] == wait_after(FREE_ATTEMPTS + 1).total_seconds() + 1
    clock.advance(seconds=2)
    with pytest.raises(AuthFailed):
        unlock_kit(data_dir, ADMIN, "sai-lan-nua", clock=clock)
    clock.advance(seconds=4)
    kit, _ = unlock_kit(data_dir, ADMIN, ADMIN_PASSWORD, clock=clock)
    with kit:
        assert (ADMIN, "login_failed", "attempts=5") in actions(kit)
    assert Accounts.load(data_dir).get(ADMIN).failures == 0


def test_the_wait_doubles_and_has_a_ceiling():
    waits = [wait_after(n).total_seconds() for n in range(1, 20)]
    assert waits[:FREE_ATTEMPTS] == [0] * FREE_ATTEMPTS
    assert waits[FREE_ATTEMPTS : FREE_ATTEMPTS + 3] == [2, 4, 8]
    assert max(waits) == 15 * 60 and waits == sorted(waits)


def test_a_wrapped_key_is_bound_to_its_user():
    kek, key = b"k" * 32, b"d" * 32
    wrapped = wrap_key(kek, key, b"kit\nlan")
    assert unwrap_key(kek, wrapped, b"kit\nlan") == key
    assert unwrap_key(kek, wrapped, b"kit\nminh") is None
    assert unwrap_key(b"x" * 32, wrapped, b"kit\nlan") is None
    assert unwrap_key(kek, wrapped[:-1], b"kit\nlan") is None


def test_calibration_never_goes_below_the_floors():
    params = calibrate(target_seconds=0.0)
    assert params.time_cost >= MIN_TIME_COST and params.memory_kib >= MIN_MEMORY_KIB
    assert params.measured_seconds is not None
    assert KdfParams.from_json(params.to_json()) == params


def test_a_session_locks_after_idle_time_and_a_password_unlocks_it(admin_kit, clock):
    kit, session = admin_kit
    assert session.idle_limit == timedelta(minutes=10)
    clock.advance(minutes=9)
    session.touch(clock.now())
    clock.advance(minutes=9)
    assert not session.is_locked(clock.now())
    clock.advance(minutes=1)
    assert session.is_locked(clock.now())
    session.touch(clock.now())  # activity after the lock does not unlock
    assert session.is_locked(clock.now())
    with pytest.raises(AuthFailed):
        resume(kit, session, ADMIN, "sai-mat-khau")
    assert session.is_locked(clock.now())
    resume(kit, session, ADMIN, ADMIN_PASSWORD)
    assert not session.is_locked(clock.now())
    UserService(kit, session.user).add("lan", Role.FIELD_WORKER, "mat-khau-cua-lan")
    session.lock()
    resume(kit, session, "lan", "mat-khau-cua-lan")  # another worker takes over the shared laptop
    assert session.user == Actor("lan", Role.FIELD_WORKER)
    assert [a for _, a, _ in actions(kit)][-3:] == ["unlock", "user_added", "user_switched"]


def test_the_idle_time_is_a_setting(tmp_path, clock):
    kit, _ = make_kit(tmp_path / "kit", clock)
    kit.settings.set("lock_after_minutes", "3")
    kit.close()
    kit, session = unlock_kit(tmp_path / "kit", ADMIN, ADMIN_PASSWORD, clock=clock)
    with kit:
        assert session.idle_limit == timedelta(minutes=3)
    assert Session(Actor("x"), NOW, timedelta(minutes=1)).is_locked(NOW + timedelta(minutes=1))
