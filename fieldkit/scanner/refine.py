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

from fieldkit.scanner.geometry import intersect, is_convex, quad_grid


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
        lines[cut] = _border_line(quad[cut], quad[(cut + 1) % 4], image.shape[1::-1])
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


def _border_line(a: np.ndarray, b: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The frame's border nearest the side from `a` to `b`, as a homogeneous line."""
    width, height = size
    x, y = (a + b) / 2
    gaps = [abs(x), abs(width - 1 - x), abs(y), abs(height - 1 - y)]
    lines = [(1.0, 0.0, 0.0), (1.0, 0.0, -(width - 1.0)), (0.0, 1.0, 0.0), (0.0, 1.0, -(height - 1.0))]
    return np.array(lines[int(np.argmin(gaps))])


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
        base = a[None, :] + np.linspace(0.06, 0.94, count)[:, None] * (b - a)[None, :]
        sides.append((base, normal))
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
    paper_edge = np.where(_print_edges(off_paper < PAPER_LEVELS), -np.inf, strength)
    trusted = paper_edge.max(axis=1, keepdims=True) >= np.maximum(12.0, 0.2 * strength.max(axis=1, keepdims=True))
    strength = np.where(trusted, paper_edge, strength)
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
        base, normal = side
        span = slice(start, start + len(base))
        start += len(base)
        fits.append(_fit_side(base + positions[span, None] * normal[None, :], values[span], peak[span], steps, reach))
    return fits


PAPER_LEVELS = 18.0  # paper again: every channel this close to the page's own paper


def paper_colour(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The page's paper: the median colour over a grid inside the quad (print covers little of a page)."""
    grid = quad_grid(quad[None], 0.8, 9).astype(np.float32)
    values = cv2.remap(image, grid[..., 0], grid[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.median(values.reshape(grid.shape[1], -1).astype(np.float32), axis=0)


def _print_edges(near_paper: np.ndarray) -> np.ndarray:
    """(n, steps) bool, from where each profile is paper (n, steps): the positions with paper again two or more
    samples further out. A step there is print on the page (a certificate's frame, a table's rule), not the
    page's edge."""
    steps = near_paper.shape[1]
    last = np.where(near_paper.any(axis=1), steps - 1 - np.argmax(near_paper[:, ::-1], axis=1), -1)  # outermost
    return np.arange(steps)[None, :] + 2 <= last[:, None]


def _fit_side(
    edge_points: np.ndarray, values: np.ndarray, peak: np.ndarray, steps: int, reach: float
) -> SideFit | None:
    """A side's line through its profiles' edge points (`values`: the step found on each, at index `peak`)."""
    count = len(values)
    finite = np.isfinite(values)
    typical = float(np.median(values[finite])) if finite.any() else 0.0
    good = finite & (values > max(4.0, 0.35 * typical)) & (peak > 1) & (peak < steps - 2)
    if good.sum() < max(4, count // 4):
        return None
    line = _robust_line(edge_points[good])
    if line is None:
        return None
    residual = np.abs(edge_points @ line[:2] + line[2])
    inliers = good & (residual < max(1.0, 0.15 * reach))
    return SideFit(line, float(inliers.sum()) / count, typical)


def _robust_line(points: np.ndarray) -> np.ndarray | None:
    """A Huber line fit, then a refit on the points within 1.5 pixels of it."""
    for _ in range(2):
        if len(points) < 3:
            return None
        vx, vy, x0, y0 = cv2.fitLine(points.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        line = np.array([vy, -vx, vx * y0 - vy * x0], np.float64)  # normalised: a^2 + b^2 = 1
        residual = np.abs(points @ line[:2] + line[2])
        close = residual < max(1.5, float(np.median(residual)) * 2.5)
        if close.all():
            break
        points = points[close]
    return line
