"""`fieldkit login | sync | logout | dossier show` and `fieldkit portal-sandbox ...`, run as a user would."""

from __future__ import annotations

import io
import json
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from fieldkit.core.clock import SystemClock
from fieldkit.core.resources import resource_path
from tests.e2e.harness import PASSWORD, USER, free_port, open_kit, queue_dossiers


@pytest.fixture
def live(start_portal):
    """The CLI runs on the real clock, so the portal does too (tokens expire by the same time)."""
    return start_portal(clock=SystemClock())


def queue_in(data_dir: Path, count: int, seed: int = 1) -> list[str]:
    with open_kit(data_dir) as kit:
        return queue_dossiers(kit, count, lambda rng: 40_000, seed=seed)


def with_stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_login_sync_and_show_the_dossier_code(run_cli, live, memory_keyring, monkeypatch):
    uuids = queue_in(run_cli.data_dir, 2)
    with_stdin(monkeypatch, PASSWORD + "\n")
    code, out, err = run_cli("login", "--portal", live.url + "/", "--user", USER, "--password-stdin")
    assert code == 0, err
    assert USER in out and err == ""
    assert memory_keyring.entries  # kept in the keyring...
    assert run_cli("settings", "show", "--json")[1].count(live.url) == 1  # ...and the address in the settings

    code, out, err = run_cli("sync", "--json")
    assert code == 0, err
    events = json_lines(out)
    sent = [e for e in events if e["event"] == "sent"]
    assert [e["uuid"] for e in sent] == uuids
    assert events[-1]["event"] == "summary" and events[-1]["remaining"] == 0 and events[-1]["stopped"] is None
    code, out, _ = run_cli("dossier", "show", uuids[0], "--json")
    shown = json.loads(out)
    assert shown["portal_code"] == sent[0]["portal_code"] and shown["portal_status"] == 1
    code, out, _ = run_cli("dossier", "show", uuids[0])
    assert sent[0]["portal_code"] in out and "Mới đăng ký" in out

    portal_dir = str(live.store.data_dir)
    code, out, err = run_cli(
        "portal-sandbox",
        "set-status",
        sent[1]["portal_code"],
        "more-documents",
        "--note",
        "Thiếu bản án",
        "--data-dir",
        portal_dir,
    )
    assert code == 0, err
    code, out, _ = run_cli("sync")
    assert "Yêu cầu bổ sung giấy tờ: Thiếu bản án" in out
    code, out, _ = run_cli("dossier", "show", uuids[1])
    assert "Yêu cầu bổ sung giấy tờ: Thiếu bản án" in out and out.count("Thiếu bản án") == 1

    assert run_cli("logout")[0] == 0 and memory_keyring.entries == {}
    code, out, err = run_cli("sync")
    assert code == 2 and "fieldkit login" in err


def test_sync_says_when_the_portal_cannot_be_reached(run_cli, memory_keyring, monkeypatch):
    queue_in(run_cli.data_dir, 1)
    run_cli("settings", "set", "portal_url", f"http://127.0.0.1:{free_port()}")
    code, out, err = run_cli("sync", "--json")
    assert code == 1
    assert json_lines(out)[-1]["remaining"] == 1
    assert "1 hồ sơ vẫn nằm trong hàng chờ" in err


def test_a_box_without_keyring_asks_each_session(run_cli, live, monkeypatch):
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        queue_in(run_cli.data_dir, 1)
        with_stdin(monkeypatch, PASSWORD + "\n")
        code, out, err = run_cli("login", "--portal", live.url, "--user", USER, "--password-stdin")
        assert code == 0 and "kho khóa" in err
        code, out, err = run_cli("sync")
        assert code == 2 and "--user" in err
        with_stdin(monkeypatch, PASSWORD + "\n")
        code, out, err = run_cli("sync", "--user", USER, "--password-stdin", "--lang", "en")
        assert code == 0 and "Sent 1" in out
    finally:
        keyring.set_keyring(previous)


def test_a_wrong_password_is_one_clear_line(run_cli, live, memory_keyring, monkeypatch):
    with_stdin(monkeypatch, "not the password\n")
    code, _out, err = run_cli("login", "--portal", live.url, "--user", USER, "--password-stdin")
    assert code == 2 and len(err.strip().splitlines()) == 1 and USER in err
    assert memory_keyring.entries == {}


def test_the_trainer_adds_users_and_lists_what_the_portal_holds(run_cli, tmp_path, monkeypatch):
    folder = str(tmp_path / "sandbox")
    with_stdin(monkeypatch, "mat-khau-moi-1\n")
    assert run_cli("portal-sandbox", "add-user", "to-1", "--password-stdin", "--data-dir", folder)[0] == 0
    with_stdin(monkeypatch, "short\n")
    code, _, err = run_cli("portal-sandbox", "add-user", "to-2", "--password-stdin", "--data-dir", folder)
    assert code == 2 and "8" in err
    code, out, _ = run_cli("portal-sandbox", "list", "--data-dir", folder, "--json")
    assert code == 0 and out == ""
    code, _, err = run_cli("portal-sandbox", "set-status", "000.00.00.H99-261122-00001", "teapot", "--data-dir", folder)
    assert code == 2 and "more-documents" in err
    code, _, err = run_cli(
        "portal-sandbox", "set-status", "000.00.00.H99-261122-00001", "accepted", "--data-dir", folder
    )
    assert code == 2 and "000.00.00.H99-261122-00001" in err
    code, _, err = run_cli("portal-sandbox", "--faults", "teapot=1", "--data-dir", folder)
    assert code == 2 and "teapot" in err


def test_a_paused_login_says_how_long_to_wait(run_cli, live, memory_keyring, monkeypatch):
    for _ in range(5):
        with_stdin(monkeypatch, "đoán-sai\n")
        code, _, err = run_cli("login", "--portal", live.url, "--user", USER, "--password-stdin")
        assert code == 2 and USER in err  # "the portal did not accept this account with this password"
    with_stdin(monkeypatch, PASSWORD + "\n")
    code, _, err = run_cli("login", "--portal", live.url, "--user", USER, "--password-stdin")
    assert code != 0 and "quá nhiều lần" in err and "1 phút" in err
    assert not memory_keyring.entries


def test_the_kept_openapi_document_is_the_one_the_server_serves(run_cli, portal):
    import requests

    kept = json.loads(resource_path("openapi", "portal-sandbox.json").read_text(encoding="utf-8"))
    code, out, _ = run_cli("portal-sandbox", "openapi")
    assert code == 0 and json.loads(out) == kept
    served = requests.get(f"{portal.url}/openapi.json", timeout=5).json()
    assert served == kept, (
        "regenerate with: fieldkit portal-sandbox openapi --out resources/openapi/portal-sandbox.json"
    )


def test_the_kit_and_the_portal_passwords_from_one_script(run_cli, live, memory_keyring, monkeypatch):
    from tests.conftest import ADMIN, ADMIN_PASSWORD

    monkeypatch.delenv("FIELDKIT_PASSWORD_FILE")
    code, out, err = run_cli(
        "--user",
        ADMIN,
        "--password-stdin",
        "login",
        "--portal",
        live.url,
        "--user",
        USER,
        "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\n{PASSWORD}\n",
    )
    assert code == 0, err
    assert memory_keyring.entries and USER in out


def test_watch_sends_and_stops_on_ctrl_c(run_cli, live, memory_keyring, monkeypatch):
    import os
    import signal
    import threading

    uuids = queue_in(run_cli.data_dir, 2)
    run_cli("login", "--portal", live.url, "--user", USER, "--password-stdin", stdin=PASSWORD + "\n")
    # A shell starts a background job with Ctrl+C ignored, and Python then installs no handler for it: give the
    # test the handler an interactive run has, or the watch never hears the signal and the suite hangs.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Timer(3.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        code, out, err = run_cli("sync", "--watch", "--interval", "0.2", "--json")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert code == 0, err
    events = json_lines(out)
    assert events[0] == {"event": "online"}
    assert sorted(e["uuid"] for e in events if e["event"] == "sent") == sorted(uuids)
