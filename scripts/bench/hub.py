"""Benchmark of the supervisor's end of day: N dossiers with scan-like PDFs (0.2-2 MB) from a team kit

- over the network to the hub (served on a thread, collected into the supervisor's encrypted kit as they arrive),
  next to the same kit sending straight to the training portal: the ratio is the cost of the hub;
- by USB bundle: export (seal and sign), import (verify every byte, merge, collect) in MB/s;
- the report's figures over everything collected.

Prints a table and writes JSON (bench-results/hub.json, or --out). `--quick`: 10 dossiers.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from fieldkit.core.clock import SystemClock  # noqa: E402
from fieldkit.core.dates import local_date  # noqa: E402
from fieldkit.core.i18n import Translator  # noqa: E402
from fieldkit.hub.bundles import export_dossiers, import_dossiers  # noqa: E402
from fieldkit.hub.enrol import enrol_with_hub, trust_hub_file  # noqa: E402
from fieldkit.hub.service import hub_config  # noqa: E402
from fieldkit.hub.store import NO_PASSWORD, account_of  # noqa: E402
from fieldkit.reports.figures import day_period, figures  # noqa: E402
from fieldkit.storage.dossier_service import DossierService  # noqa: E402
from fieldkit.storage.identity import kit_identity  # noqa: E402
from fieldkit.sync.client import PortalClient  # noqa: E402
from fieldkit.sync.credentials import SessionCredentials  # noqa: E402
from fieldkit.sync.outbox import Outbox  # noqa: E402
from fieldkit.sync.session import PortalSession  # noqa: E402
from tests.e2e.harness import LivePortal, logged_in, scan_pdf  # noqa: E402
from tests.e2e.hub_harness import LiveHub, member_kit, queue_for, supervisor, supervisor_kit  # noqa: E402


def sized_team_kit(folder: Path, member: str, count: int, seed: int):
    """A team kit with `count` queued dossiers, each with a declaration and a 0.2-2 MB scan-like PDF."""
    rng = random.Random(seed)
    kit = member_kit(folder, member, SystemClock())
    uuids = queue_for(kit, member, count, seed=seed)
    service = DossierService(kit, member)
    for uuid in uuids:
        service.unqueue(uuid)
        pdf = scan_pdf(rng.randint(200_000, 2_000_000), seed * 10**6 + rng.randint(0, 10**6))
        service.attach_bytes(uuid, "BANAN", pdf, "BANAN.pdf")
        service.queue(uuid)
    return kit, uuids


def megabytes(kit, uuids) -> float:
    return sum(d.size for u in uuids for d in kit.dossiers.get(u).documents) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=40, help="dossiers per run")
    parser.add_argument("--quick", action="store_true", help="10 dossiers")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "hub.json")
    args = parser.parse_args()
    count = 10 if args.quick else args.n
    work = Path(tempfile.mkdtemp(prefix="fieldkit-bench-hub-"))
    results: dict = {"dossiers": count}
    try:
        office = supervisor_kit(work / "supervisor", SystemClock())
        hub = LiveHub(office)
        portal = LivePortal(work / "portal", SystemClock()).start()

        direct, direct_ids = sized_team_kit(work / "direct", "an", count, 1)
        mb = megabytes(direct, direct_ids)
        start = time.perf_counter()
        report = Outbox(direct, logged_in(direct, portal.url), actor="an").run()
        portal_seconds = time.perf_counter() - start
        assert report.complete and len(report.sent) == count

        lan, lan_ids = sized_team_kit(work / "lan", "lan", count, 2)
        link = enrol_with_hub(lan, "lan", hub.url, hub.offer().code, "lan")
        session = PortalSession(PortalClient(link.url), SessionCredentials(), lan.clock)
        session.login(link.account, link.secret)
        start = time.perf_counter()
        report = Outbox(lan, session, actor="lan").run()
        hub_send = time.perf_counter() - start
        hub.settle()  # until every dossier is in the supervisor's encrypted vault
        hub_seconds = time.perf_counter() - start
        assert report.complete and len(report.sent) == count
        results["network"] = {
            "mb": round(mb, 1),
            "portal_seconds": round(portal_seconds, 2),
            "hub_send_seconds": round(hub_send, 2),
            "hub_collected_seconds": round(hub_seconds, 2),
            "portal_mb_s": round(mb / portal_seconds, 1),
            "hub_mb_s": round(megabytes(lan, lan_ids) / hub_seconds, 1),
            "ratio_hub_to_portal": round(portal_seconds / hub_seconds, 2),
        }

        hoa, _hoa_ids = sized_team_kit(work / "hoa", "hoa", count, 3)
        identity = kit_identity(hoa).public("hoa")
        hub.hub.registry.enrol(identity, "file", office.clock.now())
        hub.hub.store.open_account(account_of(identity.kit_id), NO_PASSWORD)
        trust_hub_file(hoa, "hoa", kit_identity(office).public("hub"))
        bundle = work / "hoa.fkb"
        start = time.perf_counter()
        export_dossiers(hoa, "hoa", bundle)
        export_seconds = time.perf_counter() - start
        bundle_mb = bundle.stat().st_size / 2**20
        start = time.perf_counter()
        imported = import_dossiers(office, supervisor(), hub.hub, bundle, hub_config(office, "vi"))
        import_seconds = time.perf_counter() - start
        assert len(imported.collected) == count
        start = time.perf_counter()
        again = import_dossiers(office, supervisor(), hub.hub, bundle, hub_config(office, "vi"))
        again_seconds = time.perf_counter() - start
        assert again.new == []
        results["bundle"] = {
            "mb": round(bundle_mb, 1),
            "export_seconds": round(export_seconds, 2),
            "import_seconds": round(import_seconds, 2),
            "reimport_seconds": round(again_seconds, 2),
            "export_mb_s": round(bundle_mb / export_seconds, 1),
            "import_mb_s": round(bundle_mb / import_seconds, 1),
        }
        start = time.perf_counter()
        day = figures(office, day_period(local_date(office.clock.now())), Translator("vi"))
        results["report"] = {"dossiers": day.dossiers, "seconds": round(time.perf_counter() - start, 3)}
        for kit in (direct, lan, hoa):
            kit.close()
        hub.stop()
        portal.stop()
        office.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    net, bun = results["network"], results["bundle"]
    print(f"{'what':<42}{'value':>12}")
    rows = [
        (f"{count} dossiers, MB of scans", net["mb"]),
        ("straight to the portal, MB/s", net["portal_mb_s"]),
        ("to the hub and into the vault, MB/s", net["hub_mb_s"]),
        ("hub / portal speed (target >= 0.8)", net["ratio_hub_to_portal"]),
        ("bundle size, MB", bun["mb"]),
        ("bundle export (seal + sign), MB/s", bun["export_mb_s"]),
        ("bundle import (verify + merge), MB/s", bun["import_mb_s"]),
        ("same bundle again, s", bun["reimport_seconds"]),
        ("report figures, s", results["report"]["seconds"]),
    ]
    for name, value in rows:
        print(f"{name:<42}{value:>12}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
