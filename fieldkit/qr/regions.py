"""Where in a frame a QR code probably is, so the readers can take a closer look there.

A code far from the lens has modules too small for the decoders' locators. Its patch of the frame still
stands out: dense, sharp dark/light changes in both directions, which paper, walls and faces lack. Text
has them too, so a few candidates are returned, most code-like first.
"""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x, y, width, height in the frame's pixels

# Work on a small copy: a QR code a reader can possibly resolve still spans several cells at this size.
_WORK_SIDE = 320


def likely_regions(grey: np.ndarray, limit: int = 3) -> list[Box]:
    """Up to `limit` boxes where a code may be, best first; a margin around each keeps its quiet zone."""
    height, width = grey.shape
    factor = min(1.0, _WORK_SIDE / max(height, width))
    small = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else grey
    density = _edge_density(small)
    peak = float(density.max())
    if peak <= 0.05:
        return []
    mask = (density >= 0.5 * peak).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    candidates = []
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        if area < 4:
            continue
        # Square-ish, solid blobs are codes; long thin ones are lines of text.
        squareness = min(w, h) / max(w, h)
        score = area * squareness * (area / (w * h))
        candidates.append((score, (x, y, w, h)))
    candidates.sort(reverse=True)
    boxes = []
    for _, (x, y, w, h) in candidates[:limit]:
        margin = 0.35 * max(w, h) + 2
        x0, y0 = max(0.0, (x - margin) / factor), max(0.0, (y - margin) / factor)
        x1, y1 = min(float(width), (x + w + margin) / factor), min(float(height), (y + h + margin) / factor)
        boxes.append((int(x0), int(y0), int(x1 - x0), int(y1 - y0)))
    return boxes


def _edge_density(small: np.ndarray) -> np.ndarray:
    """Share of strong horizontal and vertical changes around each pixel: high in both only on 2-D patterns."""
    gx = np.abs(cv2.Sobel(small, cv2.CV_16S, 1, 0, ksize=3))
    gy = np.abs(cv2.Sobel(small, cv2.CV_16S, 0, 1, ksize=3))
    # Relative to the frame's own contrast, so a dim or washed-out code still counts.
    level = max(8.0, float(np.percentile(np.maximum(gx, gy), 90)) * 0.5)
    window = max(3, round(min(small.shape) / 24) | 1)
    dx = cv2.blur((gx > level).astype(np.float32), (window, window))
    dy = cv2.blur((gy > level).astype(np.float32), (window, window))
    return np.minimum(dx, dy)


def quad_box(quad, width: int, height: int, margin: float = 0.5) -> Box:
    """The box around a located symbol, grown by `margin` of its size on each side, inside the frame."""
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    size = max(max(xs) - min(xs), max(ys) - min(ys), 8.0)
    x0, y0 = max(0.0, min(xs) - margin * size), max(0.0, min(ys) - margin * size)
    x1, y1 = min(float(width), max(xs) + margin * size), min(float(height), max(ys) + margin * size)
    return int(x0), int(y0), max(1, int(x1 - x0)), max(1, int(y1 - y0))
