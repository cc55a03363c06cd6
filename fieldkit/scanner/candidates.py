"""Where a page might be: quadrilateral hypotheses from regions of a small image (the straight-line
hypotheses, the main source, are in `lines.py`).

- edges: the page's outline as a closed edge contour (works on plain and wood tables);
- paper: the page as a bright, colourless region (works where the outline is broken by a hand or texture).

Each generator over-proposes; `detect.py` scores every hypothesis against the image and keeps the best.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from fieldkit.scanner.geometry import order_corners, polygon_area
from fieldkit.scanner.score import percentiles


def quad_from_contour(contour: np.ndarray) -> np.ndarray | None:
    """The quadrilateral that best wraps a blob's convex hull.

    The hull is simplified, then its shortest-to-drop edges are removed one at a time (the two neighbouring
    edges extended to meet) until four remain: a corner cut off by a thumb or a folded tip comes back.
    """
    hull = cv2.convexHull(contour.reshape(-1, 1, 2).astype(np.float32))
    perimeter = cv2.arcLength(hull, True)
    if perimeter <= 0:
        return None
    poly = cv2.approxPolyDP(hull, 0.015 * perimeter, True).reshape(-1, 2).astype(np.float64)
    if len(poly) < 4:
        return None
    while len(poly) > 4:
        poly = _drop_one_edge(poly)
        if poly is None:
            return None
    return order_corners(poly.astype(np.float32))


def _drop_one_edge(poly: np.ndarray) -> np.ndarray | None:
    """Remove the edge whose removal adds the least area (its neighbours extended to their crossing)."""
    points = [(float(x), float(y)) for x, y in poly]
    n = len(points)
    best, best_cost = None, math.inf
    for i in range(n):
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = (points[(i + k) % n] for k in (-1, 0, 1, 2))
        # Lines a-b and c-d; their crossing x = b + t (b - a).
        ux, uy, vx, vy = bx - ax, by - ay, dx - cx, dy - cy
        denom = ux * vy - uy * vx
        if abs(denom) < 1e-9:
            continue
        t = ((cx - bx) * vy - (cy - by) * vx) / denom
        s = ((cx - bx) * uy - (cy - by) * ux) / denom
        if t < 0 or s > 0:  # the crossing must lie beyond b (outward) and before c, or it cannot be dropped
            continue
        xx, xy = bx + t * ux, by + t * uy
        cost = 0.5 * abs((bx - xx) * (cy - xy) - (cx - xx) * (by - xy))
        if cost < best_cost:
            best, best_cost = (i, (xx, xy)), cost
    if best is None:
        return None
    i, crossing = best
    keep = [points[k] for k in range(n) if k not in (i, (i + 1) % n)]
    insert_at = i if (i + 1) % n != 0 else len(keep)
    keep.insert(min(insert_at, len(keep)), crossing)
    return np.array(keep)


def contour_quads(mask: np.ndarray, min_area: float, mode: int = cv2.RETR_EXTERNAL, limit: int = 6) -> list:
    contours, _ = cv2.findContours(mask, mode, cv2.CHAIN_APPROX_SIMPLE)
    contours = [c for c in contours if cv2.contourArea(c) >= min_area]
    contours.sort(key=cv2.contourArea, reverse=True)
    quads = []
    for contour in contours[:limit]:
        quad = quad_from_contour(contour)
        if quad is not None and polygon_area(quad) >= min_area:
            quads.append(quad)
    return quads


def edge_candidates(edges: np.ndarray, min_area: float) -> list[np.ndarray]:
    """Closed outlines in the edge map: the regions an edge ring encloses (holes of the closed edges)."""
    closed = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    # The page is the inside of its own outline: look at the complement's regions that touch no border.
    regions = cv2.bitwise_not(cv2.dilate(closed, np.ones((3, 3), np.uint8)))
    quads = contour_quads(regions, min_area, cv2.RETR_EXTERNAL)
    quads += contour_quads(closed, min_area, cv2.RETR_EXTERNAL, limit=3)
    return quads


def paper_candidates(grey: np.ndarray, chroma: np.ndarray, min_area: float) -> list[np.ndarray]:
    """Bright, colourless blobs, cut at several levels: the page against a dark table, a pale one, a cloth.

    The print is erased first (a closing wider than a stroke at this scale), so a page reads as one blob.
    """
    paperness = cv2.subtract(grey, chroma)
    paperness = cv2.morphologyEx(paperness, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    paperness = cv2.medianBlur(paperness, 5)
    otsu, _ = cv2.threshold(paperness, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    levels = {int(otsu), *(int(v) for v in percentiles(paperness, (65, 85)))}
    upper = paperness[paperness > otsu]
    if upper.size > min_area:
        high, _ = cv2.threshold(upper.reshape(1, -1), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        levels.add(int(high))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    quads = []
    for value in sorted(levels):
        mask = cv2.compare(paperness, value, cv2.CMP_GT)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)  # cuts thin bridges to a neighbouring blob
        quads += contour_quads(mask, min_area, limit=3)
    return quads
