"""The command line signs in before it opens the kit: init, passwords from stdin or an owner-only file,
user management, audit, purge, consent — and a log that never names the people served."""

from __future__ import annotations

import io
import json
import os

import pytest

from fieldkit.core.workflow import LocalStatus, PortalStatus
from fieldkit.storage.dossier_service import DossierService
from fieldkit.storage.keys import MIN_MEMORY_KIB, MIN_TIME_COST
from fieldkit.storage.security import unlock_kit
from tests.conftest import ADMIN, ADMIN_PASSWORD, TEST_KDF, make_pdf, write_password_file

QR = "001090012345|123456789|Nguyễn Văn An|01021990|Nam|Số 5, ngõ 12, phường Trúc Bạch, Hà Nội|15082021"


@pytest.fixture
def bare_cli(run_cli, tmp_path, monkeypatch):
    """`run_cli` with no credentials in the environment and an empty data directory."""
    monkeypatch.delenv("FIELDKIT_USER")
    monkeypatch.delenv("FIELDKIT_PASSWORD_FILE")
    monkeypatch.setenv("FIELDKIT_DATA_DIR", str(tmp_path / "new-kit"))
    run_cli.data_dir = tmp_path / "new-kit"
    return run_cli


def test_a_new_data_directory_asks_for_init_and_init_makes_an_encrypted_kit(bare_cli):
    code, _, err = bare_cli("dossier", "list")
    assert code == 2 and "fieldkit init --admin" in err
    code, out, err = bare_cli("init", "--admin", "Chu.Tich", "--password-stdin", stdin="mat-khau-quan-tri\n")
    assert code == 0 and "chu.tich" in out and "mất vĩnh viễn" in err  # losing every password loses the data
    stored = json.loads((bare_cli.data_dir / "accounts.json").read_text(encoding="utf-8"))
    kdf = stored["users"]["chu.tich"]["kdf"]
    assert kdf["type"] == "argon2id" and kdf["measured_seconds"]  # measured on this machine when made
    assert kdf["time_cost"] >= MIN_TIME_COST and kdf["memory_kib"] >= MIN_MEMORY_KIB
    assert (bare_cli.data_dir / "fieldkit.db").read_bytes()[:16] != b"SQLite format 3\x00"
    code, _, err = bare_cli("init", "--admin", "khac", "--password-stdin", stdin="mat-khau-khac-1\n")
    assert code == 2 and "Đã có bộ dữ liệu" in err
    code, out, _ = bare_cli("dossier", "list", "--user", "chu.tich", "--password-stdin", stdin="mat-khau-quan-tri\n")
    assert code == 0


def test_commands_that_open_the_kit_need_a_password_but_the_catalog_does_not(run_cli, monkeypatch):
    monkeypatch.delenv("FIELDKIT_PASSWORD_FILE")
    code, _, err = run_cli("dossier", "list")
    assert code == 2 and "--password-stdin" in err
    code, out, _ = run_cli("catalog", "list")
    assert code == 0 and "1.004873" in out
    assert run_cli("catalog", "show", "1.004873")[0] == 0
    code, _, err = run_cli("dossier", "list", "--password-stdin", stdin="sai-mat-khau\n")
    assert code == 2 and err.strip() == "Sai tên tài khoản hoặc mật khẩu. Không mở được dữ liệu."
    code, _, err = run_cli("dossier", "list", "--password-stdin", "--lang", "en", stdin="wrong-password\n")
    assert code == 2 and err.strip() == "Wrong account name or password. Nothing was opened."
    assert "Traceback" not in err and "hmac" not in err.lower()  # nothing from SQLCipher on the terminal
    assert run_cli("dossier", "list", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")[0] == 0


@pytest.mark.skipif(os.name != "posix", reason="file modes are a POSIX notion; Windows uses ACLs")
def test_a_password_file_others_can_read_is_refused(run_cli, tmp_path, monkeypatch):
    loose = write_password_file(tmp_path / "loose")
    loose.chmod(0o640)
    monkeypatch.setenv("FIELDKIT_PASSWORD_FILE", str(loose))
    code, _, err = run_cli("dossier", "list")
    assert code == 2 and "chmod 600" in err
    loose.chmod(0o600)
    assert run_cli("dossier", "list")[0] == 0


def test_users_are_managed_from_the_command_line(run_cli):
    code, out, _ = run_cli(
        "user",
        "add",
        "lan",
        "--role",
        "field_worker",
        "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\nmat-khau-cua-lan\n",
    )
    assert code == 0 and "lan" in out
    code, out, _ = run_cli("user", "list", "--json")
    assert [json.loads(line)["name"] for line in out.splitlines()] == ["lan", ADMIN]
    as_lan = ("--user", "lan", "--password-stdin")
    assert run_cli("dossier", "list", *as_lan, stdin="mat-khau-cua-lan\n")[0] == 0
    code, _, err = run_cli("user", "add", "minh", *as_lan, stdin="mat-khau-cua-lan\nmat-khau-minh-1\n")
    assert code == 2 and "không được phép" in err
    code, _, err = run_cli("audit", "show", *as_lan, stdin="mat-khau-cua-lan\n")
    assert code == 2 and "nhật ký" in err
    code, _, _ = run_cli("user", "passwd", *as_lan, stdin="mat-khau-cua-lan\nmat-khau-moi-cua-lan\n")
    assert code == 0
    assert run_cli("user", "role", "lan", "supervisor")[0] == 0
    assert run_cli("user", "disable", "lan")[0] == 0
    code, _, err = run_cli("dossier", "list", *as_lan, stdin="mat-khau-moi-cua-lan\n")
    assert code == 2 and "đã bị khóa" in err
    code, out, _ = run_cli("audit", "show", "--json", "--limit", "100")
    actions = [json.loads(line)["action"] for line in out.splitlines()]
    assert {"login", "user_added", "password_changed", "role_changed", "user_disabled"} <= set(actions)


def test_audit_verify_names_the_tampered_entry(run_cli):
    code, out, _ = run_cli("audit", "verify")
    assert code == 0 and "nguyên vẹn" in out
    kit, _ = unlock_kit(run_cli.data_dir, ADMIN, ADMIN_PASSWORD)
    with kit:
        kit.db.execute("UPDATE audit SET actor = 'ke-gian' WHERE id = 2")
    code, out, _ = run_cli("audit", "verify", "--lang", "en")
    assert code == 1 and "Entry #2 was edited." in out
    code, out, _ = run_cli("audit", "verify", "--json")
    report = json.loads(out)
    assert not report["intact"] and report["breaks"] == [{"entry": 2, "kind": "edited"}]


def test_consent_purge_and_a_log_that_never_names_anyone(run_cli, tmp_path):
    """A full run, failures included; then the log file is searched for the people in it."""
    assert run_cli("citizen", "add", "--qr-payload", QR)[0] == 0
    assert (
        run_cli(
            "citizen",
            "add",
            "--id-number",
            "001190012345",
            "--full-name",
            "Lê Thị Bích Ngọc",
            "--date-of-birth",
            "01/02/1990",
            "--sex",
            "Nam",
        )[0]
        == 2
    )  # sex disagrees with the ID
    pdf = tmp_path / "tờ khai.pdf"
    pdf.write_bytes(make_pdf(1))
    broken = tmp_path / "Nguyễn Văn An - CCCD.pdf"
    broken.write_bytes("%PDF-1.7 Nguyễn Văn An 001090012345".encode())
    assert (
        run_cli("dossier", "new", "--procedure", "1.004873", "--citizen", "001090012345", "--doc", f"TOKHAI={broken}")[
            0
        ]
        == 2
    )
    code, out, _ = run_cli(
        "dossier",
        "new",
        "--procedure",
        "1.004873",
        "--citizen",
        "001090012345",
        "--field",
        "marital_status=chua_ket_hon",
        "--field",
        "purpose=Kết hôn với Lê Thị Bích Ngọc",
        "--doc",
        f"TOKHAI={pdf}",
        "--json",
    )
    uuid = json.loads(out)["uuid"]
    code, _, err = run_cli("consent", "record", uuid, stdin="")
    assert code == 2 and "--agreed" in err  # silence is not consent
    code, out, _ = run_cli("consent", "show", uuid, "--lang", "en")
    assert "Consent not recorded" in out and "marital" in out.lower()
    assert run_cli("consent", "record", uuid, "--agreed", "--text-lang", "en")[0] == 0
    assert run_cli("dossier", "queue", uuid)[0] == 0
    assert run_cli("dossier", "show", uuid)[0] == 0

    kit, session = unlock_kit(run_cli.data_dir, ADMIN, ADMIN_PASSWORD)
    with kit:  # the portal returns the result (what sync records)
        dossier = kit.dossiers.get(uuid)
        sending, e1 = dossier.moved(LocalStatus.SENDING, "sync", kit.clock.now())
        sent, e2 = sending.accepted_by_portal("H14-261122-00001", "sync", kit.clock.now())
        done, e3 = sent.with_portal_status(PortalStatus.RESULT_RETURNED, "", "sync", kit.clock.now())
        kit.dossiers.save(done, [e1, e2, e3])
        kit.settings.set("retention_days", "0")
        assert DossierService(kit, session.user).get(uuid).status is LocalStatus.SENT
    code, out, _ = run_cli("purge", "--dry-run", "--json")
    assert code == 0 and json.loads(out)["uuid"] == uuid and not json.loads(out)["purged"]
    assert run_cli("dossier", "show", uuid)[0] == 0  # the dry run erased nothing
    code, out, _ = run_cli("purge")
    assert code == 0 and uuid in out
    assert run_cli("dossier", "show", uuid)[0] == 2
    assert run_cli("citizen", "show", "001090012345")[0] == 2
    run_cli("--data-dir", str(tmp_path / "a-file" / "x"), "dossier", "list")

    log = (run_cli.data_dir / "logs" / "fieldkit.log").read_bytes()
    assert log  # failures were logged...
    for personal in (
        "Nguyễn Văn An",
        "Nguyen Van An",
        "001090012345",
        "001190012345",
        "Lê Thị Bích Ngọc",
        "Trúc Bạch",
        "0912345678",
        "123456789",
    ):
        assert personal.encode() not in log, personal  # ...without naming anyone


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_first_run_creates_the_administrator_and_later_runs_ask(bare_cli, monkeypatch):
    answers = iter(["quan.tri", "quan.tri"])
    secrets = iter(["mat-khau-dau-tien", "mat-khau-dau-tien", "mat-khau-dau-tien"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(secrets))
    monkeypatch.setattr("sys.stdin", _Terminal())
    monkeypatch.setattr("fieldkit.storage.security.calibrate", lambda: TEST_KDF)  # the measured cost is tested above
    code, out, err = bare_cli("dossier", "list")
    assert code == 0 and "quan.tri" in out and "mất vĩnh viễn" in err
    code, out, _ = bare_cli("dossier", "list")  # asks for the account and the password this time
    assert code == 0 and next(answers, None) is None and next(secrets, None) is None
