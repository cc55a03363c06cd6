"""The issue's proof, end to end through the command line: three team kits and the supervisor's hub on
127.0.0.1, the hub and the training portal in child processes. Two kits send over the network, one by USB
bundle; the supervisor reviews, approves some, returns one, forwards to the portal; every count in the report
matches the portal; tampered bundles are refused; a bundle for another supervisor cannot be read."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from fieldkit.core.workflow import LocalStatus, PortalStatus
from fieldkit.storage.security import unlock_kit
from tests.conftest import write_password_file
from tests.e2e.harness import PASSWORD, REPO, USER, SandboxProcess, child_env, free_port, wait_healthy
from tests.e2e.hub_harness import (
    MEMBER_PASSWORD,
    SUPERVISOR,
    SUPERVISOR_PASSWORD,
    member_kit,
    queue_for,
    supervisor_kit,
)


class Kit:
    """One kit's folder, its account and its stand-in OS keyring, driven through `fieldkit` child processes."""

    def __init__(self, root: Path, name: str, user: str, password: str) -> None:
        self.dir = root / name
        self.user, self.password = user, password
        secrets = root / f"{name}-secrets"
        secrets.mkdir(parents=True, exist_ok=True)
        self.env = child_env(
            secrets / "keyring.json",
            None,
            FIELDKIT_USER=user,
            FIELDKIT_PASSWORD_FILE=str(write_password_file(secrets / "password", password)),
        )

    def run(self, *args: str, stdin: str = "", ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "fieldkit", "--data-dir", str(self.dir), *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=REPO,
            env=self.env,
            timeout=120,
        )
        if ok:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    def json(self, *args: str) -> list[dict]:
        return [json.loads(line) for line in self.run(*args, "--json").stdout.splitlines() if line.strip()]

    def opened(self):
        return unlock_kit(self.dir, self.user, self.password)[0]


def flip(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x20
    return bytes(changed)


@pytest.mark.slow
def test_three_kits_a_hub_and_the_portal(tmp_path):
    sup = Kit(tmp_path, "supervisor", SUPERVISOR, SUPERVISOR_PASSWORD)
    supervisor_kit(sup.dir).close()
    kits = {name: Kit(tmp_path, name, name, MEMBER_PASSWORD) for name in ("lan", "minh", "hoa")}
    queued = {}
    for index, (name, kit) in enumerate(kits.items()):
        with member_kit(kit.dir, name) as opened:
            queued[name] = queue_for(opened, name, 2, village=f"Thôn {index + 1}", start=10 * index)

    port = free_port()
    hub_url = f"http://127.0.0.1:{port}"
    with SandboxProcess(tmp_path / "portal") as portal:
        server = subprocess.Popen(
            [sys.executable, "-m", "fieldkit", "--data-dir", str(sup.dir), "hub", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--url", hub_url, "--no-pair"],
            stdout=(tmp_path / "hub-output.txt").open("wb"),
            stderr=subprocess.STDOUT,
            cwd=REPO,
            env=sup.env,
        )  # fmt: skip
        try:
            wait_healthy(hub_url, process=server)

            # Two kits enrol with a one-time code each and send over the network, exactly as to a portal.
            for name in ("lan", "minh"):
                [offer] = sup.json("hub", "pair", "--url", hub_url)
                kits[name].run("hub", "enrol", "--qr-payload", offer["qr_payload"], "--name", f"Máy {name}")
                sent = kits[name].json("sync", "--once")
                assert sorted(e["uuid"] for e in sent if e["event"] == "sent") == sorted(queued[name])

            # The third never sees the network: public-key files both ways, then a USB bundle.
            kits["hoa"].run("hub", "identity", "-o", str(tmp_path / "hoa.json"), "--name", "Máy hoa")
            sup.run("hub", "add-kit", str(tmp_path / "hoa.json"))
            sup.run("hub", "identity", "-o", str(tmp_path / "hub.json"))
            kits["hoa"].run("hub", "trust", str(tmp_path / "hub.json"))
            bundle = tmp_path / "hoa-usb.fkb"
            kits["hoa"].run("bundle", "export", "-o", str(bundle))
            [first] = sup.json("bundle", "import", str(bundle))
            [second] = sup.json("bundle", "import", str(bundle))
            assert sorted(first["new"]) == sorted(queued["hoa"]) and second["new"] == [] and second["already"] == 2

            # Tampered in any part, cut short, or for another supervisor: refused, nothing merged.
            data = bundle.read_bytes()
            header_end = 13 + int.from_bytes(data[9:13], "big")
            tampered = {
                "header": flip(data, 15),
                "key_material": flip(data, data.index(b'"ephemeral":"') + 16),
                "nonce": flip(data, data.index(b'"nonce":"') + 10),
                "ciphertext": flip(data, header_end + 100),
                "signature": flip(data, len(data) - 10),
                "truncated": data[: len(data) // 2],
            }
            for part, content in tampered.items():
                path = tmp_path / f"tampered-{part}.fkb"
                path.write_bytes(content)
                refused = sup.run("bundle", "import", str(path), ok=False)
                assert refused.returncode == 2 and "Traceback" not in refused.stderr, (part, refused.stderr)
            other = Kit(tmp_path, "other-supervisor", SUPERVISOR, SUPERVISOR_PASSWORD)
            supervisor_kit(other.dir).close()
            not_ours = other.run("bundle", "import", str(bundle), "--lang", "en", ok=False)
            assert not_ours.returncode == 2 and "another supervisor" in not_ours.stderr

            # Review: approve four, return one with a note, leave one waiting.
            pending = sup.json("review", "list")
            assert len(pending) == 6 and {p["assisted_by"] for p in pending} == set(kits)
            approve = [queued["lan"][0], queued["minh"][0], queued["minh"][1], queued["hoa"][0]]
            sup.run("review", "approve", *approve)
            sup.run("review", "return", queued["lan"][1], "--note", "Thiếu bản sao giấy khai sinh")

            # Forward to the training portal through the supervisor's outbox.
            sup.run("login", "--portal", portal.url, "--user", USER, "--password-stdin", stdin=PASSWORD + "\n")
            forwarded = sup.json("hub", "forward")
            assert sorted(e["uuid"] for e in forwarded if e["event"] == "sent") == sorted(approve)
            listing = portal.listing(verify=True)
            assert sorted(item["uuid"] for item in listing) == sorted(approve)
            assert all(f["verified"] for item in listing for f in item["files"])
            accepted = next(item for item in listing if item["uuid"] == approve[0])
            sup.run("portal-sandbox", "set-status", accepted["MaHoSo"], "accepted", "--data-dir", str(portal.data_dir))
            again = sup.json("hub", "forward")
            assert [e for e in again if e["event"] == "sent"] == [] and again[-1]["relayed"] == 1

            # The answers reach the team kits: over the network on the next sync, by reply bundle for hoa.
            kits["lan"].run("sync", "--once")
            with kits["lan"].opened() as lan:
                approved, returned = (lan.dossiers.get(u) for u in queued["lan"])
                assert approved.portal_code == accepted["MaHoSo"] and approved.portal_status is PortalStatus.ACCEPTED
                assert returned.status is LocalStatus.NEEDS_ATTENTION
                assert returned.portal_note == "Thiếu bản sao giấy khai sinh"
            sup.run("bundle", "reply", "--kit", "Máy hoa", "-o", str(tmp_path / "reply.fkb"))
            [applied] = kits["hoa"].json("bundle", "import", str(tmp_path / "reply.fkb"))
            assert sorted(applied["delivered"]) == sorted(queued["hoa"])
            with kits["hoa"].opened() as hoa:
                at_portal = hoa.dossiers.get(queued["hoa"][0])
                held = next(item for item in listing if item["uuid"] == queued["hoa"][0])
                assert at_portal.status is LocalStatus.SENT and at_portal.portal_code == held["MaHoSo"]

            # Every count in the report matches the portal.
            listing = portal.listing(verify=False)
            [report] = sup.json("report")
            assert report["dossiers"] == 6 and report["at_portal"] == len(listing) == 4
            by_status = {s["portal_status"]: s["dossiers"] for s in report["by_status"] if s["portal_status"]}
            assert by_status == dict(Counter(item["TrangThaiHoSo"] for item in listing))
            assert {g["key"]: g["at_portal"] for g in report["by_procedure"]} == dict(
                Counter(item["MaTTHC"] for item in listing)
            )
            assert {g["key"]: g["at_portal"] for g in report["by_member"]} == {"lan": 1, "minh": 2, "hoa": 1}
            for fmt in ("csv", "xlsx", "pdf"):
                out = tmp_path / f"report.{fmt}"
                sup.run("report", "--format", fmt, "-o", str(out))
                assert out.stat().st_size > 0
        finally:
            server.terminate()
            server.wait(10)
