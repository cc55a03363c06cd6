"""QR reading on labelled real photographs: FieldKit's reader against zxing-cpp alone and pyzbar alone.

    .venv/bin/python scripts/bench/qr_photos.py DATASET... [--out bench-results/qr_photos.json]

The generated QR benchmark (qr.py) draws its own cards and posters; this reads pictures someone took. Each
DATASET is a folder (searched through) or a file, in either layout:

- zxing's black-box test sets (zxing/core/src/test/resources/blackbox/qrcode-1 ... qrcode-6), and any folder
  like them: each picture (.png, .jpg, .jpeg, .gif, .bmp, .tif, .webp) with a text file of the same name
  (`.txt`) holding the text its code carries; grouped by folder. A picture without one is not counted.
- A JSON Lines file (`*.jsonl`): `{"image": PATH, "texts": ["...", ...]}`, every text the picture's codes
  carry (an empty list: no code there, and whatever is read is wrong); PATH relative to the file, an
  optional "group".

Each picture is read as `fieldkit qr IMAGE` reads it (EXIF orientation applied, the exhaustive search of a
still photo), on one core. Per group and reader: the share of pictures whose every text was read exactly
(after NFC), the pictures where a text not carried was read (wrong), and the median milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts" / "bench"))

from labelled import dataset_files, json_lines  # noqa: E402
from qr import make_pyzbar, read_zxing  # noqa: E402

from fieldkit.core.errors import FieldKitError  # noqa: E402
from fieldkit.core.i18n import Translator  # noqa: E402
from fieldkit.qr import QrReader  # noqa: E402
from fieldkit.scanner.images import read_image  # noqa: E402

PICTURES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}


def blackbox_item(picture: Path) -> dict | None:
    """A picture and the text beside it (zxing's layout); None without one."""
    expected = picture.with_suffix(".txt")
    if not expected.is_file():
        return None
    data = expected.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # a few of zxing's older expectations are ISO-8859-1
    return _item(picture, [text], picture.parent.name)


def jsonl_items(listing: Path) -> list[dict]:
    items = []
    for entry in json_lines(listing, ("image", "texts")):
        picture = listing.parent / entry["image"]
        items.append(_item(picture, list(entry["texts"]), entry.get("group") or picture.parent.name))
    return items


def _item(picture: Path, texts: list[str], group: str) -> dict:
    return {"image": str(picture), "texts": [unicodedata.normalize("NFC", t) for t in texts], "group": group}


def find_items(datasets: list[Path]) -> list[dict]:
    """Every labelled picture under the given folders or files, in a stable order."""
    items: list[dict] = []
    for path in dataset_files(datasets):
        if path.suffix.lower() == ".jsonl":
            items.extend(jsonl_items(path))
        elif path.suffix.lower() in PICTURES:
            item = blackbox_item(path)
            if item is not None:
                items.append(item)
    return items


def readers() -> dict:
    fieldkit = QrReader.create()
    chosen = {"zxing-cpp": read_zxing}
    pyzbar = make_pyzbar()
    if pyzbar is not None:
        chosen["pyzbar"] = pyzbar
    chosen["FieldKit"] = lambda frame: [code.text for code in fieldkit.read(frame, exhaustive=True)]
    return chosen


def measure(item: dict, chosen: dict) -> dict:
    """One picture through every reader: exact (every expected text read), wrong (a text not expected), ms."""
    try:
        frame = read_image(Path(item["image"]))
    except FieldKitError as exc:
        return dict(item, error=Translator("en").describe(exc))
    results = {}
    for name, read in chosen.items():
        started = time.thread_time()
        texts = {unicodedata.normalize("NFC", t) for t in read(frame)}
        ms = (time.thread_time() - started) * 1000
        results[name] = {"exact": set(item["texts"]) <= texts, "wrong": bool(texts - set(item["texts"])), "ms": ms}
    return dict(item, readers=results)


def summarise(results: list[dict], names: list[str]) -> dict:
    groups: dict[str, list[dict]] = defaultdict(list)
    for result in results:
        groups[result["group"]].append(result)
    table = {group: _stats(items, names) for group, items in sorted(groups.items())}
    return {"all": _stats(results, names), "groups": table}


def _stats(results: list[dict], names: list[str]) -> dict:
    read = [r for r in results if "error" not in r]
    stats: dict = {"pictures": len(read), "unreadable": len(results) - len(read)}
    for name in names:
        outcomes = [r["readers"][name] for r in read]
        stats[name] = {
            "exact": sum(o["exact"] for o in outcomes) / len(outcomes) if outcomes else None,
            "wrong": sum(o["wrong"] for o in outcomes),
            "median_ms": statistics.median(o["ms"] for o in outcomes) if outcomes else None,
        }
    return stats


def print_table(summary: dict, names: list[str]) -> None:
    print(f"{'group':16s} {'pictures':>8s}  " + "  ".join(f"{name:>22s}" for name in names))
    print(f"{'':16s} {'':8s}  " + "  ".join(f"{'exact  wrong     ms':>22s}" for _ in names))
    for group, stats in [*summary["groups"].items(), ("all", summary["all"])]:
        cells = []
        for name in names:
            s = stats[name]
            exact = "-" if s["exact"] is None else f"{100 * s['exact']:5.1f}%"
            ms = "-" if s["median_ms"] is None else f"{s['median_ms']:6.1f}"
            cells.append(f"{exact:>8s} {s['wrong']:6d} {ms:>6s}")
        print(f"{group:16s} {stats['pictures']:8d}  " + "  ".join(f"{c:>22s}" for c in cells))
    if summary["all"]["unreadable"]:
        print(f"unreadable pictures: {summary['all']['unreadable']} (listed in the JSON with their error)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", type=Path, nargs="+", help="folders or files of labelled pictures")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "qr_photos.json")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    items = find_items(args.datasets)
    if not items:
        raise SystemExit("no labelled pictures found (see --help for the layouts read)")
    chosen = readers()
    results = [measure(item, chosen) for item in items]
    summary = summarise(results, list(chosen))
    print_table(summary, list(chosen))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "pictures": results}, ensure_ascii=False), encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
