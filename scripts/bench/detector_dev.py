"""The page detector's development bench: the benchmark's detection set drawn from DEVELOPMENT seeds, cached on
disk, and the detector run over it with a per-frame account (what was found, how close, how long).

    .venv/bin/python scripts/bench/detector_dev.py [--seeds 1 2] [--per-kind 12] [--jobs 2] [--worst 15]

Never use the benchmark's seed (scripts/bench/scanner.py SEED) nor its held-out seed (31337) here: those
measure the detector, these shape it. Frames are cached under bench-results/frames/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts" / "bench"))

from fieldkit.scanner.detect import PageDetector  # noqa: E402
from fieldkit.scanner.geometry import jaccard_in_document_frame  # noqa: E402
from fieldkit.scanner.images import read_image  # noqa: E402

FORBIDDEN_SEEDS = {2015_2026, 31337}  # the benchmark's and the held-out seed
CACHE = ROOT / "bench-results" / "frames"


def cached_frames(seed: int, per_kind: int, pageless: int = 10) -> list[dict]:
    """The detection set of `seed` (as the benchmark draws it), written once as PNG files; a list of records
    {path, truth, kind, size, paper}."""
    if seed in FORBIDDEN_SEEDS:
        raise SystemExit(f"seed {seed} is the benchmark's: pick a development seed")
    folder = CACHE / f"{seed}-{per_kind}-{pageless}"
    index = folder / "index.json"
    if index.exists():
        return json.loads(index.read_text())
    from scanner import detection_frames

    folder.mkdir(parents=True, exist_ok=True)
    records = []
    rng = np.random.default_rng(seed)
    for k, (image, truth, kind, size, paper) in enumerate(detection_frames(rng, per_kind, pageless)):
        path = folder / f"{k:04d}.png"
        cv2.imwrite(str(path), image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        records.append(
            {
                "path": str(path),
                "truth": None if truth is None else np.asarray(truth).tolist(),
                "kind": kind,
                "size": list(size),
                "paper": paper,
                "seed": seed,
                "index": k,
            }
        )
    index.write_text(json.dumps(records))
    return records


def run_one(record: dict) -> dict:
    """One frame through the detector, timed on one core; read as `fieldkit scan --detect-only` reads a photo
    (EXIF orientation applied). A record without a size gets the image's."""
    cv2.setNumThreads(1)
    image = read_image(Path(record["path"]))
    size = record["size"] or [image.shape[1], image.shape[0]]
    detector = PageDetector()
    start = time.thread_time()
    found = detector.detect(image)
    ms = (time.thread_time() - start) * 1000
    truth = None if record["truth"] is None else np.array(record["truth"], np.float32)
    out = dict(record, size=size, ms=ms, found=found is not None)
    out["confidence"] = 0.0 if found is None else found.confidence
    out["quad"] = None if found is None else found.quad.tolist()
    if truth is not None:
        out["jaccard"] = jaccard_in_document_frame(None if found is None else found.quad, truth, tuple(size))
    return out


def summarise(results: list[dict]) -> dict:
    pages = [r for r in results if r["truth"] is not None]
    empty = [r for r in results if r["truth"] is None]
    by_kind, by_size, ms = defaultdict(list), defaultdict(list), defaultdict(list)
    for r in pages:
        by_kind[r["kind"]].append(r["jaccard"])
        label = f"{r['size'][0]}x{r['size'][1]}"
        by_size[label].append(r["jaccard"])
        ms[label].append(r["ms"])
    scores = [r["jaccard"] for r in pages]
    return {
        "frames": len(pages),
        "jaccard_mean": float(np.mean(scores)),
        "missed": sum(not r["found"] for r in pages),
        "below_0.9": sum(s < 0.9 for s in scores),
        "false_pages": sum(r["found"] for r in empty),
        "pageless": len(empty),
        "per_background": {k: float(np.mean(v)) for k, v in by_kind.items()},
        "per_resolution": {k: float(np.mean(v)) for k, v in by_size.items()},
        "median_ms": {k: float(statistics.median(v)) for k, v in ms.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--per-kind", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--worst", type=int, default=15, help="list the worst frames")
    parser.add_argument("--kind", help="only this background kind")
    parser.add_argument("--out", type=Path, help="per-frame results as JSON")
    args = parser.parse_args()
    records = [r for seed in args.seeds for r in cached_frames(seed, args.per_kind)]
    if args.kind:
        records = [r for r in records if r["kind"] == args.kind]
    # Spawned workers: a forked child inherits OpenCV's thread pool in whatever state it was and can hang.
    with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(run_one, records, chunksize=4))
    summary = summarise(results)
    print(
        f"Jaccard {summary['jaccard_mean']:.4f}  missed {summary['missed']}/{summary['frames']}  "
        f"below 0.9 {summary['below_0.9']}  false pages {summary['false_pages']}/{summary['pageless']}"
    )
    print("  " + "  ".join(f"{k} {v:.3f}" for k, v in summary["per_background"].items()))
    print("  " + "  ".join(f"{k} {v:.3f}" for k, v in summary["per_resolution"].items()))
    print("  ms " + "  ".join(f"{k} {v:.1f}" for k, v in summary["median_ms"].items()))
    pages = sorted((r for r in results if r["truth"] is not None), key=lambda r: r["jaccard"])
    for r in pages[: args.worst]:
        print(
            f"  {r['jaccard']:.3f} conf {r['confidence']:.2f} {r['kind']:15s} {r['size'][0]}x{r['size'][1]} "
            f"{r['paper']:8s} {r['path']}"
        )
    for r in results:
        if r["truth"] is None and r["found"]:
            print(f"  FALSE PAGE conf {r['confidence']:.2f} {r['kind']} {r['path']}")
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "frames": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
