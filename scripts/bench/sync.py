"""Sync throughput and thrift: N queued dossiers with scan-like PDFs (0.2-5 MB) sent to the training portal
over loopback, next to a plain `requests` upload of the same bytes (target: ratio >= 0.8); then the same kit
through a link that cuts and drops to a server that fails on purpose (targets: bytes sent / bytes needed
<= 1.1, nothing lost, nothing duplicated). Also both over a link as fast as an office LAN (`--link-mbit`,
default 100), where users are: on loopback the two share this machine's CPU, over a link the link sets the pace.

Both sides are real: the portal (`fieldkit portal-sandbox`) and the plain receiver run in child processes
under the same uvicorn, the kit is an encrypted kit, and its scans are read back through its vault in both runs.

Fair by construction, because the figure is a ratio on a shared machine:
- the plain upload uses as many parallel streams as the outbox has lanes, over one HTTP session, as the kit does;
- every run writes into a folder of its own, deleted after it (a file written over an old one of the same name
  is much cheaper than a new one: a receiver that reused its names would be measured on different work);
- one warm-up round is not counted; then each round runs both, in alternating order, on a fresh copy of the kit
  whose vault is already in the page cache;
- before each run, as many bytes as it will write are written to a scratch file and deleted, so both start on
  memory the machine has just used: on a virtual machine, a page the guest never touched, or freed and handed
  back to the host (here within about half a second), costs about 1-2 CPU-ms per MB at its first write, which
  bare metal does not. Without this, whichever run came second paid for the first one's files still cached
  (plain took 2.2-2.4 s after the sync, 1.3 s before it, its receiver's CPU doubled), and the median of the
  rounds' ratios read 0.83 or 0.5 by the order. The longer run still meets some cold memory later on;
- the figure is the median over rounds of plain seconds / sync seconds (a plain run and the sync run beside it
  meet the same load); the best runs are shown too, and the CPU seconds each side spent (kit, receiver).

    .venv/bin/python scripts/bench/sync.py [--quick] [-n 200] [--rounds 5] [--streams 2] [--out bench-results/sync.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
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
from fieldkit.sync.outbox import DEFAULT_LANES, Outbox, SyncReport  # noqa: E402
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
ADMIN, ADMIN_PASSWORD = "bench", "mat-khau-bench"
# The bench measures sync, not the password hash: a cheap argon2id (the data is still encrypted).
BENCH_KDF = KdfParams(time_cost=1, memory_kib=1024)
SERVER_FAULTS = "500=0.01,503=0.01,429=0.01,retry_after=1,seed=5"


# -- the plain receiver (a child process): what "a plain HTTP upload" is compared with ------------------------


def serve_plain(port: int) -> None:
    """PUT /upload/FOLDER/NAME writes the body to a file and fsyncs it: an upload with no protocol around it."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def upload(request: Request) -> JSONResponse:
        body = await request.body()
        folder = Path(request.headers["x-folder"])  # each run its own, as each sync run has its own portal
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / request.path_params["name"]).open("wb") as fh:
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


def outbox_for(kit: Kit, url: str, *, lanes: int, timeout=(10.0, 60.0), policy: RetryPolicy | None = None) -> Outbox:
    client = PortalClient(url, timeout=timeout, clock=kit.clock)
    session = PortalSession(client, SessionCredentials(), kit.clock, ask_password=lambda user: PASSWORD)
    for _ in range(50):  # logging in goes through the faults too
        try:
            session.login(USER, PASSWORD)
            break
        except Exception:
            time.sleep(0.2)
    return Outbox(kit, session, actor=ADMIN, policy=policy, rng=random.Random(7), lanes=lanes)


# -- measuring ------------------------------------------------------------------------------------------------


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a child process has spent; None where /proc is not there to ask."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Run:
    seconds: float
    kit_cpu: float
    server_cpu: float | None


def measured(server_pid: int, work) -> tuple[Run, object]:
    """Run `work()`: its wall time, the CPU this process (the kit) and the server spent meanwhile."""
    server_before, kit_before, start = process_cpu(server_pid), own_cpu(), time.perf_counter()
    result = work()
    seconds, kit_cpu, server_after = time.perf_counter() - start, own_cpu() - kit_before, process_cpu(server_pid)
    server_cpu = None if server_before is None or server_after is None else server_after - server_before
    return Run(seconds, kit_cpu, server_cpu), result


def plain_upload(kit: Kit, uuids: list[str], url: str, folder: Path, streams: int) -> None:
    """Each file read back through the vault and PUT whole, `streams` at a time over one session (as the kit's
    lanes share one)."""
    http = requests.Session()

    def put(doc) -> None:
        response = http.put(
            f"{url}/upload/{doc.sha256}", data=kit.vault.get(doc.sha256), headers={"X-Folder": str(folder)}, timeout=60
        )
        response.raise_for_status()

    with ThreadPoolExecutor(max_workers=streams) as pool:
        list(pool.map(put, _unique_docs(kit, uuids)))


def settle_memory(scratch: Path, size: int, block: int = 8 * 2**20) -> None:
    """Write `size` bytes to a scratch file and delete it: the pages the next run's writes land in are then
    pages this machine has used before (see the module's note), the same for whichever run comes next."""
    chunk = bytes(block)
    with scratch.open("wb") as out:
        for _ in range(0, size, block):
            out.write(chunk)
    scratch.unlink()


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


def one_round(
    tmp: Path,
    number: int,
    uuids: list[str],
    receiver: tuple[str, int],
    streams: int,
    sync_first: bool,
    link_rate: float | None = None,
    source: str = "kit",
):
    """A plain upload and a sync of the same kit (`tmp / source`, whose queue is `uuids`), on a fresh copy of
    it, each writing into a new folder; with `link_rate` (bytes a second), each through a link of that speed."""
    kit_dir, portal_dir, plain_dir = tmp / f"kit-{number}", tmp / f"portal-{number}", tmp / f"plain-{number}"
    shutil.copytree(tmp / source, kit_dir)
    try:
        with contextlib.ExitStack() as stack:
            sandbox = stack.enter_context(SandboxProcess(portal_dir))
            kit = stack.enter_context(open_kit(kit_dir))
            portal_url, plain_url = sandbox.url, receiver[0]
            if link_rate:
                portal_url = stack.enter_context(FaultProxy(sandbox.port, rate=link_rate)).url
                plain_url = stack.enter_context(FaultProxy(int(receiver[0].rsplit(":", 1)[1]), rate=link_rate)).url
            docs = _unique_docs(kit, uuids)
            for doc in docs:  # the vault in the page cache for both runs alike
                kit.vault.get(doc.sha256)
            box = outbox_for(kit, portal_url, lanes=streams)

            def plain() -> Run:
                run, _ = measured(receiver[1], lambda: plain_upload(kit, uuids, plain_url, plain_dir, streams))
                shutil.rmtree(plain_dir, ignore_errors=True)
                return run

            def sync() -> tuple[Run, SyncReport]:
                return measured(sandbox.process.pid, box.run)

            written = sum(doc.size for doc in docs)

            def settled(run):
                settle_memory(tmp / "scratch", written)
                return run()

            if sync_first:
                (sync_run, report), plain_run = settled(sync), settled(plain)
            else:
                plain_run, (sync_run, report) = settled(plain), settled(sync)
            assert report.complete, report.stopped
            lost, duplicated = check(sandbox, kit, uuids)
    finally:
        shutil.rmtree(kit_dir, ignore_errors=True)
        shutil.rmtree(portal_dir, ignore_errors=True)
    return plain_run, sync_run, lost, duplicated


def faulty_run(tmp: Path, uuids: list[str], streams: int) -> dict:
    kit_dir = tmp / "kit-faulty"
    shutil.copytree(tmp / "kit", kit_dir)
    with (
        SandboxProcess(tmp / "portal-faulty", "--faults", SERVER_FAULTS) as sandbox,
        FaultProxy(sandbox.port, seed=11, cut_rate=0.002, drop_rate=0.0005, max_drops=4) as proxy,
        open_kit(kit_dir) as kit,
    ):
        box = outbox_for(
            kit, proxy.url, lanes=streams, timeout=(3.0, 3.0), policy=RetryPolicy(base=0.2, cap=2.0, attempts=40)
        )
        run, report = measured(sandbox.process.pid, box.run)
        assert report.complete, report.stopped
        lost, duplicated = check(sandbox, kit, uuids)
        return {
            "run": run,
            "file_bytes_sent": report.bytes_sent,
            "wire_bytes_up": proxy.bytes_up,
            "cuts": proxy.cuts,
            "drops": proxy.drops,
            "lost": lost,
            "duplicated": duplicated,
        }


# -- the report -----------------------------------------------------------------------------------------------


def summary(runs: list[Run], mb: float, count: int) -> dict:
    seconds = [r.seconds for r in runs]
    servers = [r.server_cpu for r in runs if r.server_cpu is not None]
    median = statistics.median(seconds)
    return {
        "seconds_median": median,
        "seconds_best": min(seconds),
        "mb_per_s": mb / median,
        "mb_per_s_best": mb / min(seconds),
        "dossiers_per_s": count / median,
        "kit_cpu_s_median": statistics.median(r.kit_cpu for r in runs),
        "server_cpu_s_median": statistics.median(servers) if servers else None,
        "runs": [asdict(r) for r in runs],
    }


def row(label: str, item: dict, count: int | None) -> str:
    server = item["server_cpu_s_median"]
    per_s = f"{item['dossiers_per_s']:.1f}" if count else ""
    return (
        f"{label:<36}{item['seconds_median']:>8.2f}{item['seconds_best']:>7.2f}{item['mb_per_s']:>8.1f}{per_s:>11}"
        f"{item['kit_cpu_s_median']:>9.2f}{'-' if server is None else f'{server:.2f}':>9}"
    )


SHAPED_DOSSIERS = 40


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="dossiers (default 200)")
    parser.add_argument("--quick", action="store_true", help="30 dossiers, 3 rounds")
    parser.add_argument("--rounds", type=int, default=None, help="counted rounds of plain + sync (default 5)")
    parser.add_argument("--streams", type=int, default=DEFAULT_LANES, help="outbox lanes = plain upload streams")
    parser.add_argument("--no-faulty", action="store_true", help="skip the run through the faulty link")
    parser.add_argument(
        "--link-mbit",
        type=float,
        default=100.0,
        help="also compare both over a link of this speed, as an office LAN (default 100; 0: skip)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "sync.json")
    parser.add_argument("--serve-plain", metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_plain:
        serve_plain(int(args.serve_plain))
        return 0
    count = 30 if args.quick else args.n
    rounds = args.rounds or (3 if args.quick else 5)

    (ROOT / "bench-results").mkdir(exist_ok=True)
    # Beside the code rather than in /tmp, which is often a RAM disk where writes cost nothing.
    with tempfile.TemporaryDirectory(dir=ROOT / "bench-results") as tmp_name:
        tmp = Path(tmp_name)
        started = time.perf_counter()
        uuids, total = build_kit(tmp / "kit", count)
        mb = total / 2**20
        print(f"built {count} dossiers, {mb:.0f} MB of scans in {time.perf_counter() - started:.0f} s")

        plain_port = free_port()
        receiver = subprocess.Popen(
            [sys.executable, __file__, "--serve-plain", str(plain_port)], cwd=REPO, env=child_env()
        )
        plain_runs, sync_runs, lost_clean, duplicated_clean = [], [], 0, 0
        try:
            plain_url = f"http://127.0.0.1:{plain_port}"
            wait_healthy(plain_url, process=receiver)
            for number in range(rounds + 1):
                plain_run, sync_run, lost, duplicated = one_round(
                    tmp, number, uuids, (plain_url, receiver.pid), args.streams, sync_first=number % 2 == 1
                )
                lost_clean, duplicated_clean = lost_clean + lost, duplicated_clean + duplicated
                label = "warm-up" if number == 0 else f"round {number}"
                print(
                    f"  {label}: plain {plain_run.seconds:.2f} s, sync {sync_run.seconds:.2f} s "
                    f"(ratio {plain_run.seconds / sync_run.seconds:.2f})"
                )
                if number:
                    plain_runs.append(plain_run)
                    sync_runs.append(sync_run)
            link_pairs = []
            if args.link_mbit:
                # Fewer dossiers: at 100 Mbit/s the whole set would take minutes for the same figure. A kit of
                # their own, so the sync's queue is exactly what the plain upload sends.
                subset, _ = build_kit(tmp / "kit-link", min(count, SHAPED_DOSSIERS))
                rate = args.link_mbit * 1e6 / 8
                for number in range(2):
                    plain_run, sync_run, lost, duplicated = one_round(
                        tmp,
                        100 + number,
                        subset,
                        (plain_url, receiver.pid),
                        args.streams,
                        number == 1,
                        rate,
                        "kit-link",
                    )
                    lost_clean, duplicated_clean = lost_clean + lost, duplicated_clean + duplicated
                    link_pairs.append((plain_run, sync_run))
                    print(
                        f"  {args.link_mbit:g} Mbit/s link, round {number + 1}: plain {plain_run.seconds:.2f} s, "
                        f"sync {sync_run.seconds:.2f} s (ratio {plain_run.seconds / sync_run.seconds:.2f})"
                    )
        finally:
            receiver.terminate()
            receiver.wait(10)
        faulty = None if args.no_faulty else faulty_run(tmp, uuids, args.streams)

    pair_ratios = sorted(p.seconds / s.seconds for p, s in zip(plain_runs, sync_runs, strict=True))
    ratio = statistics.median(pair_ratios)
    plain, sync = summary(plain_runs, mb, count), summary(sync_runs, mb, count)
    results = {
        "dossiers": count,
        "files_mb": round(mb, 1),
        "rounds": rounds,
        "streams": args.streams,
        "plain_upload": plain,
        "sync_loopback": {
            **sync,
            "ratio_to_plain": ratio,
            "ratio_of_best_runs": plain["seconds_best"] / sync["seconds_best"],
            "pair_ratios": pair_ratios,
            "target": RATIO_TARGET,
            "lost": lost_clean,
            "duplicated": duplicated_clean,
        },
    }
    print(
        f"\nFieldKit sync: {count} dossiers, {mb:.0f} MB of scans (0.2-5 MB each), loopback, {args.streams} streams, "
        f"median of {rounds} rounds"
    )
    print(f"{'run':<36}{'wall s':>8}{'best':>7}{'MB/s':>8}{'dossiers/s':>11}{'kit CPU':>9}{'srv CPU':>9}")
    print(row("plain requests upload (same bytes)", plain, None))
    print(row("FieldKit sync", sync, count))
    if faulty is not None:
        run = faulty["run"]
        server = "-" if run.server_cpu is None else f"{run.server_cpu:.2f}"
        print(
            f"{'FieldKit sync, faulty link+server':<36}{run.seconds:>8.2f}{'':>7}{mb / run.seconds:>8.1f}"
            f"{count / run.seconds:>11.1f}{run.kit_cpu:>9.2f}{server:>9}"
        )
    print(f"\n{'figure':<44}{'value':>8}  target")
    verdict = "ok" if ratio >= RATIO_TARGET else "MISSED"
    print(f"{'sync / plain throughput (median of rounds)':<44}{ratio:>8.2f}  >= {RATIO_TARGET}  {verdict}")
    print(f"{'  of the best runs':<44}{plain['seconds_best'] / sync['seconds_best']:>8.2f}")
    print(f"{'  rounds':<44}{' '.join(f'{r:.2f}' for r in pair_ratios):>8}")
    if link_pairs:
        link_ratio = statistics.median(p.seconds / q.seconds for p, q in link_pairs)
        label = f"  over a {args.link_mbit:g} Mbit/s link ({min(count, SHAPED_DOSSIERS)} dossiers)"
        print(f"{label:<44}{link_ratio:>8.2f}")
        results["sync_over_link"] = {
            "link_mbit": args.link_mbit,
            "dossiers": min(count, SHAPED_DOSSIERS),
            "ratio_to_plain": link_ratio,
            "plain_seconds": [p.seconds for p, _ in link_pairs],
            "sync_seconds": [q.seconds for _, q in link_pairs],
        }
    print(f"{'lost / duplicated (clean runs)':<44}{f'{lost_clean}/{duplicated_clean}':>8}  0/0")
    if faulty is not None:
        overhead_wire, overhead_files = faulty["wire_bytes_up"] / total, faulty["file_bytes_sent"] / total
        verdict = "ok" if overhead_wire <= OVERHEAD_TARGET else "MISSED"
        print(f"{'faulty: bytes on the wire / bytes needed':<44}{overhead_wire:>8.3f}  <= {OVERHEAD_TARGET}  {verdict}")
        print(f"{'faulty: file bytes sent / bytes needed':<44}{overhead_files:>8.3f}")
        cut_drop = f"{faulty['cuts']}/{faulty['drops']}"
        lost_dup = f"{faulty['lost']}/{faulty['duplicated']}"
        print(f"{'faulty: connections cut / bytes dropped':<44}{cut_drop:>8}")
        print(f"{'lost / duplicated (faulty run)':<44}{lost_dup:>8}  0/0")
        results["sync_faulty"] = {
            "seconds": faulty["run"].seconds,
            "kit_cpu_s": faulty["run"].kit_cpu,
            "server_cpu_s": faulty["run"].server_cpu,
            "server_faults": SERVER_FAULTS,
            "connections_cut": faulty["cuts"],
            "bytes_dropped_events": faulty["drops"],
            "file_bytes_sent_over_needed": overhead_files,
            "wire_bytes_up_over_needed": overhead_wire,
            "target": OVERHEAD_TARGET,
            "lost": faulty["lost"],
            "duplicated": faulty["duplicated"],
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
