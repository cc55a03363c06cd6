"""Page detection on labelled real photographs or video frames: the SmartDoc-2015 Jaccard on data that no
generator made.

    .venv/bin/python scripts/bench/photos.py DATASET... [--every K] [--limit N] [--worst N] [--jobs 2] [--out FILE]

The generated benchmark (scanner.py) knows its corners exactly but draws its own scenes; this measures the same
way on photographs someone labelled. Each DATASET is a folder (searched through) or a file, in any of:

- SmartDoc-2015 challenge 1 as its authors repackaged it (github.com/jchazalon/smartdoc15-ch1-dataset,
  frames.tar.gz unpacked): `metadata.csv` or `metadata.csv.gz`, a row per frame with `image_path` and the
  corners `tl_x, tl_y, tr_x, ..., bl_y`; frames are grouped by `bg_name` (its five backgrounds).
- MIDV-500 and MIDV-2019 (identity documents): `<doc>/ground_truth/<clip>/<frame>.json` holding
  `{"quad": [[x, y], ...]}` beside `<doc>/images/<clip>/<frame>.tif`; grouped by the clip's condition (the
  letters of its name: TS, KA, HS, CA, PA...; table, keyboard, hand, clutter, partly out of the picture).
- A JSON Lines file (`*.jsonl`) of the lines `fieldkit scan --detect-only --json` prints, with the true corners:
  `{"image": PATH, "quad": [[x, y], x4] or null}` (null: no page in the picture; a page found there counts as
  a false page). PATH is relative to the file; an optional "group" names the line's group (else its folder).
  Label your own photos by correcting the detector's own output.

Corners are in the picture as a viewer shows it (EXIF orientation applied), any order. Each frame is read as
`fieldkit scan --detect-only` reads it and timed on one core. Prints a table per group (mean Jaccard, pages
missed, frames below 0.9, median milliseconds) and writes every frame's result as JSON.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import multiprocessing
import re
import statistics
import sys
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts" / "bench"))

from detector_dev import run_one  # noqa: E402
from labelled import dataset_files, json_lines  # noqa: E402

SMARTDOC_CORNERS = ("tl", "tr", "br", "bl")
MIDV_CONDITION = re.compile(r"^([A-Z]+)\d*")  # CA01 -> CA: the clip's condition, its number dropped


def smartdoc_records(metadata: Path) -> Iterator[dict]:
    """Frames of SmartDoc-2015 challenge 1 from its metadata.csv(.gz): one record per row."""
    opener = gzip.open if metadata.suffix == ".gz" else open
    with opener(metadata, "rt", encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            corners = [[float(row[f"{c}_x"]), float(row[f"{c}_y"])] for c in SMARTDOC_CORNERS]
            yield _record(metadata.parent / row["image_path"], corners, row.get("bg_name") or "smartdoc")


def midv_record(truth: Path) -> dict | None:
    """A MIDV-500/2019 frame from its ground-truth JSON (ground_truth/<clip>/<frame>.json); None when its image
    (images/<clip>/<frame>.*) is not there."""
    clip = truth.parent.name
    images = truth.parent.parent.parent / "images" / clip
    image = next((p for p in sorted(images.glob(truth.stem + ".*")) if p.suffix.lower() != ".json"), None)
    if image is None:
        return None
    quad = json.loads(truth.read_text(encoding="utf-8")).get("quad")
    match = MIDV_CONDITION.match(clip)
    return _record(image, quad, match.group(1) if match else clip)


def jsonl_records(listing: Path) -> Iterator[dict]:
    """Frames of a JSON Lines file of `{"image", "quad"}` lines (the detect-only output's shape)."""
    for entry in json_lines(listing, ("image", "quad")):
        image = listing.parent / entry["image"]
        yield _record(image, entry["quad"], entry.get("group") or image.parent.name)


def _record(image: Path, quad, group: str) -> dict:
    """The development bench's record (detector_dev.run_one), the frame size filled in when it is read."""
    try:
        truth = None if quad is None else [[float(x), float(y)] for x, y in quad]
    except (TypeError, ValueError):
        truth = []
    if truth is not None and len(truth) != 4:
        raise SystemExit(f"{image}: a quad is four [x, y] corners, not {quad!r}")
    return {"path": str(image), "truth": truth, "kind": group, "size": None, "paper": ""}


def find_records(datasets: list[Path]) -> list[dict]:
    """Every labelled frame under the given folders or files, in a stable order."""
    records: list[dict] = []
    for path in dataset_files(datasets):
        name = path.name.lower()
        if name in ("metadata.csv", "metadata.csv.gz") and _is_smartdoc(path):
            records.extend(smartdoc_records(path))
        elif name.endswith(".jsonl"):
            records.extend(jsonl_records(path))
        elif name.endswith(".json") and path.parent.parent.name == "ground_truth":
            record = midv_record(path)
            if record is not None:
                records.append(record)
    return records


def _is_smartdoc(metadata: Path) -> bool:
    opener = gzip.open if metadata.suffix == ".gz" else open
    with opener(metadata, "rt", encoding="utf-8") as rows:
        header = rows.readline().strip().split(",")
    return "image_path" in header and all(f"{c}_{axis}" in header for c in SMARTDOC_CORNERS for axis in "xy")


def summarise(results: list[dict]) -> dict:
    """Per group and overall: frames with a page, mean Jaccard, pages missed, below 0.9, median ms; frames
    without a page and how many of them were taken for one; unreadable frames."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for result in results:
        groups[result["kind"]].append(result)
    table = {name: _stats(items) for name, items in sorted(groups.items())}
    return {"all": _stats(results), "groups": table}


def _stats(results: list[dict]) -> dict:
    read = [r for r in results if "error" not in r]
    pages = [r for r in read if r["truth"] is not None]
    empty = [r for r in read if r["truth"] is None]
    scores = [r["jaccard"] for r in pages]
    return {
        "frames": len(pages),
        "jaccard_mean": statistics.fmean(scores) if scores else None,
        "missed": sum(not r["found"] for r in pages),
        "below_0.9": sum(s < 0.9 for s in scores),
        "pageless": len(empty),
        "false_pages": sum(r["found"] for r in empty),
        "median_ms": statistics.median(r["ms"] for r in read) if read else None,
        "unreadable": len(results) - len(read),
    }


def measure(record: dict) -> dict:
    """One frame through the detector (detector_dev.run_one), or its read error."""
    from fieldkit.core.errors import FieldKitError
    from fieldkit.core.i18n import Translator

    try:
        return run_one(record)
    except FieldKitError as exc:
        return dict(record, error=Translator("en").describe(exc), found=False)


def print_table(summary: dict) -> None:
    print(f"{'group':16s} {'pages':>6s} {'Jaccard':>8s} {'missed':>7s} {'<0.9':>5s} {'no page':>8s} {'ms':>6s}")
    rows = [*summary["groups"].items(), ("all", summary["all"])]
    for name, s in rows:
        mean = "-" if s["jaccard_mean"] is None else f"{s['jaccard_mean']:.4f}"
        ms = "-" if s["median_ms"] is None else f"{s['median_ms']:.1f}"
        empty = f"{s['false_pages']}/{s['pageless']}" if s["pageless"] else "-"
        print(f"{name:16s} {s['frames']:6d} {mean:>8s} {s['missed']:7d} {s['below_0.9']:5d} {empty:>8s} {ms:>6s}")
    if summary["all"]["unreadable"]:
        print(f"unreadable frames: {summary['all']['unreadable']} (listed in the JSON with their error)")
    print("no page: frames labelled without a page / those taken for one;  ms: median detection time, one core")


def worst(results: list[dict], count: int) -> list[dict]:
    """The `count` frames with a page scoring lowest, then the page-less frames taken for a page: where to look."""
    pages = sorted((r for r in results if "jaccard" in r), key=lambda r: r["jaccard"])[:count]
    return pages + [r for r in results if r["truth"] is None and r["found"]]


def print_worst(frames: list[dict]) -> None:
    if frames:
        print("frames to look at (lowest Jaccard first, then page-less frames taken for a page):")
    for r in frames:
        score = f"{r['jaccard']:.3f}" if "jaccard" in r else "no page, one taken"
        print(f"  {score:>18s}  {r['kind']:14s} {r['path']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", type=Path, nargs="+", help="folders or files of labelled frames")
    parser.add_argument("--every", type=int, default=1, help="take every K-th frame (video sets are long)")
    parser.add_argument("--limit", type=int, help="at most this many frames")
    parser.add_argument("--worst", type=int, default=10, help="list this many of the lowest-scoring frames")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "photos.json")
    args = parser.parse_args(argv)
    records = find_records(args.datasets)[:: max(1, args.every)][: args.limit]
    if not records:
        raise SystemExit("no labelled frames found (see --help for the layouts read)")
    # Spawned workers: a forked child inherits OpenCV's thread pool in whatever state it was and can hang.
    with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(measure, records, chunksize=4))
    summary = summarise(results)
    print_table(summary)
    print_worst(worst(results, args.worst))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "frames": results}, ensure_ascii=False))
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
