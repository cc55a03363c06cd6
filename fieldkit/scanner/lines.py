"""Quadrilaterals from straight lines: the page's four sides as four lines whose crossings make a convex quad.

1. Segments: OpenCV's LSD (a line segment detector that keeps only runs of pixels whose gradients agree, with
   an a-contrario test against noise) on a "paperness" image (brightness less colour), so a white page on a
   cloth of the same brightness but another colour still has an edge.
2. Lines: collinear segments joined (a side broken by a thumb or by the white checks of a cloth is one line);
   each line keeps where along it the segments lie, as a cumulative occupancy, so "how much of the stretch
   between two corners is edge" costs two look-ups.
3. Quads: two pairs of roughly opposite lines, the pairs roughly at right angles, crossed into corners; kept
   when convex and big enough, and ranked by how much of each side is edge and how little the edge runs on
   past the corners (a cloth's stripe or a tile joint does; a page's side stops there).

Cheap and over-proposing by design: `detect.py` scores the best of them on the image itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fieldkit.scanner.geometry import next_corner, previous_corner

MAX_LINES = 36  # longest lines kept: a busy cloth gives hundreds; the page's sides are among the longest
OPPOSITE_TURN = np.radians(32)  # opposite sides of a page under a phone's perspective differ by less
CORNER_SIN = np.sin(np.radians(50))  # adjacent sides: at least this far from parallel
RUN_ON = 0.2  # how far past a corner (share of the side) an edge running on is looked for


@dataclass(frozen=True)
class Lines:
    """Lines in a small frame, as arrays (m lines)."""

    normal: np.ndarray  # (m, 2) unit normal n: the line is n . x = offset
    offset: np.ndarray  # (m,)
    direction: np.ndarray  # (m, 2) unit direction
    angle: np.ndarray  # (m,) of the direction, 0..pi
    origin: np.ndarray  # (m, 2) the point of the line where t = 0
    occupancy: np.ndarray  # (m, 2 * reach + 2) cumulative count of edge pixels along t (1 px steps)
    reach: int  # t runs from -reach to reach
    length: np.ndarray  # (m,) total length of the line's segments


MAX_SEGMENTS = 160  # the strongest segments joined into lines (joining is the costly part)
PER_BEARING = 5  # lines kept per 6-degree bearing: a cloth's stripes or a newspaper's print crowd one bearing


def segments(paperness: np.ndarray, shortest: float, faint: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """LSD segments (k, 4) at least `shortest` pixels long, strongest first, and their strength: length times
    the step across them (`faint`: fainter lines too, see FAINT_QUANT). A side of a page is a step between two
    surfaces; a printed rule, a tile joint or a thread is a thin line with the same surface on both sides, and
    counts little."""
    found = _detector(faint).detect(paperness)[0]
    if found is None:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
    found = found.reshape(-1, 4)
    lengths = np.hypot(found[:, 2] - found[:, 0], found[:, 3] - found[:, 1])
    found, lengths = found[lengths >= shortest], lengths[lengths >= shortest]
    if len(found) == 0:
        return found, lengths
    direction = (found[:, 2:] - found[:, :2]) / lengths[:, None]
    normal = np.stack([-direction[:, 1], direction[:, 0]], axis=1)
    ts = np.linspace(0.15, 0.85, 5, dtype=np.float32)
    points = found[:, None, :2] + ts[None, :, None] * (found[:, None, 2:] - found[:, None, :2])  # k, 5, 2
    # Read 3 and 6 pixels either side: a band (a joint, a thick rule) differs at 3 but not at 6.
    steps = [
        np.abs(
            np.median(
                _read(paperness, points + d * normal[:, None, :]) - _read(paperness, points - d * normal[:, None, :]),
                axis=1,
            )
        )
        for d in (3.0, 6.0)
    ]
    stepness = np.clip(np.minimum(*steps) / 24.0, 0.1, 1.0)
    strength = lengths * stepness
    order = np.argsort(-strength)[:MAX_SEGMENTS]
    return found[order], strength[order]


def _read(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    flat = points.reshape(1, -1, 2).astype(np.float32)
    values = cv2.remap(image, flat[..., 0], flat[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return values.reshape(points.shape[:-1]).astype(np.float32)


_LSD = None
_FAINT_LSD = None
# LSD counts a pixel as on a line from a gradient of about quant / sin(22.5 deg): 5 grey levels at its default
# quant of 2. A page's side on a pile of other white papers, or blurred, steps less per pixel than that. Halved,
# in the second look only (on every frame it let a cloth's threads crowd out the sides): 16 more of 1,800
# development pages found.
FAINT_QUANT = 1.0


def _detector(faint: bool = False):
    # One detector of each kind for the process: creating one costs more than a small frame's detection.
    global _LSD, _FAINT_LSD
    if faint:
        if _FAINT_LSD is None:
            _FAINT_LSD = cv2.createLineSegmentDetector(cv2.LSD_REFINE_NONE, quant=FAINT_QUANT)
        return _FAINT_LSD
    if _LSD is None:
        _LSD = cv2.createLineSegmentDetector(cv2.LSD_REFINE_NONE)
    return _LSD


def join_segments(found: np.ndarray, strength: np.ndarray, size: tuple[int, int]) -> Lines | None:
    """Collinear segments (strongest first) joined into lines; the strongest `MAX_LINES` kept, at most
    `PER_BEARING` of them per bearing."""
    if len(found) < 3:  # three sides are enough for a hypothesis (`three_sides`), four for a quad
        return None
    width, height = size
    group = _group_collinear(found, 1.0 + 0.006 * min(width, height))
    count = int(group.max()) + 1
    totals = np.bincount(group, weights=strength, minlength=count)
    founder = np.full(count, len(found))
    np.minimum.at(founder, group, np.arange(len(found)))  # the strongest segment of each group
    angles = np.arctan2(found[:, 3] - found[:, 1], found[:, 2] - found[:, 0]) % np.pi
    bearing = np.round(angles[founder] / np.radians(6)).astype(int) % 30
    keep, per_bearing = [], np.zeros(30, int)
    for g in np.argsort(-totals):
        if per_bearing[bearing[g]] < PER_BEARING:
            per_bearing[bearing[g]] += 1
            keep.append(g)
            if len(keep) == MAX_LINES:
                break
    normal, offset = _fit(found, strength, group, np.array(keep))
    direction = np.stack([normal[:, 1], -normal[:, 0]], axis=1)
    centre = np.array([width / 2, height / 2])
    origin = centre[None, :] - (normal @ centre - offset)[:, None] * normal
    reach = int(np.ceil(np.hypot(width, height) / 2)) + 2
    return Lines(
        normal=normal,
        offset=offset,
        direction=direction,
        angle=np.arctan2(direction[:, 1], direction[:, 0]) % np.pi,
        origin=origin,
        occupancy=_occupancy(found, group, np.array(keep), origin, direction, reach),
        reach=reach,
        length=totals[keep],
    )


def _group_collinear(found: np.ndarray, tolerance: float) -> np.ndarray:
    """A group number per segment: each group is founded by its strongest segment and takes every weaker
    one lying along it (within 3 degrees, its middle within `tolerance` pixels of the founder's line)."""
    angles = np.arctan2(found[:, 3] - found[:, 1], found[:, 2] - found[:, 0]) % np.pi
    normals = np.stack([-np.sin(angles), np.cos(angles)], axis=1)
    mids = (found[:, :2] + found[:, 2:]) / 2
    offsets = np.sum(normals * mids, axis=1)
    turn = np.abs((angles[:, None] - angles[None, :] + np.pi / 2) % np.pi - np.pi / 2)
    apart = np.abs(mids @ normals.T - offsets[None, :])  # [k, f]: segment k's middle from f's line
    along = (np.radians(3) > turn.T) & (tolerance > apart.T)  # [f, k]: k lies along f
    group = np.full(len(found), -1)
    count = 0
    for k in range(len(found)):
        if group[k] < 0:
            group[along[k] & (group < 0)] = count
            group[k] = count
            count += 1
    return group


def _occupancy(
    found: np.ndarray, group: np.ndarray, keep: np.ndarray, origin: np.ndarray, direction: np.ndarray, reach: int
) -> np.ndarray:
    """Per kept line, the cumulative count of pixels (1 px steps of t from -reach) its segments cover."""
    row = np.full(int(group.max()) + 1, -1)
    row[keep] = np.arange(len(keep))
    members = np.flatnonzero(row[group] >= 0)
    rows = row[group[members]]
    t1 = np.sum((found[members, :2] - origin[rows]) * direction[rows], axis=1)
    t2 = np.sum((found[members, 2:] - origin[rows]) * direction[rows], axis=1)
    lo = np.clip(np.round(np.minimum(t1, t2)).astype(int) + reach, 0, 2 * reach)
    hi = np.clip(np.round(np.maximum(t1, t2)).astype(int) + reach + 1, 0, 2 * reach + 1)
    marks = np.zeros((len(keep), 2 * reach + 2), np.float32)
    np.add.at(marks, (rows, lo), 1.0)
    np.add.at(marks, (rows, hi), -1.0)
    covered = (np.cumsum(marks, axis=1)[:, :-1] > 0).astype(np.float32)
    return np.concatenate([np.zeros((len(keep), 1), np.float32), np.cumsum(covered, axis=1)], axis=1)


def _fit(found: np.ndarray, strength: np.ndarray, group: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per kept group, the weighted total-least-squares line through its segments' ends (weighted by the
    segments' strength): unit normals (m, 2) and offsets (m,). The 2x2 scatter's principal axis in closed
    form, all groups at once (an SVD per line cost more than the rest of the joining)."""
    row = np.full(int(group.max()) + 1, -1)
    row[keep] = np.arange(len(keep))
    members = np.flatnonzero(row[group] >= 0)
    rows = np.repeat(row[group[members]], 2)
    points = found[members].reshape(-1, 2).astype(np.float64)
    weights = np.repeat(strength[members], 2).astype(np.float64)
    m = len(keep)
    total = np.bincount(rows, weights, m)
    mean = np.stack([np.bincount(rows, weights * points[:, k], m) for k in (0, 1)], axis=1) / total[:, None]
    d = points - mean[rows]
    sxx = np.bincount(rows, weights * d[:, 0] * d[:, 0], m)
    syy = np.bincount(rows, weights * d[:, 1] * d[:, 1], m)
    sxy = np.bincount(rows, weights * d[:, 0] * d[:, 1], m)
    theta = 0.5 * np.arctan2(2 * sxy, sxx - syy)  # the principal (along-the-line) direction
    normal = np.stack([-np.sin(theta), np.cos(theta)], axis=1)
    return normal, np.sum(normal * mean, axis=1)


def line_quads(lines: Lines, size: tuple[int, int], min_area: float, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to `limit` quads (n, 4, 2) from pairs of pairs of lines, best first, with their line support (n,)."""
    i, j = _opposite_pairs(lines, size)
    if len(i) < 2:
        return np.zeros((0, 4, 2), np.float32), np.zeros(0)
    mean_angle = _mean_angle(lines.angle[i], lines.angle[j])
    p, q = np.triu_indices(len(i), 1)
    crossing = np.abs(np.sin(mean_angle[p] - mean_angle[q])) > CORNER_SIN
    p, q = p[crossing], q[crossing]
    # Sides in order around the quad: a1, b1, a2, b2 (a from one pair, b from the other).
    sides = np.stack([i[p], i[q], j[p], j[q]], axis=1)
    corners = _crossings(lines, previous_corner(sides), sides)  # corner k: side k-1 meets side k
    valid = np.isfinite(corners).all(axis=(1, 2))
    sides, corners = sides[valid], corners[valid]
    keep = _plausible(corners, size, min_area)
    sides, corners = sides[keep], corners[keep]
    if len(sides) == 0:
        return np.zeros((0, 4, 2), np.float32), np.zeros(0)
    support = _support(lines, sides, corners)
    order = np.argsort(-support)[:limit]
    return corners[order].astype(np.float32), support[order]


def _opposite_pairs(lines: Lines, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of lines (i, j) that could be opposite sides: nearly parallel and apart (measured at the
    midpoint between the lines' origins)."""
    i, j = np.triu_indices(len(lines.angle), 1)
    turn = np.abs((lines.angle[i] - lines.angle[j] + np.pi / 2) % np.pi - np.pi / 2)
    gap = np.abs(np.sum(lines.normal[j] * (lines.origin[i] + lines.origin[j]) / 2, axis=1) - lines.offset[j])
    gap += np.abs(np.sum(lines.normal[i] * (lines.origin[i] + lines.origin[j]) / 2, axis=1) - lines.offset[i])
    good = (turn < OPPOSITE_TURN) & (gap > 0.16 * min(size))
    return i[good], j[good]


def _mean_angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.angle(np.exp(2j * a) + np.exp(2j * b)) / 2


def _crossings(lines: Lines, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Where line first[..., k] meets second[..., k]: (..., 2); inf where they are parallel."""
    n1, c1 = lines.normal[first], lines.offset[first]
    n2, c2 = lines.normal[second], lines.offset[second]
    det = n1[..., 0] * n2[..., 1] - n1[..., 1] * n2[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (c1 * n2[..., 1] - c2 * n1[..., 1]) / det
        y = (n1[..., 0] * c2 - n2[..., 0] * c1) / det
    out = np.stack([x, y], axis=-1)
    out[np.abs(det) < 1e-6] = np.inf
    return out


def _plausible(corners: np.ndarray, size: tuple[int, int], min_area: float) -> np.ndarray:
    """Convex, big enough, inside the frame (with a little slack) and not absurdly shaped."""
    width, height = size
    edges = next_corner(corners) - corners
    turn = next_corner(edges)
    cross = edges[..., 0] * turn[..., 1] - edges[..., 1] * turn[..., 0]
    convex = np.all(cross > 0, axis=1) | np.all(cross < 0, axis=1)
    x, y = corners[..., 0], corners[..., 1]
    area = 0.5 * np.abs(np.sum(x * next_corner(y) - y * next_corner(x), axis=1))
    slack = 0.03 * max(width, height)
    inside = (x > -slack).all(axis=1) & (x < width + slack).all(axis=1)
    inside &= (y > -slack).all(axis=1) & (y < height + slack).all(axis=1)
    sides = np.linalg.norm(edges, axis=2)
    shortest = sides.min(axis=1) >= 0.08 * min(width, height)
    return convex & inside & shortest & (area >= min_area)


def _support(lines: Lines, sides: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Per quad: how much of its sides the segments cover, less how far they run on past its corners."""
    start, end = corners, next_corner(corners)  # side k runs from corner k to corner k+1
    origin, direction = lines.origin[sides], lines.direction[sides]
    t1 = np.sum((start - origin) * direction, axis=2)
    t2 = np.sum((end - origin) * direction, axis=2)
    lo, hi = np.minimum(t1, t2), np.maximum(t1, t2)
    span = np.maximum(hi - lo, 1.0)
    covered = _occupied(lines, sides, lo, hi) / span
    run = RUN_ON * span
    beyond = np.minimum(_occupied(lines, sides, lo - run, lo), _occupied(lines, sides, hi, hi + run)) / run
    per_side = covered - 0.7 * beyond
    return 0.5 * per_side.mean(axis=1) + 0.5 * per_side.min(axis=1)


def _occupied(lines: Lines, sides: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    last = lines.occupancy.shape[1] - 1
    a = np.clip(np.round(lo).astype(np.int64) + lines.reach, 0, last)
    b = np.clip(np.round(hi).astype(np.int64) + lines.reach + 1, 0, last)
    return lines.occupancy[sides, b] - lines.occupancy[sides, a]


@dataclass(frozen=True)
class ThreeSides:
    """Three sides of a page whose fourth edge was not found as a line (a white card on white paper, a side
    in glare): side k between two roughly parallel lines i and j; (n triples)."""

    near: np.ndarray  # (n, 2, 2) the corners where k meets i and j
    away: np.ndarray  # (n, 2, 2) unit directions along i and j, away from k, towards the missing side
    span: np.ndarray  # (n,) the length of side k between its corners


def three_sides(lines: Lines, size: tuple[int, int], limit: int) -> ThreeSides:
    """The best `limit` triples of lines that look like three sides of a page: a well-covered side k whose
    edge stops at its corners, and the two sides crossing it leaving those corners on the same side of k."""
    width, height = size
    i, j = _opposite_pairs(lines, size)
    pair, k = np.nonzero(
        np.abs(np.sin(_mean_angle(lines.angle[i], lines.angle[j])[:, None] - lines.angle[None, :])) > CORNER_SIN
    )
    i, j = i[pair], j[pair]
    empty = ThreeSides(np.zeros((0, 2, 2)), np.zeros((0, 2, 2)), np.zeros(0))
    if len(k) == 0:
        return empty
    near = np.stack([_crossings(lines, k, i), _crossings(lines, k, j)], axis=1)  # n, 2, 2
    slack = 0.03 * max(width, height)
    inside = np.isfinite(near).all(axis=(1, 2))
    inside &= (near[..., 0] > -slack).all(axis=1) & (near[..., 0] < width + slack).all(axis=1)
    inside &= (near[..., 1] > -slack).all(axis=1) & (near[..., 1] < height + slack).all(axis=1)
    span = np.linalg.norm(near[:, 1] - near[:, 0], axis=1)
    keep = inside & (span >= 0.12 * min(width, height))
    i, j, k, near, span = i[keep], j[keep], k[keep], near[keep], span[keep]
    if len(k) == 0:
        return empty
    # Side k: covered between its corners, not running on past them.
    t = np.sum((near - lines.origin[k][:, None, :]) * lines.direction[k][:, None, :], axis=2)  # n, 2
    lo, hi = t.min(axis=1), t.max(axis=1)
    ks = k[:, None]
    covered = _occupied(lines, ks, lo[:, None], hi[:, None])[:, 0] / np.maximum(span, 1.0)
    run = RUN_ON * span
    beyond = np.maximum(
        _occupied(lines, ks, (lo - run)[:, None], lo[:, None])[:, 0],
        _occupied(lines, ks, hi[:, None], (hi + run)[:, None])[:, 0],
    ) / np.maximum(run, 1.0)
    # Sides i and j, each way from its corner: the page lies on the side of k where both are edge.
    sides = np.stack([i, j], axis=1)  # n, 2
    direction = lines.direction[sides]  # n, 2, 2
    towards = np.sign(np.sum(direction * lines.normal[k][:, None, :], axis=2))[..., None]  # +: to k's normal side
    direction = direction * np.where(towards == 0, 1.0, towards)
    t0 = np.sum((near - lines.origin[sides]) * lines.direction[sides], axis=2)  # n, 2
    reach = 0.5 * span[:, None]
    best_support, best_away = None, None
    for way in (1.0, -1.0):
        along = np.sign(np.sum(direction * lines.direction[sides], axis=2)) * way  # + : along t
        a = np.where(along > 0, t0, t0 - reach)
        b = np.where(along > 0, t0 + reach, t0)
        share = _occupied(lines, sides, a, b) / reach  # n, 2
        support = covered - 0.7 * beyond + 0.5 * share.min(axis=1)
        if best_support is None:
            best_support, best_away = support, direction * way
        else:
            better = support > best_support
            best_support = np.where(better, support, best_support)
            best_away = np.where(better[:, None, None], direction * way, best_away)
    order = np.argsort(-best_support)[:limit]
    return ThreeSides(near[order], best_away[order], span[order])
