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
_LEVELS = (0.5, 0.75, 0.9)  # of the densest spot


def likely_regions(grey: np.ndarray, limit: int = 3) -> list[Box]:
    """Up to `limit` boxes where a code may be, best first; a margin around each keeps its quiet zone."""
    height, width = grey.shape
    factor = min(1.0, _WORK_SIDE / max(height, width))
    size = (max(3, round(width * factor)), max(3, round(height * factor)))
    small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA) if factor < 1 else grey
    density = _edge_density(small)
    peak = float(density.max())
    if peak <= 0.05:
        return []
    candidates = []
    # Several levels: at the lower one a code merges with the printed text around it; at a higher one the
    # code, denser than any text, stands alone.
    for level in _LEVELS:
        mask = (density >= level * peak).astype(np.uint8)
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for label in range(1, count):
            x, y, w, h, area = (int(v) for v in stats[label])
            if area < 4:
                continue
            # Square-ish, solid blobs are codes; long thin ones are lines of text.
            score = area * (min(w, h) / max(w, h)) * (area / (w * h))
            candidates.append((score, (x, y, w, h)))
    candidates.sort(reverse=True)
    boxes: list[Box] = []
    for _, (x, y, w, h) in candidates:
        margin = 0.35 * max(w, h) + 2
        x0, y0 = max(0.0, (x - margin) / factor), max(0.0, (y - margin) / factor)
        x1, y1 = min(float(width), (x + w + margin) / factor), min(float(height), (y + h + margin) / factor)
        box = (int(x0), int(y0), int(x1 - x0), int(y1 - y0))
        if all(overlap(box, kept) < 0.5 for kept in boxes):
            boxes.append(box)
        if len(boxes) == limit:
            break
    return boxes


def overlap(a: Box, b: Box) -> float:
    """Intersection over union: near 1 for the same place, small for a code's box inside a card's."""
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / max(1, a[2] * a[3] + b[2] * b[3] - inter)


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
