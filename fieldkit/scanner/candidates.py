"""Where a page might be: quadrilateral hypotheses from three complementary views of a small image.

- edges: the page's outline as a closed edge contour (works on plain and wood tables);
- paper: the page as a bright, colourless region (works where the outline is broken by a hand or texture);
- lines: long straight segments paired into opposite sides (works where neither region nor contour closes,
  e.g. a page on a busy cloth or on other papers).

Each generator over-proposes; `detect.py` scores every hypothesis against the image and keeps the best.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from fieldkit.scanner.geometry import intersect, order_corners, polygon_area
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


def line_candidates(
    edges: np.ndarray, gx: np.ndarray, gy: np.ndarray, size: tuple[int, int], per_family: int = 6
) -> list[np.ndarray]:
    """Pairs of long lines in two directions roughly at right angles, crossed into quadrilaterals."""
    width, height = size
    segments = oriented_segments(edges, gx, gy, 0.12 * min(width, height))
    if len(segments) < 4:
        return []
    lengths = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])
    segments = segments[np.argsort(-lengths)[:40]]  # a busy cloth gives hundreds; the page's sides are long
    lines = _merge_collinear(segments, min(width, height))
    if len(lines) < 4:
        return []
    angles = np.array([line[1] for line in lines])
    lengths = np.array([line[2] for line in lines])
    # The dominant direction (angles modulo 90 degrees, weighted by length): the page's sides and their normals.
    doubled = np.exp(4j * angles)
    dominant = np.angle(np.sum(lengths * doubled)) / 4.0
    families: list[list] = [[], []]
    for line, angle in zip(lines, angles, strict=True):
        diff = abs(((angle - dominant) + np.pi / 2) % np.pi - np.pi / 2)
        if diff < math.radians(30):
            families[0].append(line)
        elif diff > math.radians(60):
            families[1].append(line)
    quads = []
    picks = [sorted(f, key=lambda item: -item[2])[:per_family] for f in families]
    gap = 0.15 * min(width, height)
    pairs = [[(a, b) for i, a in enumerate(f) for b in f[i + 1 :] if _distance(a, b) > gap] for f in picks]
    for a1, a2 in pairs[0]:
        for b1, b2 in pairs[1]:
            corners = [intersect(p[0], q[0]) for p, q in ((a1, b1), (a1, b2), (a2, b2), (a2, b1))]
            if any(c is None for c in corners):
                continue
            quad = np.array(corners, np.float32)
            if np.all(np.abs(quad) < 4 * max(width, height)):
                quads.append(order_corners(quad))
    return quads


ORIENTATION_BINS = 8  # of 180 degrees; each edge pixel goes to its own bin and its nearest neighbour


def oriented_segments(edges: np.ndarray, gx: np.ndarray, gy: np.ndarray, shortest: float) -> np.ndarray:
    """Straight segments (x1, y1, x2, y2) made of edge pixels whose gradients agree with the segment.

    A plain Hough transform on a page full of print joins text pixels into long diagonal "lines" that are
    not there; sorting the edge pixels by gradient direction first, and keeping a segment only when it runs
    across its pixels' gradients, leaves the real straight edges.
    """
    ys, xs = np.nonzero(edges)
    if len(xs) == 0:
        return np.zeros((0, 4))
    angle = np.arctan2(gy[ys, xs].astype(np.float32), gx[ys, xs].astype(np.float32)) % np.pi  # gradient, mod 180
    position = angle / np.pi * ORIENTATION_BINS
    found = []
    for bin_index in range(ORIENTATION_BINS):
        distance = np.abs((position - bin_index - 0.5 + ORIENTATION_BINS / 2) % ORIENTATION_BINS - ORIENTATION_BINS / 2)
        chosen = distance <= 1.0  # this bin and half of each neighbour
        if chosen.sum() < shortest:
            continue
        layer = np.zeros_like(edges)
        layer[ys[chosen], xs[chosen]] = 255
        segments = cv2.HoughLinesP(
            layer, 1, np.pi / 180, threshold=int(shortest * 0.5), minLineLength=shortest, maxLineGap=3
        )
        if segments is None:
            continue
        segments = segments.reshape(-1, 4).astype(np.float64)
        # The segment must run across the gradient: its direction is the bin's normal, within a bin's width.
        normal = (bin_index + 0.5) * np.pi / ORIENTATION_BINS
        direction = np.arctan2(segments[:, 3] - segments[:, 1], segments[:, 2] - segments[:, 0]) % np.pi
        off = np.abs(((direction - normal - np.pi / 2) + np.pi / 2) % np.pi - np.pi / 2)
        found.append(segments[off <= 1.5 * np.pi / ORIENTATION_BINS])
    return np.concatenate(found) if found else np.zeros((0, 4))


def _merge_collinear(segments: np.ndarray, scale: float) -> list:
    """Join segments lying on one line; each line: (homogeneous line, angle, total length, midpoint)."""
    items = []
    for x1, y1, x2, y2 in segments:
        length = math.hypot(x2 - x1, y2 - y1)
        angle = math.atan2(y2 - y1, x2 - x1) % math.pi
        items.append([x1, y1, x2, y2, length, angle])
    items.sort(key=lambda item: -item[4])
    merged: list[list] = []
    for x1, y1, x2, y2, length, angle in items:
        mid = np.array([(x1 + x2) / 2, (y1 + y2) / 2])
        for group in merged:
            line, g_angle = group[0], group[1]
            d_angle = abs((angle - g_angle + math.pi / 2) % math.pi - math.pi / 2)
            dist = abs(np.dot(line, np.append(mid, 1.0))) / math.hypot(line[0], line[1])
            if d_angle < math.radians(4) and dist < 0.015 * scale + 1.5:
                group[2] += length
                break
        else:
            line = np.cross([x1, y1, 1.0], [x2, y2, 1.0])
            merged.append([line, angle, length, mid])
    return merged


def _distance(a: list, b: list) -> float:
    line = b[0]
    return abs(float(np.dot(line, np.append(a[3], 1.0)))) / math.hypot(line[0], line[1])
