"""Cost of encryption: open a kit, save a dossier with a 3 MB PDF, list 10,000 dossiers — encrypted (SQLCipher
database, AES-256-GCM vault) next to plain, side by side. Target: encrypted within 1.3x of plain for each.

Opening excludes the deliberate argon2id cost of checking a password (measured and reported on its own line):
the encrypted open starts from the unwrapped data key, as after `unlock_kit`'s password check.

    .venv/bin/python scripts/bench/security.py [--quick] [--out bench-results/security.json]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import img2pdf  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from fieldkit.core.citizen import Citizen  # noqa: E402
from fieldkit.core.dossier import Dossier  # noqa: E402
from fieldkit.storage.accounts import Accounts  # noqa: E402
from fieldkit.storage.dossier_service import DossierService  # noqa: E402
from fieldkit.storage.keys import calibrate, derive_from_password, random_key  # noqa: E402
from fieldkit.storage.kit import Kit  # noqa: E402
from fieldkit.storage.security import open_with_key  # noqa: E402

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


def timed(action: Callable[[], object], repeat: int) -> float:
    """The fastest of `repeat` runs, after one warm-up run that is not counted: on a shared machine the
    fastest run is the one least disturbed by others, for plain and encrypted alike."""
    action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return min(samples)


def measure(folder: Path, encrypted: bool, count: int, pdf: bytes, repeat: int) -> dict[str, float]:
    data_key = random_key()

    def open_kit() -> Kit:
        return open_with_key(folder, data_key) if encrypted else Kit.open(folder)

    with open_kit() as kit:
        seed_dossiers(kit, count)
        first = kit.dossiers.list()[0].uuid
    results = {"open": timed(lambda: open_kit().close(), repeat)}
    with open_kit() as kit:
        service = DossierService(kit, "bench")
        # New bytes each time (a comment after the end of the PDF), so every save really writes a file.
        pdfs = iter([pdf + f"\n% {n}\n".encode() for n in range(repeat + 1)])

        def save() -> None:
            service.attach_bytes(first, "TOKHAI", next(pdfs), "scan.pdf")

        results["save_3mb_pdf"] = timed(save, repeat)
        results["list_dossiers"] = timed(lambda: kit.dossiers.list(), repeat)
        assert len(kit.dossiers.list()) == count
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 dossiers and fewer repeats")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "security.json")
    args = parser.parse_args()
    count, repeat = (1_000, 3) if args.quick else (10_000, 9)
    pdf = scan_pdf(3 * 1024 * 1024, seed=1)

    # Beside the code rather than in /tmp, which is often a RAM disk where writes cost nothing.
    (ROOT / "bench-results").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "bench-results") as tmp:
        plain = measure(Path(tmp) / "plain", False, count, pdf, repeat)
        encrypted = measure(Path(tmp) / "encrypted", True, count, pdf, repeat)
        kdf = calibrate()
        accounts = Accounts.new(Path(tmp), kdf)
        unlock = timed(lambda: derive_from_password("mật khẩu", b"0" * 16, accounts.kdf), 3)

    rows = []
    print(f"FieldKit encryption cost ({count:,} dossiers, {len(pdf) / 2**20:.1f} MB PDF, best of {repeat})")
    print(f"{'operation':<28}{'plain (ms)':>12}{'encrypted (ms)':>16}{'ratio':>8}  target ≤ {TARGET}x")
    for name, label in (
        ("open", "open kit"),
        ("save_3mb_pdf", "save dossier + 3 MB PDF"),
        ("list_dossiers", f"list {count:,} dossiers"),
    ):
        ratio = encrypted[name] / plain[name]
        rows.append(
            {
                "operation": name,
                "plain_s": plain[name],
                "encrypted_s": encrypted[name],
                "ratio": ratio,
                "within_target": ratio <= TARGET,
            }
        )
        print(
            f"{label:<28}{plain[name] * 1000:>12.1f}{encrypted[name] * 1000:>16.1f}{ratio:>8.2f}"
            f"  {'ok' if ratio <= TARGET else 'OVER'}"
        )
    print(f"{'password check (argon2id)':<28}{'—':>12}{unlock * 1000:>16.1f}{'':>8}  deliberate: ≥ 300 ms a guess")
    print(f"  argon2id t={kdf.time_cost} m={kdf.memory_kib // 1024} MiB p={kdf.parallelism}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "dossiers": count,
                "pdf_bytes": len(pdf),
                "repeat": repeat,
                "rows": rows,
                "argon2id": {**kdf.to_json(), "unlock_s": unlock},
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
