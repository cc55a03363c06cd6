"""How much a quadrilateral looks like the outline of a paper in a (small) frame, for many quads at once.

Judged on the image, not on how the quad was found:
- edge: along each side, a gradient across the side, and a step (the colour just inside differs from just
  outside: a printed line or a cloth's stripe has the same colour on both sides);
- margin: the strip just inside each side is even (a page's border is blank paper; a row of checks is not);
- ends: each side's edge stops near the corners (a tile joint or a stripe runs on past both ends);
- paper: the inside is light and has little colour;
- shape: a plausible view of a rectangle; size: larger pages are a little likelier.
A side with no support pulls the whole score down, so a quad spanning page and table loses to the page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fieldkit.scanner.geometry import (
    next_corner,
    polygon_areas,
    previous_corner,
    quad_grid,
    quad_sides,
    rectangle_ratios,
)
from fieldkit.scanner.paper import TYPICAL_FOCAL_PER_WIDTH


@dataclass
class Views:
    """The small frame and what scoring needs from it, computed once per frame."""

    scale: float  # small pixels per full pixel
    colour: np.ndarray  # BGR uint8
    grey: np.ndarray
    gx: np.ndarray  # gradient of the strongest channel, int16
    gy: np.ndarray
    gradient: np.ndarray  # the same as one int16 image of two channels (x, y), for sampling
    edge_floor: float  # a gradient this strong counts as a full edge
    light: float  # the frame's bright end (97th percentile of grey): what white paper looks like here
    paperness: np.ndarray  # brightness less colour, print erased (median): surfaces without their print
    surface_edges: np.ndarray  # gradient magnitude of `paperness`: where one surface meets another
    chroma: np.ndarray  # per pixel, the brightest channel less the dimmest: colourless paper is low

    @property
    def size(self) -> tuple[int, int]:
        return self.grey.shape[1], self.grey.shape[0]


SAMPLES = 20  # points along each side
ALONG_SIDE = np.linspace(0.04, 0.96, SAMPLES, dtype=np.float32)  # where on a side (0..1) its points are read
ALONG_SIDE_INNER = np.linspace(0.06, 0.94, SAMPLES, dtype=np.float32)  # the same, further from the corners
PAST_CORNER = np.linspace(0.025, 0.25, 8, dtype=np.float32)  # how far past a corner (share of the side) runs-on is read
STEP_REACH = 3.0  # pixels either side of a side where "inside" and "outside" colours are read
STEP_LEVELS = 7.0  # a difference this large (grey levels, in any channel) across a side is a step
GLARE = 250  # every channel this bright on both sides of a side: blown out, no edge can show there
TELLING_SIDE = 0.3  # share of a side's points outside glare for the side to be judged
FRAME_INSET = 1.5  # pixels: a side with both ends this near one border of the frame lies along it


FEATURES = (
    "edge",  # sides: share of each side on an edge across it, one polarity (mean of the four)
    "weakest",  # the same, the weakest side
    "step",  # sides: share where the surface inside differs from the one outside (the weakest side)
    "runs_on",  # corners: how far each side's line runs on past them (a joint does; a page's side stops; print
    # lines or stripes beside the line as well as on it are texture, not the line going on)
    "paper",  # inside: share that is light and colourless like paper (tinted paper at half weight)
    "margin",  # inside: the strip along each side is the same surface as the middle (the worst side)
    "uniform",  # inside: share that is the same surface as the middle (print erased; a cloth's checks are not)
    "crossed",  # inside: share crossed by an edge between surfaces (another sheet's edge, a cloth's stripe)
    "skew",  # shape: how far the worst corner is from square
    "size",  # the quad's share of the frame (square root)
    "aspect",  # log distance of the outline's aspect from the nearest paper's (A4, letter, ID card), as drawn or as a
    # perspective view (`_off_paper_shape`); 0 if cut
    "cut",  # a side along the frame's border: the page runs out of the picture (or it is something else that does)
)
# Logistic weights over FEATURES (and a bias): the log-odds that a quad is a page's outline. Fitted on
# generated frames of development seeds (never the benchmark's), then rounded; the signs are what one expects.
# runs_on's weight was raised by half when it came to judge both ends (which picked better on development seeds).
# cut's was set by hand (development frames and pages slid out of view), with a cut outline's aspect not judged:
# -2.5 lost a page on tiles to an outline running out of the frame and took two more empty frames for pages;
# -3.5 found fewer pages cut by a tenth of the frame (0.69 against 0.76).
# When print lines past a corner stopped counting as the side running on (`_continuing`), every outline on a
# printed or striped surface scored higher: the bias went from -8.2 to -8.8 (development frames: page-less
# frames taken for a page 25 -> 11), and cut from -3.0 to -2.4, so an outline running out of the picture
# scores as it did before (-11.2 together; pages 12% out of the picture 0.79 -> 0.84 on a development seed,
# page-less frames taken for a page 11 -> 16, against 15 before the change).
WEIGHTS = np.array([4.8, 0.0, 3.8, -4.4, 3.7, 0.0, 0.2, -1.3, -2.7, 1.7, -5.5, -2.4])
BIAS = -8.8
PAPER_ASPECTS = np.log([1.294, 1.414, 1.586])
# What the perspective reading of an outline's shape must win by over the reading as drawn: a few degrees of
# lean make any wide quad a view of some paper, and a page held up to the webcam with a window's edge beside
# it was taken with the window (its shape off A4 by 0.038 as drawn). Pages seen steeply are off by 0.15-0.5.
PERSPECTIVE_COST = 0.04


def score_quads(views: Views, quads: np.ndarray) -> np.ndarray:
    """Scores 0..1 (the probability that the quad is the page) for an (n, 4, 2) array of ordered quads."""
    return logistic(quad_features(views, quads) @ WEIGHTS + BIAS)


def without_cut_weight(score: float) -> float:
    """A cut outline's score as if the cut did not count against it. The weight is for choosing among
    outlines (a page wholly in view beats a sheet running out beside it); a live view following a page the
    last frame's search already chose does not choose again."""
    logit = np.log(score / max(1.0 - score, 1e-9))
    return float(logistic(logit - WEIGHTS[FEATURES.index("cut")]))


def logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def quad_features(views: Views, quads: np.ndarray) -> np.ndarray:
    """(n, len(FEATURES)) evidence for each quad, each 0..1 (see FEATURES)."""
    quads = quads.astype(np.float32)
    a, b, length, direction, normal = quad_sides(quads)  # normal: outward
    length = length[..., None]  # n, 4, 1
    ts = ALONG_SIDE
    points = a[:, :, None, :] + ts[None, None, :, None] * (b - a)[:, :, None, :]  # n, 4, S, 2
    d4, n4 = direction[:, :, None, :], normal[:, :, None, :]
    width, height = views.size
    within = (points[..., 0] >= 0) & (points[..., 0] < width) & (points[..., 1] >= 0) & (points[..., 1] < height)

    across = _signed_edge(views, points, d4, n4) * within  # n, 4, S: -1..1, + where outside is brighter
    strong = np.abs(across) > 0.35
    inner = sample(views.colour, points - STEP_REACH * n4)
    outer = sample(views.colour, points + STEP_REACH * n4)
    # A step of 7 levels in some channel: white paper on a pale pink or cream cloth differs by about 10 (it
    # was 14, and such pages were lost; 5 to 9 did about as well on development frames, no more false pages).
    step = (np.abs(inner - outer).max(axis=-1) > STEP_LEVELS) & within
    # Glare: where both sides of a side are blown out to white, the camera recorded no edge either way. Those
    # points say nothing (rather than "no edge"): a side's shares are of the points that can tell.
    known = ~((inner.min(axis=-1) >= GLARE) & (outer.min(axis=-1) >= GLARE))
    # A side drawn along the frame's border: the page runs out of the picture there, and the camera did not
    # see that side. It says nothing either.
    cut = cut_sides(quads, views.size)  # n, 4
    runs_out = cut.any()
    if runs_out:
        known &= ~cut[..., None]
    telling = np.maximum(known.sum(axis=2), 1)
    edge_sides = np.maximum((strong & (across > 0) & known).sum(axis=2), (strong & (across < 0) & known).sum(axis=2))
    edge_sides = edge_sides / telling
    step_sides = (step & known).sum(axis=2) / telling
    edge_mean, edge_min, step_min = _over_telling_sides(known, edge_sides, step_sides)

    tail = PAST_CORNER[None, None, :, None] * length[..., None]
    before = _continuing(views, a[:, :, None, :] - tail * d4, d4, n4).mean(axis=2)
    after = _continuing(views, b[:, :, None, :] + tail * d4, d4, n4).mean(axis=2)
    # A side meeting a side along the frame's border leaves the picture there: past that corner is nothing to
    # see (sampling would repeat the border's pixels, where the side itself crosses it).
    if runs_out:
        before = np.where(previous_corner(cut), 0.0, before)
        after = np.where(next_corner(cut), 0.0, after)
    # Judged at both ends together: a page's side stops at both of its corners. A side that runs on past one
    # corner only (a T-junction) is the edge of something longer: a sheet under the page, a table's edge.
    runs_on = np.clip((0.5 * (before + after) - 0.2) / 0.5, 0, 1)

    inside = quad_grid(quads, 0.85, 9)
    interior = sample(views.paperness, inside)
    typical = np.median(interior, axis=1)  # n
    strip = sample(views.paperness, points - 2.0 * STEP_REACH * n4)  # n, 4, S
    margin = _agrees(strip, typical[:, None, None]).min(axis=1)  # the worst side: a strip of cloth inside it
    crossed = (sample(views.surface_edges, quad_grid(quads, 0.8, 10)) > 0.6 * views.edge_floor).mean(axis=1)

    aspect = np.minimum(1.0, _off_paper_shape(quads, length[..., 0], (width, height)) / 0.3)
    partial = cut.any(axis=1)
    if runs_out:  # a page running out of the picture shows a part of any proportions: its shape says nothing
        aspect = np.where(partial, 0.0, aspect)
    skew = np.clip((np.abs(_angles(quads) - 90).max(axis=1) - 10) / 35, 0, 1)
    return np.stack(
        [
            edge_mean,
            edge_min,
            step_min,
            runs_on.mean(axis=1),
            _paper_likeness(views, inside),
            margin,
            _agrees(interior, typical[:, None]),
            crossed,
            skew,
            np.minimum(1.0, np.sqrt(polygon_areas(quads) / (width * height))),
            aspect,
            partial,
        ],
        axis=1,
    )


def cut_sides(quads: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Which sides of ordered quads (n, 4, 2) (side k from corner k to k+1) are where a page runs out of the
    picture: along one border of the frame (both ends within FRAME_INSET of it), and the quad's only such side
    (two make a corner of something bigger than the frame)."""
    low = quads <= FRAME_INSET
    high = quads >= np.array(size, np.float32) - 1.0 - FRAME_INSET
    if not (low.any() or high.any()):  # the usual case, answered at once: no corner near the border
        return np.zeros(quads.shape[:2], bool)
    along = ((low & next_corner(low)) | (high & next_corner(high))).any(axis=-1)
    return along & (along.sum(axis=1, keepdims=True) == 1)


def cut_side(quad: np.ndarray, size: tuple[int, int]) -> int | None:
    """The side of one ordered quad (4, 2) where the page runs out of the picture, if any (see cut_sides)."""
    cut = cut_sides(np.asarray(quad, np.float32)[None], size)[0]
    return int(np.argmax(cut)) if cut.any() else None


def _over_telling_sides(
    known: np.ndarray, edge_sides: np.ndarray, step_sides: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mean and weakest side's edge share and the weakest side's step share, over the sides that can tell
    (most of a side lost in glare says nothing about it); over all four unless at least two can tell, so an
    outline drawn in the middle of a glare is not believed for want of evidence against it."""
    telling = known.mean(axis=2) >= TELLING_SIDE  # n, 4
    count = telling.sum(axis=1)
    judged = np.where((count >= 2)[:, None], telling, True)
    mean = (edge_sides * judged).sum(axis=1) / judged.sum(axis=1)
    return mean, np.where(judged, edge_sides, 1.0).min(axis=1), np.where(judged, step_sides, 1.0).min(axis=1)


def _signed_edge(views: Views, points: np.ndarray, direction: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """-1..1 per point: the gradient across the line (signed: + where it grows outward), the strongest of the
    line and a pixel either side, and 0 where the gradient runs along the line rather than across it."""
    best = None
    for offset in (-1.0, 0.0, 1.0):
        gradient = sample(views.gradient, points + offset * normal)
        gx, gy = gradient[..., 0], gradient[..., 1]
        along = gx * normal[..., 0] + gy * normal[..., 1]
        sideways = np.abs(gx * direction[..., 0] + gy * direction[..., 1])
        value = np.where(np.abs(along) > 1.5 * sideways, along, 0.0)
        best = value if best is None else np.where(np.abs(value) > np.abs(best), value, best)
    return np.clip(best / views.edge_floor, -1, 1)


def edge_along(
    views: Views, points: np.ndarray, direction: np.ndarray, normal: np.ndarray, offsets=(-1.0, 0.0, 1.0)
) -> np.ndarray:
    """0..1 per point: a gradient across the line there, the best of the line and `offsets` pixels beside it
    (a rough quad is only as precise as the small frame; a search for the exact line gives none)."""
    best = None
    for offset in offsets:
        gradient = sample(views.gradient, points + offset * normal)
        gx, gy = gradient[..., 0], gradient[..., 1]
        along = np.abs(gx * normal[..., 0] + gy * normal[..., 1])
        across = np.abs(gx * direction[..., 0] + gy * direction[..., 1])
        value = np.where(along > 1.5 * across, along, 0.0)
        best = value if best is None else np.maximum(best, value)
    return np.clip(best / views.edge_floor, 0, 1.5) / 1.5


# Where (small-frame pixels either side of a side's line, past its corners) parallel edges show texture rather
# than the side's own line: beyond the line's blur, within the spacing of print lines at this scale (3-4 px).
TEXTURE_OFFSETS = (3.0, 4.0, 5.0)


def _continuing(views: Views, points: np.ndarray, direction: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """0..1 per point: the side's own line goes on here (an edge on the line, not a field of parallel edges).
    Print on a sheet under the page, or stripes, put edges on the line and beside it on both sides alike."""
    on_line = edge_along(views, points, direction, normal)
    beside = [
        edge_along(views, points, direction, normal, offsets=tuple(side * step for step in TEXTURE_OFFSETS))
        for side in (-1.0, 1.0)
    ]
    return np.clip(on_line - np.minimum(*beside), 0.0, 1.0)


TINT_SPREAD = 0.1  # a point this close to the inside's median proportions (every channel) shares its tint
TINT_SHARE = 0.7  # the share of the inside in one tint for it to count as tinted paper
TINT_CREDIT = 0.5  # how much a tinted point counts, against a white one's 1 (more gave false pages on cloths)


def _paper_likeness(views: Views, grid: np.ndarray) -> np.ndarray:
    """Share of the inside (points `grid` (n, k, 2) spread over each quad) that looks like paper: light (near
    the brightest of the inside) and colourless, or, at half weight, all of one tint. Print covers little of a
    page, and at this scale its lines are pale smudges; a check, a tile or a flower is coloured or dark over a
    good part of any quad drawn around it."""
    colours = sample(views.colour, grid)  # n, 81, 3
    light = colours.mean(axis=-1)
    chroma = colours.max(axis=-1) - colours.min(axis=-1)
    typical = np.median(light, axis=1, keepdims=True)
    # Paper under a shadow or a lamp's glare is still paper: judged against the inside's own middle.
    lit = light > 0.6 * typical
    paperish = lit & (chroma < 0.2 * light + 10)
    # Tinted paper (a pink land-use certificate, a green form): most of the inside one colour, that is not
    # white. Half credit, and only when it covers most of the inside: a check is two colours, a flower many.
    # The tint is compared as a colour's proportions (each channel over the point's brightness), so the same
    # paper under a shadow or a lamp is the same tint: a strong tint's levels vary with the light more than
    # the test's margin (a pink certificate lost its paper credit to a shading gradient).
    hue = colours / np.maximum(light, 1.0)[..., None]
    tint = np.median(hue, axis=1, keepdims=True)
    tinted = lit & ~paperish & (np.abs(hue - tint).max(axis=-1) < TINT_SPREAD)
    tinted_share = tinted.mean(axis=1)
    tinted_share = np.where(tinted_share >= TINT_SHARE, tinted_share, 0.0)
    # Bright enough is judged on the paperish points alone: a large photo printed on a page is not its paper
    # (judged on the whole inside, such a page scored no paper at all and lost to its blank lower half).
    bright_enough = np.clip(_paper_light(light, paperish, typical[:, 0]) / max(views.light, 1.0) * 2.5 - 0.5, 0, 1)
    return (paperish.mean(axis=1) + TINT_CREDIT * tinted_share) * bright_enough


def _paper_light(light: np.ndarray, paperish: np.ndarray, otherwise: np.ndarray) -> np.ndarray:
    """(n,) the mean brightness of each quad's paperish points (`otherwise` where it has none). A mean, not a
    median: these points are paper already, and a median per quad (a sort) cost 0.6 ms a frame."""
    count = paperish.sum(axis=1)
    total = np.where(paperish, light, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), otherwise)


def percentiles(values: np.ndarray, points, top: int = 256, mask: np.ndarray | None = None) -> list[float]:
    """Percentiles of small non-negative integers through a histogram: much cheaper than np.percentile.
    `mask` (uint8 images only): of the values where it is set."""
    if mask is not None:
        counts = cv2.calcHist([values], [0], mask, [256], [0, 256]).ravel()
        cumulative = np.cumsum(counts) / max(1.0, float(counts.sum()))
        return [float(np.searchsorted(cumulative, p / 100.0)) for p in points]
    if values.dtype == np.uint8 and top == 256:
        counts = cv2.calcHist([values], [0], None, [256], [0, 256]).ravel()  # a tenth of bincount's time
    elif values.dtype in (np.int16, np.uint16):  # non-negative: the same bits read as unsigned
        counts = cv2.calcHist([values.view(np.uint16)], [0], None, [top], [0, top]).ravel()
        counts[-1] += values.size - counts.sum()  # values beyond the top counted in the last bin
    else:
        counts = np.bincount(np.minimum(values.ravel(), top - 1), minlength=top)
    cumulative = np.cumsum(counts) / max(1, values.size)
    return [float(np.searchsorted(cumulative, p / 100.0)) for p in points]


def sample(image: np.ndarray, points: np.ndarray, interpolation: int = cv2.INTER_NEAREST) -> np.ndarray:
    """The image's values at points (..., 2), nearest pixel unless told, edges replicated: one cv2.remap call."""
    shape = points.shape[:-1]
    flat = points.reshape(-1, shape[-1] if len(shape) > 1 else 1, 2).astype(np.float32)
    values = cv2.remap(image, flat[..., 0], flat[..., 1], interpolation, borderMode=cv2.BORDER_REPLICATE)
    channels = () if image.ndim == 2 else (image.shape[2],)
    return values.reshape(*shape, *channels).astype(np.float32, copy=False)


def _off_paper_shape(quads: np.ndarray, sides: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """How far (log aspect) each quad's shape is from the nearest paper's, by the nearer of two readings: as
    drawn (opposite sides' means), and as the rectangle it is a perspective view of for a typical webcam (plus
    PERSPECTIVE_COST). A page lying on the table before a laptop's webcam is seen 35-55 degrees from straight
    on and looks much shorter than its paper; read as drawn only, its true outline lost to any paper-shaped
    part of it (development frames 50 degrees off: Jaccard 0.63, against 0.81 with both readings; 35 degrees
    off: 0.90 and 0.94). The drawn reading stays: a camera unlike the typical one still gets a page it sees
    straight on judged by its shape as drawn."""
    drawn = np.abs(np.log((sides[:, 1] + sides[:, 3]) / (sides[:, 0] + sides[:, 2] + 1e-6) + 1e-6))
    seen = np.abs(np.log(rectangle_ratios(quads, size, TYPICAL_FOCAL_PER_WIDTH * size[0])))
    seen = np.where(np.isnan(seen), drawn, seen)
    return np.minimum(
        np.abs(drawn[:, None] - PAPER_ASPECTS[None, :]).min(axis=1),
        np.abs(seen[:, None] - PAPER_ASPECTS[None, :]).min(axis=1) + PERSPECTIVE_COST,
    )


def _angles(quads: np.ndarray) -> np.ndarray:
    before = previous_corner(quads) - quads
    after = next_corner(quads) - quads
    cos = np.sum(before * after, axis=2) / (np.linalg.norm(before, axis=2) * np.linalg.norm(after, axis=2) + 1e-9)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def side_quality(
    views: Views, a: np.ndarray, b: np.ndarray, outward: np.ndarray, typical: np.ndarray | None = None
) -> np.ndarray:
    """For many candidate lines of one side at once (a, b: (m, 2) endpoints; outward: the side's outward
    normal), 0..1: a step edge along the line with an even strip of paper just inside it; with `typical` (m,),
    the paperness of the page's middle, the strip must also be that paper (a cloth's stripe just outside the
    page is an edge too, but the strip inside it is cloth)."""
    direction = (b - a) / (np.linalg.norm(b - a, axis=1, keepdims=True) + 1e-6)
    normal = np.stack([-direction[:, 1], direction[:, 0]], axis=1)
    normal = np.where(np.sum(normal * outward, axis=1, keepdims=True) < 0, -normal, normal)
    ts = ALONG_SIDE_INNER
    points = a[:, None, :] + ts[None, :, None] * (b - a)[:, None, :]
    d3, n3 = direction[:, None, :], normal[:, None, :]
    on_edge = edge_along(views, points, d3, n3, offsets=(0.0,))
    inner = sample(views.colour, points - STEP_REACH * n3)
    outer = sample(views.colour, points + STEP_REACH * n3)
    is_step = np.clip((np.abs(inner - outer).max(axis=-1) - 6.0) / 20.0, 0, 1)
    support = on_edge * (0.35 + 0.65 * is_step)
    edge = (support > 0.35).mean(axis=1) * 0.6 + support.mean(axis=1) * 0.4
    strip = sample(views.grey, points - 1.5 * STEP_REACH * n3)
    quality = edge * (0.5 + 0.5 * _evenness(strip, axis=1))
    if typical is not None:
        quality *= 0.4 + 0.6 * _agrees(sample(views.paperness, points - 2.0 * STEP_REACH * n3), typical[:, None])
    return quality


def _agrees(values: np.ndarray, typical: np.ndarray) -> np.ndarray:
    """Share of `values` (over the last axis) that is the same surface as `typical` (lenient for shading)."""
    return (np.abs(values - typical) < 0.12 * typical + 8).mean(axis=-1)


def _evenness(strip: np.ndarray, axis: int) -> np.ndarray:
    """1 for an even strip of paper, falling to 0 as it alternates like checks or tiles. Judged by the share
    of the strip near its own middle value, so a thumb over part of it costs only that part."""
    near = np.abs(strip - np.median(strip, axis=axis, keepdims=True)) < 15
    return np.clip((near.mean(axis=axis) - 0.4) / 0.5, 0, 1)


COARSE_AND_FINE = ((2.0, 1.0, 0.25), (0.5, None, None))  # (step, span / reach, turn / reach); None: fixed


def search_sides(views: Views, quad: np.ndarray, reach: float) -> np.ndarray:
    """Each side moved to the best line nearby (see `search_sides_many`)."""
    return search_sides_many(views, quad[None], reach)[0]


def search_sides_many(
    views: Views, quads: np.ndarray, reach: float, passes=COARSE_AND_FINE, turns: int = 3
) -> np.ndarray:
    """For many quads (n, 4, 2) at once: each side shifted along its normal by up to `reach` pixels and
    turned a little, coarse steps first and then fine ones around the best, the best line kept; the four
    best lines of a quad crossed into its new corners."""
    quads = quads.astype(np.float32)
    n = len(quads)
    a, b, _, _, normal = quad_sides(quads)  # n, 4, 2; normal: outward
    centre_shift = np.zeros((n, 4), np.float32)
    centre_turn = np.zeros((n, 4), np.float32)
    typical = np.median(sample(views.paperness, quad_grid(quads, 0.7, 7)), axis=1)
    for step, span_share, turn_share in passes:
        span = reach * span_share if span_share else 1.5
        turn_span = reach * turn_share if turn_share else 0.75
        shifts = np.arange(-span, span + 0.5 * step, step, dtype=np.float32)
        twists = np.linspace(-turn_span, turn_span, turns, dtype=np.float32) if turns > 1 else np.zeros(1, np.float32)
        shift, turn = (grid.ravel() for grid in np.meshgrid(shifts, twists))
        shift = centre_shift[..., None] + shift  # n, 4, m
        turn = centre_turn[..., None] + turn
        ends_a = a[:, :, None, :] + (shift - turn)[..., None] * normal[:, :, None, :]
        ends_b = b[:, :, None, :] + (shift + turn)[..., None] * normal[:, :, None, :]
        m = shift.shape[2]
        outward = np.broadcast_to(normal[:, :, None, :], ends_a.shape)
        paper = np.broadcast_to(typical[:, None, None], shift.shape)
        quality = side_quality(
            views, ends_a.reshape(-1, 2), ends_b.reshape(-1, 2), outward.reshape(-1, 2), paper.reshape(-1)
        ).reshape(n, 4, m)
        best = np.argmax(quality - 0.002 * np.abs(shift), axis=2)[..., None]  # ties go to the smaller move
        centre_shift = np.take_along_axis(shift, best, axis=2)[..., 0]
        centre_turn = np.take_along_axis(turn, best, axis=2)[..., 0]
    ends_a = a + (centre_shift - centre_turn)[..., None] * normal
    ends_b = b + (centre_shift + centre_turn)[..., None] * normal
    ones = np.ones((n, 4, 1), np.float64)
    lines = np.cross(np.concatenate([ends_a, ones], axis=2), np.concatenate([ends_b, ones], axis=2))  # n, 4, 3
    corners = np.cross(previous_corner(lines), lines)  # corner i: side i-1 meets side i
    w = corners[..., 2:3]
    good = np.all(np.abs(w[..., 0]) > 1e-9, axis=1)
    result = quads.copy()
    result[good] = (corners[good, :, :2] / w[good]).astype(np.float32)
    return result


def plausible_mask(quads: np.ndarray, size: tuple[int, int], min_area_share: float) -> np.ndarray:
    """Which quads (n, 4, 2) could be a page seen from above: convex, big enough, mostly in the frame, angles
    and opposite sides a camera's perspective can make of a rectangle."""
    width, height = size
    edges = next_corner(quads) - quads
    turn = next_corner(edges)
    cross = edges[..., 0] * turn[..., 1] - edges[..., 1] * turn[..., 0]
    convex = np.all(cross > 0, axis=1) | np.all(cross < 0, axis=1)
    area = polygon_areas(quads)
    inside = polygon_areas(np.clip(quads, [0, 0], [width - 1, height - 1]))
    angles = _angles(quads)
    sides = np.linalg.norm(edges, axis=2)
    ratio = np.maximum(sides[:, :2] / (sides[:, 2:] + 1e-6), sides[:, 2:] / (sides[:, :2] + 1e-6)).max(axis=1)
    return (
        convex
        & (area >= min_area_share * width * height)
        & (inside >= 0.85 * area)
        & (angles.min(axis=1) >= 45)
        & (angles.max(axis=1) <= 135)
        & (sides.min(axis=1) >= 0.08 * min(width, height))
        & (ratio <= 2.2)
    )
