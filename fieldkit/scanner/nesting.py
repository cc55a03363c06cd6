"""Which of two nested outlines is the page. Print on a page makes rectangles as clean as the paper's own edge:
a card's coloured header band, a certificate's printed frame, a photocopied ID card on an A4 sheet. Each rule
here takes the winner of the scoring and an outline nested with it, scoring nearly as well, and says which one
is the paper. With the paper known, its shape decides too: nested, around the winner, or (for a winner that has
no such shape at all) elsewhere."""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np

from fieldkit.scanner.geometry import next_corner, polygon_area, polygon_areas, quad_grid, quad_sides
from fieldkit.scanner.paper import PAPERS, Paper, misshapen, outline_aspect, shape_off
from fieldkit.scanner.refine import PAPER_LEVELS, paper_colour
from fieldkit.scanner.score import STEP_REACH, Views, cut_side, edge_along, sample

NESTED_SHARE = 0.8  # an outline nested with the winner and this close in score may be the page instead
SHAPE_TOLERANCE = 0.05  # log of the aspect: an outline this close to a paper's shape has that shape
PAPER_ASPECTS = sorted({paper.aspect for paper in PAPERS.values()})
FRAME_BAND = 0.15  # a printed frame's band (print and margin) is at most this share of the page's short side
INK_LEVELS = 50.0  # print beside the inner outline: this far from the paper's colour in some channel
SIDE_SHARE = 0.6  # of a side's points, for print or paper to be there
SHARED = 2.0  # small-frame pixels: sides of two outlines this close are one side


def outermost(pool: list[np.ndarray], scores: np.ndarray, best: int) -> int:
    """A coloured header or footer band on a card or a page makes a good rectangle too, inside the page
    and sharing its other sides: when a nearly as good outline encloses the winner and shares a side
    with it (two corners in common), the enclosing one is the paper's edge."""
    changed = True
    while changed:
        changed = False
        inner = pool[best]
        for i, outer in enumerate(pool):
            if (
                i != best
                and scores[i] >= NESTED_SHARE * scores[best]
                and polygon_area(outer) > 1.05 * polygon_area(inner)
                and shared_corners(outer, inner) >= 2
                and encloses(outer, inner)
            ):
                best, changed = i, True
                break
    return best


def beyond_print(
    views: Views, quads: list[np.ndarray], scores: np.ndarray, best: np.ndarray | None, best_score: float
) -> tuple[np.ndarray | None, float]:
    """A certificate's printed frame makes an outline inside the page as clean as the page's own: when a
    nearly as good outline encloses the winner in a narrow band, and going out from the winner's sides one
    meets print and then paper again, the enclosing outline is the page. Repeated outwards (a double frame);
    the nearest enclosing outline each time, so a mat under the page is not taken for it."""
    while best is not None:
        near = np.flatnonzero(scores >= NESTED_SHARE * best_score)
        if not len(near):
            break
        gaps = _bands(best, np.stack([quads[i] for i in near]))  # (m, 4), NaN where not a band round it
        around = np.flatnonzero(~np.isnan(gaps).any(axis=1) & (gaps.max(axis=1) >= SHARED))
        if not len(around):
            break
        paper = paper_colour(views.colour, best)
        nearest_first = sorted(around, key=lambda k: float(np.sum(gaps[k])))
        found = next((k for k in nearest_first if _paper_beyond(views, best, quads[near[k]], gaps[k], paper)), None)
        if found is None:
            break
        best, best_score = quads[near[found]], float(scores[near[found]])
    return best, best_score


def expected_shape(
    quads: list[np.ndarray], scores: np.ndarray, best: np.ndarray | None, best_score: float, paper: Paper | None
) -> tuple[np.ndarray | None, float]:
    """With the paper known: when the winner has the exact shape of another paper, an outline nested with it
    (around it or inside it) of the expected paper's shape, scoring nearly as well, is the page. A photocopy
    of an ID card on an A4 sheet, in an A4 slot: the sheet, not the printed card; a card lying on a sheet,
    in an ID-card slot: the card. A winner of no paper's shape is left alone (it is rough, not print)."""
    if best is None or paper is None:
        return best, best_score
    aspect = paper.aspect

    # The sides' means alone, not `paper.shape_off`'s nearer of two readings as of_the_papers_shape uses: judged
    # that way, development frames with the paper known lost 0.11 and gained 0.07 (a floral A4 page took a
    # nested outline); this rule wants an exact shape, which the plain reading gives on the small frame.
    def off(quad: np.ndarray, target: float) -> float:
        return abs(math.log(outline_aspect(quad) / target))

    other_paper = min(off(best, a) for a in PAPER_ASPECTS) < SHAPE_TOLERANCE
    if off(best, aspect) < SHAPE_TOLERANCE or not other_paper:
        return best, best_score
    area = polygon_area(best)

    def nested_of_shape(quad: np.ndarray) -> bool:
        return off(quad, aspect) < SHAPE_TOLERANCE and (
            (polygon_area(quad) > 1.2 * area and encloses(quad, best))
            or (area > 1.2 * polygon_area(quad) and encloses(best, quad))
        )

    return likeliest(quads, scores, NESTED_SHARE * best_score, nested_of_shape) or (best, best_score)


# The share of a misshapen winner's score an outline of the expected paper's shape needs. Development frames
# with the paper known: around the winner, 0.35 / 0.5 / 0.65 gave 0.97265 / 0.97258 / 0.97260 (one frame apart;
# held-out seeds the same at 0.35); elsewhere, 0.15 and 0.45 gave 0.9717 against 0.9718 at 0.3.
AROUND_SHARE = 0.5
ELSEWHERE_SHARE = 0.3


def of_the_papers_shape(
    quads: list[np.ndarray],
    scores: np.ndarray,
    best: np.ndarray | None,
    best_score: float,
    paper: Paper | None,
    size: tuple[int, int],
) -> tuple[np.ndarray | None, float]:
    """With the paper known, a winner far from its shape (`paper.SHAPE_DOUBT`: no right outline on development
    frames is that far off) gives way to the likeliest outline of the paper's shape
    - around it, down to AROUND_SHARE of its score. An ID card under a lamp's glare is often won by its blank
      part beside the photo and under the header: the whole card scores lower, for the photo in it is not paper.
      Development frames with the paper known: 0.9706 -> 0.9709, ID cards 0.9586 -> 0.9594 (gains 0.80, losses
      0.14); held-out seeds 0.9691 -> 0.9693;
    - else anywhere, down to ELSEWHERE_SHARE, when both are wholly in the picture (a cut outline's shape says
      nothing). An ID card on a pile of papers loses to a sheet beside it, whose inside is blank paper while the
      card's is print. 0.9709 -> 0.9718 (gains 2.10, losses 0.27), ID cards on a pile 0.769 -> 0.786; held-out
      seeds 0.9693 -> 0.9700."""
    if best is None or not misshapen(best, paper, size):
        return best, best_score
    area = polygon_area(best)

    def around_of_shape(quad: np.ndarray) -> bool:
        around = polygon_area(quad) > 1.1 * area and encloses(quad, best, 3.0)
        return around and shape_off(quad, paper, size) < SHAPE_TOLERANCE

    around = likeliest(quads, scores, AROUND_SHARE * best_score, around_of_shape)
    if around is not None or cut_side(best, size) is not None:
        return around or (best, best_score)
    elsewhere = likeliest(quads, scores, ELSEWHERE_SHARE * best_score, lambda quad: in_view_of_shape(quad, paper, size))
    return elsewhere or (best, best_score)


def in_view_of_shape(quad: np.ndarray, paper: Paper, size: tuple[int, int]) -> bool:
    """Wholly in the picture and of the paper's shape (a cut outline's shape says nothing)."""
    return cut_side(quad, size) is None and shape_off(quad, paper, size) < SHAPE_TOLERANCE


def likeliest(
    quads: list[np.ndarray], scores: np.ndarray, floor: float, fits: Callable[[np.ndarray], bool]
) -> tuple[np.ndarray, float] | None:
    """The likeliest of `quads` scoring at least `floor` that `fits`, with its score; None if none does."""
    for i in np.argsort(-scores):
        if scores[i] < floor:
            return None
        if fits(quads[i]):
            return quads[i], float(scores[i])
    return None


def encloses(outer: np.ndarray, inner: np.ndarray, tolerance: float = 2.0) -> bool:
    contour = outer.reshape(-1, 1, 2).astype(np.float32)
    return all(cv2.pointPolygonTest(contour, (float(x), float(y)), True) >= -tolerance for x, y in inner)


def shared_corners(a: np.ndarray, b: np.ndarray) -> int:
    tolerance = 0.03 * float(np.linalg.norm(a.max(axis=0) - a.min(axis=0)))
    return int(np.sum(np.linalg.norm(a - b, axis=1) < tolerance))


def _bands(inner: np.ndarray, outers: np.ndarray) -> np.ndarray:
    """(m, 4): how far each of `outers` (m, 4, 2) lies out from each side of `inner`, measured from the side's
    middle along its outward normal; a row of NaN where an outer outline is not round `inner` side by side
    (nearly parallel, each side shared or out by at most FRAME_BAND of inner's shortest side)."""
    start, end, length, direction, normal = quad_sides(inner[None])
    _, _, _, outer_direction, outer_normal = quad_sides(outers)
    parallel = np.abs(np.sum(outer_direction * direction, axis=2)) >= math.cos(math.radians(6))
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.sum((outers - (start + end) / 2) * outer_normal, axis=2) / np.sum(normal * outer_normal, axis=2)
    fits = parallel & (gap >= -SHARED) & (gap <= FRAME_BAND * float(length.min()))
    return np.where(fits.all(axis=1, keepdims=True) & (length.min() >= 4), gap, np.nan)


def _paper_beyond(views: Views, inner: np.ndarray, outer: np.ndarray, gap: np.ndarray, paper: np.ndarray) -> bool:
    """Whether `outer`, round `inner` by `gap` (see `_bands`), is the paper's edge and `inner` a printed frame on
    it: going out across each band from inner's side one meets print, then paper again (one band may fail to
    show it, under glare, when three or four differ); and the frame goes round: inside at least three of
    outer's sides, blank paper, then print. (A page lying on a newspaper or by a tile joint shows print and
    paper beyond one side, but no frame.)"""
    start, end, _, _, normal = (part[0] for part in quad_sides(inner[None]))
    banded = np.flatnonzero(gap >= SHARED)
    framed = 0
    for k in banded:  # from just inside the side (the print may be what it lies on) out to the outer side
        differ = _away_from_paper(views, start[k], end[k], normal[k], np.arange(-SHARED, gap[k] - 0.5), paper)
        framed += _in_turn(differ > INK_LEVELS, differ < PAPER_LEVELS)
    if framed < len(banded) - (len(banded) >= 3):
        return False
    outer_start, outer_end, _, _, outer_normal = (part[0] for part in quad_sides(outer[None]))
    depths = np.arange(0.0, gap.max() + SHARED)
    margins = sum(
        _in_turn(differ < PAPER_LEVELS, differ > INK_LEVELS)
        for differ in (
            _away_from_paper(views, outer_start[k], outer_end[k], -outer_normal[k], depths, paper) for k in range(4)
        )
    )
    return margins >= 3


def _away_from_paper(
    views: Views, start: np.ndarray, end: np.ndarray, normal: np.ndarray, offsets: np.ndarray, paper: np.ndarray
) -> np.ndarray:
    """(offsets, 16): how far the colour differs from the paper's (largest channel difference) at 16 points
    along a side, moved `offsets` pixels along `normal` (bilinear: the offsets are single pixels)."""
    along = np.linspace(0.1, 0.9, 16, dtype=np.float32)[:, None]
    rows = (start + along * (end - start))[None, :, :] + offsets.astype(np.float32)[:, None, None] * normal
    return np.abs(sample(views.colour, rows, cv2.INTER_LINEAR) - paper).max(axis=-1)


def _in_turn(first: np.ndarray, then: np.ndarray) -> bool:
    """Whether, along the offsets (rows), most of the side is `first` at some offset and `then` further on."""
    first, then = first.mean(axis=1) >= SIDE_SHARE, then.mean(axis=1) >= SIDE_SHARE
    return bool(first.any() and then[int(np.argmax(first)) + 1 :].any())


# -- print to the edge ------------------------------------------------------------------------------------
# A magazine's photo, a coloured band or a card's picture printed to the paper's edge: the blank rest of the
# page makes a clean outline of its own (even paper inside, a sharp side where the print starts), which the
# scoring prefers to the whole page (half of it is not paper). Tried on 90 paired 720p frames of such pages,
# the blank part won on a fifth of them (Jaccard 0.88 against 0.98 for the same pages without the photo).
BLEED_AREA = (1.08, 4.0)  # the whole page's area over the blank part's
BLEED_SHAPE = 0.08  # log of the aspect (opposite sides' means): the whole page has a paper's shape
BLEED_EDGE = 0.6  # share of each new side (and of the old sides' run past the blank part) on an edge
BLEED_PRINT = 0.5  # share of the added part unlike the blank part's paper
BLEED_ALIKE = 0.4  # colour-histogram overlap of the added part and what lies beyond it, below which they differ
BLEED_STEP = 0.9  # share of those sides' points where the colour steps across them
STEP_ACROSS = 20.0  # grey levels (in some channel) between just inside and just outside: a step
EDGE_POINT = 0.35  # an edge_along value this strong is an edge (as side_quality counts it)
# Print round a corner (`_print_round_corner`): four added sides, some of them along a cloth's light checks or
# under a thumb, so the edges are judged on the mean, with no side quite without one.
CORNER_RUN = 0.06  # inner's corners lie on outer's sides within this share of the side
CORNER_EDGE_LEAST = 0.2  # the least share of any added side on an edge
CORNER_STEP = 0.5  # mean share stepping (a white card on a cloth's white checks steps along part of its sides)
# The added part is partly print on the same paper (an ID card's photo and header leave its background between
# them: 0.28-0.4 of it on development frames and generated cards); a page and a strip of tiles or cloth beside
# it, all of the strip unlike the paper (0.5-1.0), was taken for the page when this had no upper bound.
CORNER_PRINT = (0.2, 0.5)


def beyond_bleed(
    views: Views, quads: list[np.ndarray], scores: np.ndarray, best: np.ndarray | None, best_score: float
) -> tuple[np.ndarray | None, float]:
    """When an outline encloses the winner, shares one of its sides, has a paper's shape, and the part it adds
    is print reaching the paper's edge (see `_print_to_edge`), that outline is the page. The same when it
    shares one corner only and adds print along two sides (`_print_round_corner`: an ID card's blank part
    beside its photo and under its header). It keeps the winner's score: its own is low for the print inside
    it, which is what this rule has accounted for."""
    if best is None or not quads:
        return best, best_score
    stack = np.stack(quads)
    ratios = polygon_areas(stack) / max(polygon_area(best), 1e-6)
    reach = np.linalg.norm(stack.max(axis=1) - stack.min(axis=1), axis=1)  # n: each outline's diagonal
    close = np.linalg.norm(stack - best[None], axis=2) < 0.03 * reach[:, None]  # n, 4: corners in common
    shares_side = (close.sum(axis=1) == 2) & (close & next_corner(close)).any(axis=1)
    shares_corner = close.sum(axis=1) == 1
    fits = np.flatnonzero((ratios >= BLEED_AREA[0]) & (ratios <= BLEED_AREA[1]) & (shares_side | shares_corner))
    for i in fits[np.argsort(-scores[fits], kind="stable")]:  # the likeliest first
        outer = stack[i]
        if not encloses(outer, best, max(SHARED, 0.02 * reach[i])):
            continue
        if _off_paper_shape(outline_aspect(outer)) > BLEED_SHAPE:
            continue
        if shares_side[i]:
            side = int(np.argmax(close[i] & next_corner(close[i], axis=0)))
            if _print_to_edge(views, best, outer, side):
                return outer, best_score
        elif _print_round_corner(views, best, outer, int(np.argmax(close[i]))):
            return outer, best_score
    return best, best_score


def _off_paper_shape(aspect: float) -> float:
    """How far (log) an aspect is from the nearest paper's."""
    return min(abs(math.log(aspect / paper)) for paper in PAPER_ASPECTS)


def _print_to_edge(views: Views, inner: np.ndarray, outer: np.ndarray, shared: int) -> bool:
    """Whether `outer` is `inner` (the blank part of a page) with print added beyond the side opposite the
    shared one, reaching the paper's edge: inner's other two sides run on straight to outer's corners, on an
    edge, and outer's far side is an edge; the added part is not inner's paper, and it is not what lies beyond
    it either (a cloth's stripe or a tile joint makes such an outline out of the table itself)."""
    a, b, c, d = (k % 4 for k in range(shared, shared + 4))
    if not (_on_segment(inner[c], outer[b], outer[c], 0.03) and _on_segment(inner[d], outer[d], outer[a], 0.03)):
        return False  # inner's corner is not on outer's side: not a straight run on
    # The sides the page adds: inner's two sides run on to outer's corners (along outer's sides b and d), and
    # outer's far side c.
    sides = _added_sides(outer, ((inner[c], outer[c], b), (outer[c], outer[d], c), (outer[d], inner[d], d)))
    if sides is None or any(_edge_share(views, *side) < BLEED_EDGE for side in sides):
        return False
    # A page's edge is a step from one surface to another; a tile joint or a line of print has the same
    # surface on both sides.
    if np.mean([_step_share(views, points, normal) for points, _, normal in sides]) < BLEED_STEP:
        return False
    added = sample(views.colour, quad_grid(np.array([[inner[d], inner[c], outer[c], outer[d]]], np.float32), 0.8, 7))[0]
    if _print_share(views, added, inner) < BLEED_PRINT:
        return False
    # What lies beyond the added sides, in a band half as deep as the added part.
    depth = 0.5 * float(np.linalg.norm((outer[c] + outer[d] - inner[c] - inner[d]) / 2))
    return _unlike_beyond(views, added, sides, depth)


def _print_round_corner(views: Views, inner: np.ndarray, outer: np.ndarray, shared: int) -> bool:
    """Whether `outer` is `inner` (a page's blank part) with print added along the two sides away from their
    shared corner, reaching the paper's edge: inner's sides from that corner run on straight along outer's to
    its corners; outer's sides there and its two far sides are on an edge that steps; the added part is not
    inner's paper, and it is not what lies beyond outer either (see `_print_to_edge`)."""
    k = shared
    after, opposite, before = (k + 1) % 4, (k + 2) % 4, (k + 3) % 4
    if not (
        _on_segment(inner[after], outer[k], outer[after], CORNER_RUN)
        and _on_segment(inner[before], outer[before], outer[k], CORNER_RUN)
    ):
        return False
    # The sides the page adds: inner's two sides run on to outer's corners, and outer's two far sides.
    sides = _added_sides(
        outer,
        (
            (inner[after], outer[after], k),
            (outer[after], outer[opposite], after),
            (outer[opposite], outer[before], opposite),
            (outer[before], inner[before], before),
        ),
    )
    if sides is None:
        return False
    edges = [_edge_share(views, *side) for side in sides]
    if np.mean(edges) < BLEED_EDGE or min(edges) < CORNER_EDGE_LEAST:
        return False
    if np.mean([_step_share(views, points, normal) for points, _, normal in sides]) < CORNER_STEP:
        return False
    grid = quad_grid(outer[None].astype(np.float32), 0.9, 12)[0]
    contour = inner.reshape(-1, 1, 2).astype(np.float32)
    outside = np.array([cv2.pointPolygonTest(contour, (float(x), float(y)), True) < -SHARED for x, y in grid])
    if outside.sum() < 8:
        return False
    added = sample(views.colour, grid[outside][None])[0]
    if not CORNER_PRINT[0] <= _print_share(views, added, inner) < CORNER_PRINT[1]:
        return False
    # What lies beyond outer's two far sides, in a band half as deep as the added print at the far corner.
    return _unlike_beyond(views, added, sides[1:3], 0.5 * float(np.linalg.norm(outer[opposite] - inner[opposite])))


def _added_sides(outer: np.ndarray, spans) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None:
    """Each span (start, end, k: the side of `outer` it lies on) as 12 points along it, with outer's side k's
    direction and outward normal; None when a span is under 4 px (too short to judge)."""
    if any(np.linalg.norm(end - start) < 4 for start, end, _ in spans):
        return None
    _, _, _, directions, normals = (part[0] for part in quad_sides(outer[None]))
    along = np.linspace(0.1, 0.9, 12, dtype=np.float32)[:, None]
    return [(start + along * (end - start), directions[k], normals[k]) for start, end, k in spans]


def _print_share(views: Views, added: np.ndarray, inner: np.ndarray) -> float:
    """Share of the colours `added` (k, 3) unlike the paper inside `inner` (its median colour) by INK_LEVELS."""
    paper = np.median(sample(views.colour, quad_grid(inner[None].astype(np.float32), 0.8, 7))[0], axis=0)
    return float((np.abs(added - paper).max(axis=-1) > INK_LEVELS).mean())


def _unlike_beyond(views: Views, added: np.ndarray, sides: list, depth: float) -> bool:
    """Whether the colours `added` differ from what lies beyond `sides` ((points, direction, outward normal)),
    read in a band `depth` deep (at least 3 px) from 3 px off them, clear of the blur: a cloth's stripe or a
    tile joint makes an outline out of the table itself, with the same table on both sides."""
    offsets = np.linspace(3.0, 3.0 + max(3.0, depth), 4, dtype=np.float32)[None, :, None]
    beyond = np.concatenate([(points[:, None, :] + offsets * normal).reshape(-1, 2) for points, _, normal in sides])
    return _overlap(_colour_histogram(added), _colour_histogram(sample(views.colour, beyond[None])[0])) < BLEED_ALIKE


def _on_segment(point: np.ndarray, start: np.ndarray, end: np.ndarray, share: float) -> bool:
    """Whether `point` lies on the line from `start` to `end` (within SHARED or `share` of its length)."""
    length = float(np.linalg.norm(end - start))
    (dx, dy), (px, py) = (end - start) / max(length, 1e-6), point - start
    return abs(float(dx * py - dy * px)) <= max(SHARED, share * length)


def _edge_share(views: Views, points: np.ndarray, direction: np.ndarray, normal: np.ndarray) -> float:
    """Share of points (k, 2) along a side (unit `direction`, `normal`) on an edge across it."""
    return float((edge_along(views, points[None], direction[None, None], normal[None, None])[0] > EDGE_POINT).mean())


def _step_share(views: Views, points: np.ndarray, normal: np.ndarray) -> float:
    """Share of points (k, 2) along a side where the colour STEP_REACH inside differs from as far outside."""
    inside = sample(views.colour, (points - STEP_REACH * normal)[None])[0]
    outside = sample(views.colour, (points + STEP_REACH * normal)[None])[0]
    return float((np.abs(inside - outside).max(axis=-1) > STEP_ACROSS).mean())


def _colour_histogram(colours: np.ndarray) -> np.ndarray:
    """A coarse colour histogram (4 levels a channel), normalised."""
    levels = np.clip(colours // 64, 0, 3).astype(np.int64)
    return np.bincount(levels[:, 0] * 16 + levels[:, 1] * 4 + levels[:, 2], minlength=64) / max(len(colours), 1)


def _overlap(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.minimum(first, second).sum())
