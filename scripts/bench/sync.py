"""Sync throughput and thrift: N queued dossiers with scan-like PDFs (0.2-5 MB) sent to the training portal
over loopback, next to a plain `requests` upload of the same bytes (target: ratio >= 0.8); then the same kit
through a link that cuts and drops to a server that fails on purpose (targets: bytes sent / bytes needed
<= 1.1, nothing lost, nothing duplicated).

Both sides are real: the portal (`fieldkit portal-sandbox`) and the plain receiver run in child processes,
the kit is an encrypted kit, and its scans are read back through its vault in both runs.

    .venv/bin/python scripts/bench/sync.py [--quick] [-n 200] [--out bench-results/sync.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from fieldkit.core.workflow import LocalStatus  # noqa: E402
from fieldkit.storage.keys import KdfParams  # noqa: E402
from fieldkit.storage.kit import Kit  # noqa: E402
from fieldkit.storage.security import init_kit, unlock_kit  # noqa: E402
from fieldkit.sync.backoff import RetryPolicy  # noqa: E402
from fieldkit.sync.client import PortalClient  # noqa: E402
from fieldkit.sync.credentials import SessionCredentials  # noqa: E402
from fieldkit.sync.outbox import Outbox, SyncReport  # noqa: E402
from fieldkit.sync.session import PortalSession  # noqa: E402
from tests.e2e.harness import (  # noqa: E402
    PASSWORD,
    REPO,
    USER,
    FaultProxy,
    SandboxProcess,
    child_env,
    free_port,
    queue_dossiers,
    wait_healthy,
)

RATIO_TARGET, OVERHEAD_TARGET = 0.8, 1.1
# Each clean run is repeated, plain and sync in turn. The figure is the median of the ratios of each pair (a
# plain run and the sync run right after it meet the same load on a shared machine); the fastest runs are
# shown too.
REPEAT = 3
ADMIN, ADMIN_PASSWORD = "bench", "mat-khau-bench"
# The bench measures sync, not the password hash: a cheap argon2id (the data is still encrypted).
BENCH_KDF = KdfParams(time_cost=1, memory_kib=1024)
SERVER_FAULTS = "500=0.01,503=0.01,429=0.01,retry_after=1,seed=5"


# -- the plain receiver (a child process): what "a plain HTTP upload" is compared with ------------------------


def serve_plain(port: int, folder: Path) -> None:
    """PUT /upload/NAME writes the body to a file and fsyncs it: an upload with no protocol around it."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    folder.mkdir(parents=True, exist_ok=True)

    async def upload(request: Request) -> JSONResponse:
        body = await request.body()
        path = folder / request.path_params["name"]
        with path.open("wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        return JSONResponse({"received": len(body)})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app = Starlette(routes=[Route("/upload/{name}", upload, methods=["PUT"]), Route("/v1/health", health)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# -- the kit --------------------------------------------------------------------------------------------------


def scan_size(rng: random.Random) -> int:
    """0.2-5 MB, log-uniform: most scans are small, a few pages of photos are large."""
    return int(math.exp(rng.uniform(math.log(200_000), math.log(5_000_000))))


def build_kit(folder: Path, count: int) -> tuple[list[str], int]:
    kit, _ = init_kit(folder, ADMIN, ADMIN_PASSWORD, kdf=BENCH_KDF)
    with kit:
        uuids = queue_dossiers(kit, count, scan_size, seed=2024)
        total = sum(d.size for d in _unique_docs(kit, uuids))
    return uuids, total


def _unique_docs(kit: Kit, uuids: list[str]) -> list:
    return list({d.sha256: d for u in uuids for d in kit.dossiers.get(u).documents}.values())


def open_kit(folder: Path) -> Kit:
    return unlock_kit(folder, ADMIN, ADMIN_PASSWORD)[0]


def outbox_for(kit: Kit, url: str, *, timeout=(10.0, 60.0), policy: RetryPolicy | None = None) -> Outbox:
    client = PortalClient(url, timeout=timeout, clock=kit.clock)
    session = PortalSession(client, SessionCredentials(), kit.clock, ask_password=lambda user: PASSWORD)
    for _ in range(50):  # logging in goes through the faults too
        try:
            session.login(USER, PASSWORD)
            break
        except Exception:
            time.sleep(0.2)
    return Outbox(kit, session, actor=ADMIN, policy=policy, rng=random.Random(7))


# -- the runs -------------------------------------------------------------------------------------------------


def plain_upload(kit: Kit, uuids: list[str], url: str) -> float:
    http = requests.Session()
    start = time.perf_counter()
    for doc in _unique_docs(kit, uuids):
        response = http.put(f"{url}/upload/{doc.sha256}", data=kit.vault.get(doc.sha256), timeout=60)
        response.raise_for_status()
    return time.perf_counter() - start


def timed_sync(outbox: Outbox) -> tuple[SyncReport, float]:
    start = time.perf_counter()
    report = outbox.run()
    return report, time.perf_counter() - start


def check(sandbox: SandboxProcess, kit: Kit, uuids: list[str]) -> tuple[int, int]:
    """(lost, duplicated): dossiers the portal lacks or holds with a damaged file; dossiers held more than once
    or under another revision than the kit sent."""
    held = sandbox.listing(verify=True)
    by_uuid: dict[str, list[dict]] = {}
    for item in held:
        by_uuid.setdefault(item["uuid"], []).append(item)
    lost = sum(
        1
        for uuid in uuids
        if uuid not in by_uuid
        or not all(f["verified"] for f in by_uuid[uuid][0]["files"])
        or kit.dossiers.get(uuid).status is not LocalStatus.SENT
    )
    codes = [item["MaHoSo"] for item in held]
    duplicated = (
        sum(len(items) - 1 for items in by_uuid.values())
        + (len(codes) - len(set(codes)))
        + sum(1 for item in held if item["revision"] != 1)
        + len(set(by_uuid) - set(uuids))
    )
    return lost, duplicated


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="dossiers (default 200)")
    parser.add_argument("--quick", action="store_true", help="30 dossiers")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "sync.json")
    parser.add_argument("--serve-plain", nargs=2, metavar=("PORT", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_plain:
        serve_plain(int(args.serve_plain[0]), Path(args.serve_plain[1]))
        return 0
    count = 30 if args.quick else args.n

    (ROOT / "bench-results").mkdir(exist_ok=True)
    # Beside the code rather than in /tmp, which is often a RAM disk where writes cost nothing.
    with tempfile.TemporaryDirectory(dir=ROOT / "bench-results") as tmp_name:
        tmp = Path(tmp_name)
        started = time.perf_counter()
        uuids, total = build_kit(tmp / "kit", count)
        for run in range(REPEAT):
            shutil.copytree(tmp / "kit", tmp / f"kit-{run}")
        shutil.copytree(tmp / "kit", tmp / "kit-faulty")
        print(f"built {count} dossiers, {total / 2**20:.0f} MB of scans in {time.perf_counter() - started:.0f} s")

        plain_port = free_port()
        receiver = subprocess.Popen(
            [sys.executable, __file__, "--serve-plain", str(plain_port), str(tmp / "plain")],
            cwd=REPO,
            env=child_env(),
        )
        try:
            wait_healthy(f"http://127.0.0.1:{plain_port}", process=receiver)
            plain_runs, sync_runs, lost_clean, duplicated_clean = [], [], 0, 0
            for run in range(REPEAT):
                with SandboxProcess(tmp / f"portal-{run}") as sandbox, open_kit(tmp / f"kit-{run}") as kit:
                    for doc in _unique_docs(kit, uuids):  # warm the page cache for both runs alike
                        kit.vault.get(doc.sha256)
                    plain_runs.append(plain_upload(kit, uuids, f"http://127.0.0.1:{plain_port}"))
                    report, seconds = timed_sync(outbox_for(kit, sandbox.url))
                    assert report.complete, report.stopped
                    sync_runs.append(seconds)
                    lost, duplicated = check(sandbox, kit, uuids)
                    lost_clean, duplicated_clean = lost_clean + lost, duplicated_clean + duplicated
                    print(f"  run {run + 1}: plain {plain_runs[-1]:.2f} s, sync {seconds:.2f} s")
            plain_s, sync_s = min(plain_runs), min(sync_runs)
            pair_ratios = sorted(p / s for p, s in zip(plain_runs, sync_runs, strict=True))
        finally:
            receiver.terminate()
            receiver.wait(10)

        with (
            SandboxProcess(tmp / "portal-faulty", "--faults", SERVER_FAULTS) as sandbox,
            FaultProxy(sandbox.port, seed=11, cut_rate=0.002, drop_rate=0.0005, max_drops=4) as proxy,
            open_kit(tmp / "kit-faulty") as kit,
        ):
            box = outbox_for(kit, proxy.url, timeout=(3.0, 3.0), policy=RetryPolicy(base=0.2, cap=2.0, attempts=40))
            faulty, faulty_s = timed_sync(box)
            assert faulty.complete, faulty.stopped
            lost, duplicated = check(sandbox, kit, uuids)
            wire_up = proxy.bytes_up
            cuts, drops = proxy.cuts, proxy.drops

    mb = total / 2**20
    plain_mbps, sync_mbps = mb / plain_s, mb / sync_s
    ratio = pair_ratios[len(pair_ratios) // 2]
    overhead_files = faulty.bytes_sent / total
    overhead_wire = wire_up / total
    results = {
        "dossiers": count,
        "files_mb": round(mb, 1),
        "repeat": REPEAT,
        "plain_upload": {"seconds": plain_s, "mb_per_s": plain_mbps, "runs": plain_runs},
        "sync_loopback": {
            "seconds": sync_s,
            "mb_per_s": sync_mbps,
            "dossiers_per_s": count / sync_s,
            "ratio_to_plain": ratio,
            "ratio_of_fastest_runs": sync_mbps / plain_mbps,
            "pair_ratios": pair_ratios,
            "runs": sync_runs,
            "target": RATIO_TARGET,
            "lost": lost_clean,
            "duplicated": duplicated_clean,
        },
        "sync_faulty": {
            "seconds": faulty_s,
            "server_faults": SERVER_FAULTS,
            "connections_cut": cuts,
            "bytes_dropped_events": drops,
            "file_bytes_sent_over_needed": overhead_files,
            "wire_bytes_up_over_needed": overhead_wire,
            "target": OVERHEAD_TARGET,
            "lost": lost,
            "duplicated": duplicated,
        },
    }
    print(f"\nFieldKit sync: {count} dossiers, {mb:.0f} MB of scans (0.2-5 MB each), loopback, best of {REPEAT}")
    print(f"{'run':<34}{'seconds':>9}{'MB/s':>9}{'dossiers/s':>12}")
    print(f"{'plain requests upload (same bytes)':<34}{plain_s:>9.2f}{plain_mbps:>9.1f}{'':>12}")
    print(f"{'FieldKit sync':<34}{sync_s:>9.2f}{sync_mbps:>9.1f}{count / sync_s:>12.1f}")
    print(f"{'FieldKit sync, faulty link+server':<34}{faulty_s:>9.2f}{mb / faulty_s:>9.1f}{count / faulty_s:>12.1f}")
    print(f"\n{'figure':<44}{'value':>8}  target")
    verdict = "ok" if ratio >= RATIO_TARGET else "MISSED"
    print(f"{'sync / plain throughput (median of pairs)':<44}{ratio:>8.2f}  >= {RATIO_TARGET}  {verdict}")
    print(f"{'  of the fastest runs':<44}{sync_mbps / plain_mbps:>8.2f}")
    verdict = "ok" if overhead_wire <= OVERHEAD_TARGET else "MISSED"
    print(f"{'faulty: bytes on the wire / bytes needed':<44}{overhead_wire:>8.3f}  <= {OVERHEAD_TARGET}  {verdict}")
    print(f"{'faulty: file bytes sent / bytes needed':<44}{overhead_files:>8.3f}")
    print(f"{'faulty: connections cut / bytes dropped':<44}{f'{cuts}/{drops}':>8}")
    print(f"{'lost / duplicated (clean run)':<44}{f'{lost_clean}/{duplicated_clean}':>8}  0/0")
    print(f"{'lost / duplicated (faulty run)':<44}{f'{lost}/{duplicated}':>8}  0/0")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
