"""Cost of encryption: open a kit, save a dossier with a 3 MB PDF, list 10,000 dossiers — encrypted (SQLCipher
database, AES-256-GCM vault) next to plain, side by side. Target: encrypted within 1.3x of plain for each.

Opening excludes the deliberate argon2id cost of checking a password (measured and reported on its own line):
the encrypted open starts from the unwrapped data key, as after `unlock_kit`'s password check.

Plain and encrypted runs are taken in turns (60 x 5 opens, 100 saves, 20 listings each); the median and the
fastest run of each are printed, and every sample is written to the JSON. The verdict is on the medians.

    .venv/bin/python scripts/bench/security.py [--quick] [--out bench-results/security.json]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import img2pdf  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from fieldkit.core.citizen import Citizen  # noqa: E402
from fieldkit.core.dossier import Dossier  # noqa: E402
from fieldkit.storage.dossier_service import DossierService  # noqa: E402
from fieldkit.storage.keys import calibrate, derive_from_password, random_key  # noqa: E402
from fieldkit.storage.kit import Kit  # noqa: E402
from fieldkit.storage.security import open_with_key  # noqa: E402
from fieldkit.storage.vault import AesGcmCodec, sha256_of  # noqa: E402

TARGET = 1.3
CITIZEN = Citizen(id_number="001090012345", full_name="Nguyễn Văn An", permanent_address="Thôn 3, xã Quảng Thọ")


def scan_pdf(target_bytes: int, seed: int) -> bytes:
    """A real PDF of noisy greyscale pages (noise does not compress), about `target_bytes` long."""
    rng = np.random.default_rng(seed)
    pages, size = [], 0
    while size < target_bytes:
        pixels = rng.integers(0, 255, size=(1000, 700), dtype=np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(pixels, "L").save(buffer, format="JPEG", quality=95)
        pages.append(buffer.getvalue())
        size += len(pages[-1])
    return img2pdf.convert(pages)


def seed_dossiers(kit: Kit, count: int) -> None:
    """`count` dossiers with a document each, written in one transaction (the listing is what is timed)."""
    now = kit.clock.now()
    kit.citizens.save(CITIZEN, now)
    with kit.db.atomic():
        for n in range(count):
            dossier = Dossier.new("1.004873", CITIZEN.id_number, "bench", now)
            dossier = Dossier(**{**dossier.__dict__, "declaration": {"purpose": f"Mục đích số {n}"}})
            kit.dossiers.save(dossier)
            kit.db["documents"].insert(
                {
                    "dossier_uuid": dossier.uuid,
                    "position": 0,
                    "slot_code": "TOKHAI",
                    "sha256": f"{n:064x}",
                    "size": 1000,
                    "media_type": "application/pdf",
                    "pages": 1,
                    "filename": "tk.pdf",
                    "dpi": None,
                }
            )
    kit.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@dataclass
class Timing:
    """Samples of one operation, in seconds."""

    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def best(self) -> float:
        return min(self.samples)


def interleaved(
    actions: dict[str, Callable[[], Callable[[], object]]], repeat: int, batch: int = 1
) -> dict[str, Timing]:
    """Time each variant `repeat` times, taking turns in an order shuffled at every turn, after one warm-up run
    each that is not counted. On a shared machine the load changes from second to second: taking turns lets it
    fall on both variants alike instead of on whichever ran during a busy spell. The order is shuffled, not
    fixed, because a fixed cycle of two 2 ms opens is about as long as the scheduler's 4 ms tick and can lock
    onto it, so the preemptions keep landing on the same variant.

    Each action is a setup (not timed) returning the call to time: a save needs new bytes each time. With
    `batch` > 1 a sample times that many calls in a row and records their average: an operation shorter than
    the tick is then not either untouched or a whole tick late, and its median stops jumping between the two.
    """
    names = list(actions)
    order = random.Random(6)  # seeded: the same sequence of turns every run
    for name in names:
        actions[name]()()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeat):
        for name in order.sample(names, len(names)):
            calls = [actions[name]() for _ in range(batch)]
            start = time.perf_counter()
            for call in calls:
                call()
            samples[name].append((time.perf_counter() - start) / batch)
    return {name: Timing(values) for name, values in samples.items()}


@dataclass
class Variant:
    """One kit (plain or encrypted) and what the bench does with it."""

    folder: Path
    data_key: bytes | None
    kit: Kit | None = None

    def open(self) -> Kit:
        return open_with_key(self.folder, self.data_key) if self.data_key else Kit.open(self.folder)


def measure(variants: dict[str, Variant], count: int, pdf: bytes, repeats: dict[str, int]) -> dict[str, dict]:
    for variant in variants.values():
        with variant.open() as kit:
            seed_dossiers(kit, count)

    def opening(variant: Variant) -> Callable[[], Callable[[], object]]:
        return lambda: lambda: variant.open().close()

    results = {"open": interleaved({name: opening(v) for name, v in variants.items()}, repeats["open"], batch=5)}

    for variant in variants.values():
        variant.kit = variant.open()
    try:
        # Each save attaches the PDF to another of the seeded dossiers, with new bytes each time (a comment
        # after the end of the PDF, added outside the timing), so every save really writes a file.
        fresh = iter(range(10**9))

        def saving(variant: Variant) -> Callable[[], Callable[[], object]]:
            service = DossierService(variant.kit, "bench")
            uuids = iter(dossier.uuid for dossier in variant.kit.dossiers.list())

            def prepare() -> Callable[[], object]:
                uuid, data = next(uuids), pdf + f"\n% {next(fresh)}\n".encode()
                return lambda: service.attach_bytes(uuid, "TOKHAI", data, "scan.pdf")

            return prepare

        def listing(variant: Variant) -> Callable[[], Callable[[], object]]:
            return lambda: variant.kit.dossiers.list

        results["save_3mb_pdf"] = interleaved({name: saving(v) for name, v in variants.items()}, repeats["save"])
        results["list_dossiers"] = interleaved({name: listing(v) for name, v in variants.items()}, repeats["list"])
        for variant in variants.values():
            assert len(variant.kit.dossiers.list()) == count
    finally:
        for variant in variants.values():
            variant.kit.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 dossiers and fewer repeats")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "security.json")
    args = parser.parse_args()
    count = 1_000 if args.quick else 10_000
    repeats = {"open": 10, "save": 15, "list": 5} if args.quick else {"open": 60, "save": 100, "list": 20}
    pdf = scan_pdf(3 * 1024 * 1024, seed=1)

    # Beside the code rather than in /tmp, which is often a RAM disk where writes cost nothing.
    (ROOT / "bench-results").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "bench-results") as tmp:
        variants = {
            "plain": Variant(Path(tmp) / "plain", None),
            "encrypted": Variant(Path(tmp) / "encrypted", random_key()),
        }
        results = measure(variants, count, pdf, repeats)
        kdf = calibrate()
        unlock = interleaved({"argon2id": lambda: lambda: derive_from_password("mật khẩu", b"0" * 16, kdf)}, 3)
    unlock_s = unlock["argon2id"].best
    # The part of a save that is encryption's own work, apart from the disk: sealing the PDF for the vault.
    codec = AesGcmCodec(random_key(), random_key())
    digest = sha256_of(pdf)
    seal_s = interleaved({"seal": lambda: lambda: codec.seal(pdf, digest)}, 40)["seal"].median
    # The verdict is on the medians: what a user typically waits for, and (opens timed five at a time) the
    # steadier of the two from one bench run to the next. The fastest of 100 saves is one lucky run of a
    # disk shared with other work: its ratio ranged 0.78-1.58 over 18 runs of the same code, the medians'
    # 0.71-1.09. The fastest runs are printed beside the medians.

    rows = []
    print(
        f"FieldKit encryption cost ({count:,} dossiers, {len(pdf) / 2**20:.1f} MB PDF; plain and encrypted runs"
        " taken in turns)"
    )
    print(
        f"{'operation':<26}{'runs':>5}{'plain median (min) ms':>24}{'encrypted median (min) ms':>28}"
        f"{'ratio: median':>15}{'min':>6}  target ≤ {TARGET}x (median)"
    )
    for name, label in (
        ("open", "open kit (5 a run)"),
        ("save_3mb_pdf", "save dossier + 3 MB PDF"),
        ("list_dossiers", f"list {count:,} dossiers"),
    ):
        plain, encrypted = results[name]["plain"], results[name]["encrypted"]
        ratio, best_ratio = encrypted.median / plain.median, encrypted.best / plain.best
        rows.append(
            {
                "operation": name,
                "runs": len(plain.samples),
                "plain_median_s": plain.median,
                "plain_min_s": plain.best,
                "encrypted_median_s": encrypted.median,
                "encrypted_min_s": encrypted.best,
                "ratio": ratio,
                "ratio_of_min": best_ratio,
                "within_target": ratio <= TARGET,
                "plain_samples_s": plain.samples,
                "encrypted_samples_s": encrypted.samples,
            }
        )
        print(
            f"{label:<26}{len(plain.samples):>5}"
            f"{f'{plain.median * 1000:.1f} ({plain.best * 1000:.1f})':>24}"
            f"{f'{encrypted.median * 1000:.1f} ({encrypted.best * 1000:.1f})':>28}"
            f"{ratio:>15.2f}{best_ratio:>6.2f}  {'ok' if ratio <= TARGET else 'OVER'}"
        )
    print(f"{'AES-GCM seal in a save':<26}{'':>5}{'—':>24}{seal_s * 1000:>28.1f}  median, the PDF in memory, no disk")
    print(f"{'password check (argon2id)':<26}{'':>5}{'—':>24}{unlock_s * 1000:>28.1f}  deliberate: ≥ 300 ms a guess")
    print(f"  argon2id t={kdf.time_cost} m={kdf.memory_kib // 1024} MiB p={kdf.parallelism}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "dossiers": count,
                "pdf_bytes": len(pdf),
                "repeats": repeats,
                "verdict": "ratio of the medians, plain and encrypted runs taken in turns",
                "rows": rows,
                "argon2id": {**kdf.to_json(), "unlock_s": unlock_s},
                "aes_gcm_seal_median_s": seal_s,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
