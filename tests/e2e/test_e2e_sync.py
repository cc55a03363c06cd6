"""End to end: the training portal in a child process, the kit's real command line in another, a link
that cuts and drops (requests, and answers on their way back), a server that fails on purpose, a kit killed
with SIGKILL mid-sync, and a portal killed and restarted mid-sync."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from fieldkit.core.resources import resource_path
from fieldkit.core.workflow import LocalStatus
from fieldkit.sync.backoff import RetryPolicy
from fieldkit.sync.client import PortalClient
from fieldkit.sync.credentials import SessionCredentials
from fieldkit.sync.outbox import DEFAULT_LANES, Outbox
from fieldkit.sync.session import PortalSession
from tests.e2e.harness import (
    PASSWORD,
    REPO,
    USER,
    FaultProxy,
    SandboxProcess,
    child_env,
    kit_password_file,
    new_kit,
    open_kit,
    queue_dossiers,
)

CHUNK_KB = 64


def kit_env(kit_dir: Path, keyring_file: Path) -> dict[str, str]:
    """A child `fieldkit` signed in to the kit (as its administrator) with FileKeyring as the OS keyring."""
    return child_env(keyring_file, kit_password_file(kit_dir.parent / "secrets"))


def fieldkit(kit_dir: Path, keyring_file: Path, *args: str, stdin: str = "", timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-m", "fieldkit", "--data-dir", str(kit_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=kit_env(kit_dir, keyring_file),
        timeout=timeout,
    )


def make_kit(kit_dir: Path, count: int, seed: int, sizes=(20_000, 300_000)) -> list[str]:
    with new_kit(kit_dir) as kit:
        kit.settings.set("sync_chunk_kb", CHUNK_KB)
        kit.settings.set("sync_chunk_max_kb", CHUNK_KB)  # one piece size, so the counts checked are exact
        return queue_dossiers(kit, count, lambda rng: rng.randint(*sizes), seed=seed)


def patient_outbox(kit, url: str, *, timeout: tuple[float, float], policy: RetryPolicy) -> Outbox:
    """The kit's outbox in this process, with pieces of one size (the counts checked are exact), asking the test
    account's password whenever the portal wants it again."""
    client = PortalClient(url, timeout=timeout, clock=kit.clock)
    session = PortalSession(client, SessionCredentials(), kit.clock, ask_password=lambda user: PASSWORD)
    chunk = CHUNK_KB * 1024
    return Outbox(kit, session, actor="tester", chunk_size=chunk, max_chunk=chunk, policy=policy, rng=random.Random(1))


def check_delivered_once(sandbox: SandboxProcess, kit_dir: Path, uuids: list[str], resent: int = 0) -> list[dict]:
    """The portal holds each dossier once with every file intact; the kit agrees and nothing is stuck. `resent`:
    chunks a file may have had to send again beyond those cut off (a portal that stopped mid-file)."""
    listing = sandbox.listing(verify=True)
    assert sorted(item["uuid"] for item in listing) == sorted(uuids)
    assert len({item["MaHoSo"] for item in listing}) == len(uuids)
    by_uuid = {item["uuid"]: item for item in listing}
    with open_kit(kit_dir) as kit:
        assert kit.dossiers.list(status=LocalStatus.SENDING) == []
        for uuid in uuids:
            dossier = kit.dossiers.get(uuid)
            assert dossier.status is LocalStatus.SENT, (uuid, dossier.status)
            held = by_uuid[uuid]
            assert dossier.portal_code == held["MaHoSo"] and held["revision"] == dossier.revision
            assert [(f["sha256"], f["size"]) for f in held["files"]] == [(d.sha256, d.size) for d in dossier.documents]
    for item in listing:
        for file in item["files"]:
            assert file["verified"], file
            assert file["duplicate_bytes"] <= resent * CHUNK_KB * 1024  # no byte written twice, unless resent
            # Each interruption wastes at most the one chunk that was in flight.
            wasted = (file["interrupted_chunks"] + resent) * CHUNK_KB * 1024
            assert file["bytes_seen"] <= file["size"] + wasted, file
    return listing


def test_login_and_sync_through_the_command_line(tmp_path):
    kit_dir, keys = tmp_path / "kit", tmp_path / "keyring.json"
    uuids = make_kit(kit_dir, 4, seed=1)
    with SandboxProcess(tmp_path / "portal") as sandbox:
        served = requests.get(f"{sandbox.url}/openapi.json", timeout=5).json()
        kept = json.loads(resource_path("openapi", "portal-sandbox.json").read_text(encoding="utf-8"))
        assert served == kept

        login = fieldkit(
            kit_dir, keys, "login", "--portal", sandbox.url, "--user", USER, "--password-stdin", stdin=PASSWORD + "\n"
        )
        assert login.returncode == 0, login.stderr
        assert PASSWORD not in keys.read_text() and USER in keys.read_text()
        sync = fieldkit(kit_dir, keys, "sync", "--once", "--json")
        assert sync.returncode == 0, sync.stderr
        events = [json.loads(line) for line in sync.stdout.splitlines()]
        assert [e["uuid"] for e in events if e["event"] == "sent"] == uuids
        listing = check_delivered_once(sandbox, kit_dir, uuids)

        trainer = fieldkit(
            kit_dir,
            keys,
            "portal-sandbox",
            "set-status",
            listing[0]["MaHoSo"],
            "accepted",
            "--data-dir",
            str(sandbox.data_dir),
        )
        assert trainer.returncode == 0, trainer.stderr
        again = fieldkit(kit_dir, keys, "sync", "--json")
        statuses = [json.loads(line) for line in again.stdout.splitlines() if '"status"' in line]
        assert [(s["uuid"], s["portal_status"]) for s in statuses] == [(listing[0]["uuid"], 2)]
        shown = fieldkit(kit_dir, keys, "dossier", "show", listing[0]["uuid"], "--lang", "en")
        assert listing[0]["MaHoSo"] in shown.stdout and "Accepted" in shown.stdout


def test_a_server_answering_garbage_loses_nothing(tmp_path):
    from tests.unit.test_sync_client import RawServer, http

    kit_dir, keys = tmp_path / "kit", tmp_path / "keyring.json"
    make_kit(kit_dir, 2, seed=2)
    wifi = RawServer(lambda request: http("200 OK", b"<html><form>Wi-Fi login</form></html>"))
    try:
        sync = fieldkit(kit_dir, keys, "sync", "--portal", wifi.url, "--json")
    finally:
        wifi.close()
    assert sync.returncode == 1
    summary = json.loads(sync.stdout.splitlines()[-1])
    assert summary["remaining"] == 2 and summary["stopped_code"] == "error.sync.bad_response"
    assert "Wi-Fi" in sync.stderr and "Traceback" not in sync.stderr


@pytest.mark.slow
def test_through_a_link_that_cuts_and_drops_to_a_server_that_fails(tmp_path):
    kit_dir = tmp_path / "kit"
    uuids = make_kit(kit_dir, 12, seed=3)
    faults = "500=0.03,503=0.03,429=0.03,garbage=0.01,huge=0.01,retry_after=1,seed=5"
    with (
        SandboxProcess(tmp_path / "portal", "--faults", faults) as sandbox,
        FaultProxy(
            sandbox.port, seed=7, cut_rate=0.01, drop_rate=0.02, delay=0.002, max_drops=3, answer_cut_rate=0.05
        ) as proxy,
    ):
        with open_kit(kit_dir) as kit:
            outbox = patient_outbox(
                kit, proxy.url, timeout=(2, 1.5), policy=RetryPolicy(base=0.05, cap=0.5, attempts=40)
            )
            from fieldkit.sync.credentials import StoredLogin

            # Start logged out: the first call logs in (through the faults), as after an expiry.
            outbox.session.credentials.save(proxy.url, StoredLogin(USER, "expired", kit.clock.now()))
            report = outbox.run()
            assert report.complete, report.stopped
        assert proxy.cuts > 0 and proxy.drops > 0 and proxy.answer_cuts > 0  # the link really misbehaved
        check_delivered_once(sandbox, kit_dir, uuids)


@pytest.mark.slow
def test_a_kit_killed_at_random_points_resumes_and_sends_each_dossier_once(tmp_path):
    kit_dir, keys = tmp_path / "kit", tmp_path / "keyring.json"
    uuids = make_kit(kit_dir, 16, seed=4, sizes=(100_000, 500_000))
    rng = random.Random(11)
    # A slow link (a few ms per block) spreads the sync over many seconds, so the kills land everywhere:
    # between chunks, mid-chunk, between a dossier's files, while it is posted, while its answer is saved.
    with SandboxProcess(tmp_path / "portal") as sandbox, FaultProxy(sandbox.port, seed=3, delay=0.024) as link:
        login = fieldkit(
            kit_dir, keys, "login", "--portal", link.url, "--user", USER, "--password-stdin", stdin=PASSWORD + "\n"
        )
        assert login.returncode == 0, login.stderr
        kills = 0
        for _ in range(10):
            child = subprocess.Popen(
                [sys.executable, "-m", "fieldkit", "--data-dir", str(kit_dir), "sync", "--once"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=REPO,
                env=kit_env(kit_dir, keys),
            )
            time.sleep(rng.uniform(0.8, 2.0))
            if child.poll() is not None:
                break  # finished before the kill
            child.kill()  # SIGKILL: no clean-up runs
            child.wait()
            kills += 1
            with open_kit(kit_dir) as kit:
                # At most the dossiers on the wire (and the one ready next) are left sending; the next run puts
                # them back in the queue.
                assert len(kit.dossiers.list(status=LocalStatus.SENDING)) <= DEFAULT_LANES + 1
        assert kills >= 3  # the sync really was killed, again and again, before it could finish
        final = fieldkit(kit_dir, keys, "sync", "--once", "--json")
        assert final.returncode == 0, final.stderr
        assert json.loads(final.stdout.splitlines()[-1])["remaining"] == 0
        check_delivered_once(sandbox, kit_dir, uuids)


@pytest.mark.slow
def test_a_portal_killed_mid_sync_and_restarted_holds_every_dossier_once(tmp_path):
    """The server side of a power cut: the portal is SIGKILLed at random moments of a sync (mid-chunk, between
    a file's last byte and its record, while it files a dossier) and started again on the same data. The kit
    keeps retrying; in the end every dossier is held once, with every file intact."""
    kit_dir = tmp_path / "kit"
    uuids = make_kit(kit_dir, 14, seed=6, sizes=(100_000, 400_000))
    rng = random.Random(23)
    sandbox = SandboxProcess(tmp_path / "portal").start()
    try:
        with FaultProxy(sandbox.port, seed=9, delay=0.03) as link:  # slow enough for the kills to land mid-sync
            outcome: dict[str, object] = {}

            def sync() -> None:
                with open_kit(kit_dir) as kit:
                    outbox = patient_outbox(
                        kit, link.url, timeout=(2, 2), policy=RetryPolicy(base=0.05, cap=0.4, attempts=400)
                    )
                    outbox.session.login(USER, PASSWORD)
                    outcome["report"] = outbox.run()

            worker = threading.Thread(target=sync)
            worker.start()
            kills = 0
            for _ in range(4):
                time.sleep(rng.uniform(0.4, 1.2))
                if not worker.is_alive():
                    break
                sandbox.process.kill()  # SIGKILL: nothing of the portal's own clean-up runs
                sandbox.process.wait()
                kills += 1
                sandbox.start()  # the same port and data directory, as after a restart
            worker.join(300)
            assert not worker.is_alive()
            report = outcome["report"]
            assert report.complete, report.stopped
            assert kills >= 2  # the portal really went down mid-sync
        check_delivered_once(sandbox, kit_dir, uuids, resent=1)
    finally:
        sandbox.stop()
