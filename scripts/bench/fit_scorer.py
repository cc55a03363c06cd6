"""Fit the page detector's scorer (fieldkit/scanner/score.py WEIGHTS and BIAS) on development frames.

    .venv/bin/python scripts/bench/fit_scorer.py [--seeds 1 2 3 4 5 6] [--per-kind 12] [--jobs 2] [--rounds 2]

What it fits: a linear score s(q) = w . features(q) + b over a frame's outline hypotheses, read as a choice among
them and "no page" (whose score is 0): P(q) = exp(s(q)) / (1 + sum over the frame's hypotheses of exp(s)).
Fitted to pick, in each frame, one of the hypotheses that overlap the true page well (Jaccard >= 0.9), and "no
page" in page-less frames or when no hypothesis is near the page. This is a ranking fit (which hypothesis of
THIS frame is the page), not a per-hypothesis classification, and the same score read as a logistic
(exp(s) / (1 + exp(s))) is the probability the detector thresholds.

The pool of each frame is what the detector weighs: every hypothesis of every source, and the ones snapped to
nearby edges (the current scorer's favourites, and the nearest to the truth so the fit sees snapped pages).
A second round rebuilds the pool with the first round's weights. Seeded and deterministic: the frames are
the benchmark's generator on development seeds (never the benchmark's 20152026 nor the held-out 31337), the
fit is full-batch gradient descent from zero. Prints the weights to paste into score.py, and the share of
frames where the fitted score picks a good hypothesis.

Mind the scale before pasting: the ranking fit (with its ridge) gives smaller weights than score.py's, and the
detector's thresholds (detect.py CLEAR_SCORE, SURE_SCORE) read the score as an absolute probability; they have to
be set again on development frames with new weights.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts" / "bench"))

from detector_dev import cached_frames  # noqa: E402

from fieldkit.scanner import score as scoring  # noqa: E402
from fieldkit.scanner.detect import PageDetector  # noqa: E402
from fieldkit.scanner.geometry import jaccard_in_document_frame, scale_quad  # noqa: E402

GOOD = 0.9  # a hypothesis this close to the page (Jaccard) is a right answer
SNAPPED = 6  # the current scorer's favourites snapped per frame, as the detector does with its shortlist
L2 = 0.02  # a little ridge: features that barely help stay near zero


def frame_pool(job: tuple[dict, np.ndarray | None, float | None]) -> tuple[np.ndarray, np.ndarray]:
    """(features (n, f), Jaccard with the truth (n,)) of a frame's hypotheses; a page-less frame's Jaccards are 0."""
    record, weights, bias = job
    cv2.setNumThreads(1)
    if weights is not None:
        scoring.WEIGHTS, scoring.BIAS = weights, bias
    detector = PageDetector()
    image = cv2.imread(record["path"], cv2.IMREAD_COLOR)
    views = detector.views(image)
    quads = detector.hypotheses(views)
    if not len(quads):
        return np.zeros((0, len(scoring.FEATURES))), np.zeros(0)
    truth = None if record["truth"] is None else np.array(record["truth"], np.float32)
    size = tuple(record["size"])

    def overlap(stack: np.ndarray) -> np.ndarray:
        if truth is None:
            return np.zeros(len(stack))
        return np.array([jaccard_in_document_frame(scale_quad(q, 1 / views.scale), truth, size) for q in stack])

    jaccard = overlap(quads)
    scores = scoring.score_quads(views, quads)
    chosen = list(np.argsort(-scores)[:SNAPPED])
    if truth is not None and int(np.argmax(jaccard)) not in chosen:
        chosen.append(int(np.argmax(jaccard)))
    snapped = detector.snap(views, quads[chosen])
    pool = np.concatenate([quads, snapped])
    return scoring.quad_features(views, pool), np.concatenate([jaccard, overlap(snapped)])


def targets(jaccard: np.ndarray) -> np.ndarray:
    """Which hypotheses count as the answer: the good ones; if none is good but one is close, the closest;
    none (the answer is "no page") otherwise."""
    if len(jaccard) and jaccard.max() >= GOOD:
        return jaccard >= GOOD
    if len(jaccard) and jaccard.max() >= 0.75:
        return jaccard >= jaccard.max() - 0.02
    return np.zeros(len(jaccard), bool)


def fit(frames: list[tuple[np.ndarray, np.ndarray]], iterations: int = 3000) -> tuple[np.ndarray, float]:
    """Conditional logit with a "no page" option, by full-batch Adam from zero."""
    frames = [frame for frame in frames if len(frame[0])]  # no hypotheses: "no page" is the only choice
    features = np.concatenate([f for f, _ in frames])
    good = np.concatenate([targets(j) for _, j in frames])
    owner = np.concatenate([np.full(len(f), k) for k, (f, _) in enumerate(frames)])
    has_page = np.zeros(len(frames), bool)
    np.logical_or.at(has_page, owner, good)
    count = len(frames)
    params = np.zeros(features.shape[1] + 1)
    m, v = np.zeros_like(params), np.zeros_like(params)
    for step in range(1, iterations + 1):
        s = features @ params[:-1] + params[-1]
        top = np.maximum(np.zeros(count), np.maximum.reduceat(s, _starts(owner))) if len(s) else np.zeros(count)
        e = np.exp(s - top[owner])
        total = np.exp(-top) + np.bincount(owner, e, count)  # the "no page" option's exp(0), shifted
        goods = np.bincount(owner, e * good, count) + np.exp(-top) * ~has_page
        # d(-log P(good set)) / ds_q = p_q - p_q * good_q / P(good set)
        p = e / total[owner]
        q = np.where(good, e / np.maximum(goods[owner], 1e-300), 0.0)
        grad_s = (p - q) / count
        grad = np.concatenate([features.T @ grad_s, [grad_s.sum()]])
        grad[:-1] += L2 * params[:-1]
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        params -= 0.05 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return params[:-1], float(params[-1])


def _starts(owner: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])


def report(frames, weights: np.ndarray, bias: float) -> dict:
    right = wrong = silent_ok = silent_bad = 0
    for features, jaccard in frames:
        goal = targets(jaccard)
        if not len(jaccard):
            silent_ok += not goal.any()
            continue
        s = features @ weights + bias
        best = int(np.argmax(s))
        if goal.any():
            right += bool(goal[best])
            wrong += not goal[best]
        else:
            silent_ok += s[best] < 0
            silent_bad += s[best] >= 0
    return {"right": right, "wrong": wrong, "no page, said none": silent_ok, "no page, said one": silent_bad}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    parser.add_argument("--per-kind", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    records = [r for seed in args.seeds for r in cached_frames(seed, args.per_kind)]
    weights, bias = None, None
    for round_ in range(args.rounds):
        jobs = [(r, weights, bias) for r in records]
        with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            frames = list(pool.map(frame_pool, jobs, chunksize=8))
        weights, bias = fit(frames)
        print(f"round {round_ + 1}: {report(frames, weights, bias)}")
    print("\nFEATURES and fitted weights:")
    for name, w in zip(scoring.FEATURES, weights, strict=True):
        print(f"  {name:12s} {w:+.2f}")
    print(f"WEIGHTS = np.array([{', '.join(f'{w:.2f}' for w in weights)}])\nBIAS = {bias:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
