"""Corner refinement at full resolution: each side of a rough quad is moved onto the page's true edge.

Along each side, short profiles are read across it (bilinear, all three colour channels); on each profile the
strongest step from the page's paper to what lies outside gives an edge point to sub-pixel precision (a step
with paper beyond it is print on the page, a certificate's frame, and is passed over). A robust line fit
through those points (points on a thumb or a shadow disagree and are dropped) gives the side, and the four
sides crossed give the corners — so a corner hidden under a finger is still placed where the edges meet.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fieldkit.scanner.geometry import border_line, intersect, is_convex, order_corners, quad_grid


@dataclass(frozen=True)
class SideFit:
    line: np.ndarray  # homogeneous line
    inliers: float  # share of profiles that found the edge, 0..1
    step: float  # median edge strength (grey levels)


def refine_quad(
    image: np.ndarray,
    quad: np.ndarray,
    reach: float,
    samples: int = 40,
    paper: np.ndarray | None = None,
    cut: int | None = None,
) -> tuple[np.ndarray, float]:
    """The quad with each side fitted to the image's edge within `reach` pixels; and the share of the outline
    that was found on an edge (0..1), a direct measure of how much of the page's border the image supports.
    `paper`: the page's paper colour (`paper_colour`), when the caller has it already. `cut`: the side that
    lies along the frame's border (the page runs out of the picture): it stays on the border and the share
    is of the other three."""
    quad = quad.astype(np.float64)
    fits = _fit_sides(image, quad, reach, samples, paper_colour(image, quad) if paper is None else paper)
    lines = [None if f is None else f.line for f in fits]
    if cut is not None:  # not fitted: no edge of the page's own lies there
        fits[cut] = None
        lines[cut] = border_line(quad[cut], quad[(cut + 1) % 4], image.shape[1::-1])
    corners = []
    for i in range(4):
        before, after = lines[(i - 1) % 4], lines[i]
        if before is None or after is None:
            corners.append(quad[i])
            continue
        point = intersect(before, after)
        corners.append(quad[i] if point is None else point)
    refined = np.array(corners, np.float32)
    # A refinement that jumps far or folds the quad found some other edge: keep the rough corners then.
    moved = np.linalg.norm(refined - quad, axis=1)
    if not is_convex(refined) or np.any(moved > 2.5 * reach):
        refined = quad.astype(np.float32)
    seen = [f for i, f in enumerate(fits) if i != cut]
    support = float(np.mean([0.0 if f is None else f.inliers for f in seen]))
    return refined, support


# A hand-placed outline (the corner editor's "snap to edges"): how far round each side the paper's edge is looked
# for, as shares of the photo's longer side. A corner placed with the magnifier lands within a few of the photo's
# pixels, where a wide search can take a stronger edge beside the page (another sheet, a newspaper's column); a
# rough one (12 px off) needs the wide search. Both are fitted and the one with more of the outline on an edge
# kept (80 generated 720p frames, corners 3 / 6 / 12 px off: 77 / 77 / 75 within 2 px; the wide search alone
# 74 / 73 / 73, the narrow one first 78 / 78 / 63).
HAND_REACHES = (0.006, 0.015)
HAND_SUPPORT = 0.5  # the share of the outline that must lie on an edge


def snap_to_edges(image: np.ndarray, quad: np.ndarray) -> np.ndarray | None:
    """A hand-placed outline (TL, TR, BR, BL) with its sides moved onto the paper's edges near them, as the
    detector fits its own (a pass at each reach, then a tight one); None when too little of the outline lies on
    an edge at either reach, and the user's corners stand."""
    quad = order_corners(quad)
    paper = paper_colour(image, quad.astype(np.float64))
    best, best_support = None, 0.0
    for share in HAND_REACHES:
        reach = max(4.0, share * max(image.shape[:2]))
        refined, support = refine_quad(image, quad, reach, paper=paper)
        if support < HAND_SUPPORT:
            continue
        refined, support = refine_quad(image, refined, max(2.0, reach / 4), paper=paper)
        if support >= HAND_SUPPORT and support > best_support:
            best, best_support = order_corners(refined), support
    return best


def _fit_sides(
    image: np.ndarray, quad: np.ndarray, reach: float, samples: int, paper: np.ndarray
) -> list[SideFit | None]:
    """Each side's fit (None where too little edge was found). The profiles of all four sides are read and
    differentiated together (one remap: per-side calls cost more than the arithmetic); the fits are per side."""
    centre = quad.mean(axis=0)
    steps = max(5, int(np.ceil(reach)) * 2 + 1)
    offsets = np.linspace(-reach, reach, steps)
    spacing = offsets[1] - offsets[0]
    sides, rows = [], []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        direction = b - a
        length = float(np.linalg.norm(direction))
        if length < 8:
            sides.append(None)
            continue
        direction = direction / length
        normal = np.array([-direction[1], direction[0]])
        if np.dot(normal, centre - (a + b) / 2) > 0:
            normal = -normal  # pointing out of the page
        count = int(min(samples, max(8, length / 4)))
        along = np.linspace(0.06, 0.94, count)
        base = a[None, :] + along[:, None] * (b - a)[None, :]
        sides.append((base, normal, along, (a, b)))
        rows.append(base[:, None, :] + offsets[None, :, None] * normal[None, None, :])
    if not rows:
        return [None] * 4
    points = np.concatenate(rows)
    profiles = cv2.remap(
        image,
        points[..., 0].astype(np.float32),
        points[..., 1].astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    ).astype(np.float32)
    if profiles.ndim == 2:
        profiles = profiles[..., None]
    profiles = cv2.GaussianBlur(profiles, (3, 1), 0).reshape(profiles.shape)  # along each profile only
    off_paper = np.abs(profiles - paper[None, None, :]).max(axis=2)  # n, steps: largest channel difference
    # Derivative across the side, outward: inside minus outside per channel, the channels' signs kept so a
    # colour edge with no brightness change still counts.
    deriv = np.zeros_like(profiles)
    deriv[:, 1:-1] = (profiles[:, :-2] - profiles[:, 2:]) / 2.0
    # Per sample and channel: is the paper brighter or darker than what lies outside the side? Judged from the
    # page's own paper, not the profile's inner end, which may lie on print (a certificate's frame).
    nearest = np.argmin(off_paper[:, : steps // 2], axis=1)  # the inner half's most paper-like sample
    polarity = np.sign(profiles[np.arange(len(profiles)), nearest][:, None, :] - profiles[:, -1:, :])
    strength = np.sum(deriv * polarity, axis=2)  # combine channels with their own polarity
    strength[:, :1] = strength[:, -1:] = -np.inf
    # A printed frame's inner edge is as strong as the paper's own: a step with paper beyond it is print.
    # Print is kept only where no other real step is left (at least 12 levels and a fifth of the strongest):
    # paper on a table of nearly its own colour has "paper" beyond its very edge.
    strength = _unless_none_left(strength, _print_edges(off_paper < PAPER_LEVELS))
    # The page's edge has the page's paper just inside it. A stronger step further out is something beside
    # the page: a newspaper's line of print, a tile's joint (development frames: 0.9688 -> 0.9700, newspaper
    # 0.956 -> 0.961, tiles 0.986 -> 0.990, page-less frames taken for a page 18 -> 15). Not a white sheet
    # under the page: that is paper too (a pile of papers stays at 0.85).
    # Within a third of the reach (blur widens a step), and more lenient than PAPER_LEVELS: paper shades
    # towards its edge.
    within = max(3, round(reach / 3))
    strength = _unless_none_left(strength, ~_paper_inside(off_paper < PAPER_INSIDE_LEVELS, within))
    peak = np.argmax(strength, axis=1)
    index = np.arange(len(peak))
    values = strength[index, peak]
    # Sub-pixel: the vertex of the parabola through the peak and its neighbours.
    left = strength[index, np.clip(peak - 1, 0, steps - 1)]
    right = strength[index, np.clip(peak + 1, 0, steps - 1)]
    denom = left - 2 * values + right
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = np.where(np.isfinite(denom) & (denom < 0), 0.5 * (left - right) / np.where(denom == 0, 1, denom), 0.0)
    positions = offsets[peak] + np.clip(shift, -1, 1) * spacing
    fits: list[SideFit | None] = []
    start = 0
    for side in sides:
        if side is None:
            fits.append(None)
            continue
        base, normal, along, ends = side
        span = slice(start, start + len(base))
        start += len(base)
        edge_points = base + positions[span, None] * normal[None, :]
        fits.append(_fit_side(edge_points, values[span], peak[span], steps, reach, along, ends))
    return fits


PAPER_LEVELS = 18.0  # paper again: every channel this close to the page's own paper
PAPER_INSIDE_LEVELS = 30.0  # paper just inside a side: every channel this close (12, 18: 0.9699, 0.9700)


def paper_colour(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The page's paper: the median colour over a grid inside the quad (print covers little of a page)."""
    grid = quad_grid(quad[None], 0.8, 9).astype(np.float32)
    values = cv2.remap(image, grid[..., 0], grid[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.median(values.reshape(grid.shape[1], -1).astype(np.float32), axis=0)


def _unless_none_left(strength: np.ndarray, ruled_out: np.ndarray) -> np.ndarray:
    """The steps (n, steps) without the `ruled_out` positions, on each profile where a real step is left (at
    least 12 levels and a fifth of the strongest); the profile as it was where none is."""
    kept = np.where(ruled_out, -np.inf, strength)
    real = kept.max(axis=1, keepdims=True) >= np.maximum(12.0, 0.2 * strength.max(axis=1, keepdims=True))
    return np.where(real, kept, strength)


def _paper_inside(near_paper: np.ndarray, within: int) -> np.ndarray:
    """(n, steps) bool: paper (`near_paper`, n, steps) lies at most `within` samples inward of each position."""
    inside = np.zeros_like(near_paper)
    for k in range(1, within + 1):
        inside[:, k:] |= near_paper[:, :-k]
    return inside


def _print_edges(near_paper: np.ndarray) -> np.ndarray:
    """(n, steps) bool, from where each profile is paper (n, steps): the positions with paper again two or more
    samples further out. A step there is print on the page (a certificate's frame, a table's rule), not the
    page's edge."""
    steps = near_paper.shape[1]
    last = np.where(near_paper.any(axis=1), steps - 1 - np.argmax(near_paper[:, ::-1], axis=1), -1)  # outermost
    return np.arange(steps)[None, :] + 2 <= last[:, None]


def _fit_side(
    edge_points: np.ndarray,
    values: np.ndarray,
    peak: np.ndarray,
    steps: int,
    reach: float,
    along: np.ndarray,
    ends: tuple[np.ndarray, np.ndarray],
) -> SideFit | None:
    """A side's line through its profiles' edge points (`values`: the step found on each, at index `peak`;
    `along`: where on the rough side, 0..1, each profile was read; `ends`: the rough side's corners). A bowed
    side (paper is rarely flat) gives the chord between its ends."""
    count = len(values)
    finite = np.isfinite(values)
    typical = _median(values[finite]) if finite.any() else 0.0
    good = finite & (values > max(4.0, 0.35 * typical)) & (peak > 1) & (peak < steps - 2)
    if good.sum() < max(4, count // 4):
        return None
    line = _robust_line(edge_points[good])
    if line is None:
        return None
    tolerance = max(1.0, 0.15 * reach)
    signed = edge_points @ line[:2] + line[2]
    residual = np.abs(signed)
    bowed = _bowed_chord(edge_points, along, good, ends, signed)
    if bowed is not None:
        line, residual = bowed
    inliers = good & (residual < tolerance)
    return SideFit(line, float(inliers.sum()) / count, typical)


BOW_PIXELS = 1.0  # a side bowed by less than this (at its middle) is fitted as a straight line
BOW_SHARE = 0.05  # nor one bowed by more than this share of its length: that is not one edge
BOW_CLIP = 12.0  # pixels: a point further than this from the straight line is not on a bow
BOW_SEEN = 0.6  # the share of the side's profiles that must find its edge for its shape to be judged
BOW_KEEP = 0.8  # the share of the side's edge points the curve must run through
BOW_FIT = 0.35  # and it must fit them this much more closely than the straight line (median distance)


def _bowed_chord(
    points: np.ndarray, along: np.ndarray, good: np.ndarray, ends: tuple[np.ndarray, np.ndarray], signed: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """For a side that bows (a page lifting or curling, a hand-held sheet; a straight line through it puts
    both corners off by part of the bow): the chord between the ends of a parabola fitted through its edge
    points, as a homogeneous line, and each point's distance from the parabola. None when the side is not
    clearly bowed: then the straight line stands. `along`: each point's place on the side (0..1); `signed`:
    its signed distance from the straight line."""
    if not _looks_bowed(along, good, signed):
        return None
    a, b = (np.asarray(end, np.float64) for end in ends)
    length = float(np.linalg.norm(b - a))
    direction = (b - a) / length
    normal = np.array([-direction[1], direction[0]])
    r = (points - a) @ normal
    terms = np.stack([along * along, along, np.ones_like(along)], axis=1)
    keep = good
    for _ in range(2):
        kept = terms[keep]
        coeffs = np.linalg.solve(kept.T @ kept, kept.T @ r[keep])  # least squares (a third of lstsq's time)
        curve_residual = np.abs(terms @ coeffs - r)
        keep = good & (curve_residual < max(1.0, 2.5 * _median(curve_residual[good])))
        if keep.sum() < 8:
            return None
    sagitta = abs(coeffs[0]) / 4
    vertex = -coeffs[1] / (2 * coeffs[0]) if coeffs[0] else -1.0
    if not BOW_PIXELS <= sagitta <= BOW_SHARE * length or not 0.25 <= vertex <= 0.75:
        return None  # too slight to matter, too strong for one edge, or a kink (another edge) near one end
    if keep.sum() < BOW_KEEP * good.sum():
        return None
    if _median(curve_residual[keep]) > BOW_FIT * _median(np.abs(signed[keep])):
        return None
    start, end = (a + t * (b - a) + (coeffs @ (t * t, t, 1.0)) * normal for t in (0.0, 1.0))
    chord = np.cross(np.append(start, 1.0), np.append(end, 1.0))
    return chord / np.hypot(chord[0], chord[1]), curve_residual


def _looks_bowed(along: np.ndarray, good: np.ndarray, signed: np.ndarray) -> bool:
    """A cheap first look (most sides are straight, and this runs for every side fitted): enough of the side
    seen, its middle off the straight line one way and its ends the other, most points agreeing (not a few far
    off: a thumb, another sheet's edge caught by some profiles). For a parabola the two means differ by about
    0.55 of its bow. Means of clipped distances, not medians: a third of the cost."""
    if np.count_nonzero(good) < BOW_SEEN * len(good):
        return False
    centred = np.abs(along - 0.5)
    clipped = np.clip(signed, -BOW_CLIP, BOW_CLIP)
    middle, outer = clipped[good & (centred < 0.15)], clipped[good & (centred > 0.3)]
    if len(middle) < 3 or len(outer) < 3:
        return False
    bulge = middle.mean() - outer.mean()
    if abs(bulge) < 0.45 * BOW_PIXELS:
        return False
    agree = min(np.mean((middle > outer.mean()) == (bulge > 0)), np.mean((outer < middle.mean()) == (bulge > 0)))
    return bool(agree >= 0.7)


def _robust_line(points: np.ndarray) -> np.ndarray | None:
    """A Huber line fit, then a refit on the points within 1.5 pixels of it."""
    for _ in range(2):
        if len(points) < 3:
            return None
        vx, vy, x0, y0 = cv2.fitLine(points.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        line = np.array([vy, -vx, vx * y0 - vy * x0], np.float64)  # normalised: a^2 + b^2 = 1
        residual = np.abs(points @ line[:2] + line[2])
        close = residual < max(1.5, _median(residual) * 2.5)
        if close.all():
            break
        points = points[close]
    return line


def _median(values: np.ndarray) -> float:
    """np.median of a short 1-d array, by partition: the same value at a sixth of the cost (np.median's own
    overhead dominates at a side's 40 points, and a frame's fit takes a few dozen)."""
    count = len(values)
    half = count // 2
    if count % 2:
        return float(np.partition(values, half)[half])
    pair = np.partition(values, (half - 1, half))
    return float((pair[half - 1] + pair[half]) / 2)
