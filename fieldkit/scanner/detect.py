"""Finding the page in a photograph: four corners (TL, TR, BR, BL) and how sure we are, or None.

1. A small copy of the frame (about 400 pixels across) gives hypotheses: quads of four straight lines
   (`lines.py`, the main source), closed edge contours and bright colourless regions (`candidates.py`), and,
   in a live view, the outline found in the previous frame snapped to this frame's edges. When none of them
   convinces, three-sided outlines are completed, and lines are looked for in a map of colourfulness and
   among gentler steps too; failing those, in maps of hue.
2. Every plausible hypothesis is scored on the image (`score.py`: a logistic model over evidence along the
   sides, at the corners and inside: the probability that it is a page's outline); the best few are snapped
   to the edges near them and scored again.
   Outlines nested with the winner may be the paper's edge instead (`nesting.py`: print on the page).
3. The winner's sides are fitted to the edges of the full-resolution frame (`refine.py`).
4. Confidence comes from the score and the share of the outline found at full resolution; below a floor the
   answer is None (no page, or too little of one to trust).
5. A frame with a colour cast and no clear page is looked at again with the cast taken out (`white_balanced`).
6. An answer still unsure, or none, is checked against a learned mask of the page lying on top (`page_mask.py`):
   where the mask is sure of one quadrilateral page and the answer is not it, the mask's page is fitted instead.
   Edges mislead where paper lies on paper (a page on a stack of printed papers: a sheet under it, or the page
   and a sheet together, make outlines as clean as its own); the mask sees the frame whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from fieldkit.scanner.candidates import edge_candidates, paper_candidates
from fieldkit.scanner.geometry import border_line, onto_border, order_corners, order_quads, scale_quad
from fieldkit.scanner.lines import Lines, join_segments, line_quads, segments, three_sides
from fieldkit.scanner.nesting import (
    SHAPE_TOLERANCE,
    beyond_bleed,
    beyond_print,
    encloses,
    expected_shape,
    in_view_of_shape,
    likeliest,
    of_the_papers_shape,
    outermost,
    shared_corners,
)
from fieldkit.scanner.page_mask import mask_outlines, overlap, page_probability
from fieldkit.scanner.paper import Paper, shape_off, stretched_to
from fieldkit.scanner.refine import paper_colour, refine_quad
from fieldkit.scanner.score import (
    GLARE,
    Views,
    cut_side,
    percentiles,
    plausible_mask,
    score_quads,
    search_sides,
    search_sides_many,
    side_quality,
    without_cut_weight,
)


@dataclass(frozen=True)
class Choice:
    """The page among a frame's hypotheses, and what the paper's shape made it give way to (if anything): tried
    instead when the full-resolution fit cannot confirm the choice."""

    quad: np.ndarray | None
    score: float
    instead: tuple[np.ndarray, float] | None = None


@dataclass(frozen=True)
class Detection:
    quad: np.ndarray  # (4, 2) float32: TL, TR, BR, BL in the frame's pixels
    confidence: float  # 0..1
    score: float  # the small frame's score the confidence comes from (for diagnostics and the benchmark)
    support: float = 1.0  # share of the outline found on an edge at full resolution
    runs_out: bool = False  # one side lies along the frame's border: part of the page is out of the picture

    def as_list(self) -> list[list[float]]:
        return [[round(float(x), 1), round(float(y), 1)] for x, y in self.quad]


class PageDetector:
    """Stateless: one detector can serve many frames; `hint` is the previous frame's quad in a live view."""

    WORK_SIDE = 400  # pixels along the small frame's longer side
    MIN_AREA = 0.03  # of the frame: a page smaller than this is too far away to scan well
    # Hypotheses snapped to nearby edges and scored again. Three since the shortlist's close search keeps a
    # third one near the page where the wide search lost it (development frames 0.9647 -> 0.9659, the pile
    # 0.816 -> 0.828; two before; a fourth adds nothing; +1% at the median frame). Still worth it after the
    # near runners' close snap (`_nudged`): two give 0.9680, three 0.9689.
    SHORTLIST = 3
    CONFIDENT_SCORE = 0.85  # a tracked outline this likely needs no search
    CLEAR_SCORE = 0.85  # a first score above which no other hypothesis needs a closer look
    RESCUE_ACCEPT = 0.7  # the confidence an outline of the closer looks needs to replace the first choice
    FRONT_RUNNERS = 4  # hypotheses given a quick, wide snap before the shortlist is drawn
    NEAR_RUNNERS = 12  # hypotheses given a quick, close snap (NEAR_REACH) before the shortlist is drawn
    NEAR_REACH = 6.0  # how far (small-frame pixels) the near runners' sides move in a close search
    FOLLOWED_SUPPORT = 0.85  # the fit's support a followed page running out of the picture needs (see detect)

    @staticmethod
    def reach(views: Views) -> float:
        """How far (small-frame pixels) a side may be moved to meet an edge."""
        return max(4.0, 0.09 * min(views.size))

    ACCEPT = 0.5  # confidence floor below which no page is reported

    def __init__(self, accept: float | None = None) -> None:
        self.accept = self.ACCEPT if accept is None else accept

    def detect(
        self, image: np.ndarray, hint: np.ndarray | None = None, paper: Paper | None = None, thorough: bool = True
    ) -> Detection | None:
        """`hint`: the previous frame's quad in a live view; `paper`: the page's paper, when the document slot
        or the user says which it is; `thorough`: take the last, costliest looks too (the hue look, and a second
        one with a colour cast taken out; a live view may take them on some frames only, see `session.py`)."""
        if image is None or image.ndim != 3 or image.shape[0] < 32 or image.shape[1] < 32:
            return None
        found = self._looked(image, hint, paper, thorough)
        if thorough and (found is None or found.score < self.SECOND_OPINION_BELOW):
            found = self._second_opinion(image, found)
        return found

    def _looked(
        self, image: np.ndarray, hint: np.ndarray | None, paper: Paper | None, thorough: bool
    ) -> Detection | None:
        """The outline the edges show: the frame as it is, and again with a colour cast taken out."""
        found = self._detect(image, hint, paper, thorough, balance=False)
        if not thorough or (found is not None and found.score >= self.CLEAR_SCORE) or not has_cast(image):
            return found
        # A colour cast (a webcam's white balance under a warm bulb or a cool tube) makes white paper look
        # tinted, and the scorer takes paper to be colourless: look again with the cast taken out. Only when
        # the frame as it is shows no clear page: a cloth or a table of a warm colour looks like a cast too,
        # and balanced it looks like paper (taken always, development frames took 25 page-less frames for a
        # page, not 18). Under a warm bulb (blue 0.62, green 0.85): benchmark 0.881 -> 0.935, held-out seed
        # 0.936 -> 0.976 (the same scenes without the cast: 0.927, 0.968). A frame on a warm-coloured table
        # with no page then costs about a quarter more (paired, 720p development frames: mean 66 -> 78 ms,
        # median the same): a live view's quicker frames skip this look, as they skip the hue look.
        balanced = self._detect(image, hint, paper, thorough, balance=True)
        if balanced is None or balanced.score < self.BALANCED_SCORE:
            return found
        return balanced if found is None or balanced.confidence > found.confidence else found

    # The score a page found in the balanced frame needs: below it, outlines of warm-coloured cloths and tables
    # balanced to white (development frames with casts: 0.7 took 4 more page-less frames for a page, 0.78
    # none, and kept more pages than 0.85: 0.960 against 0.954 over warm, very warm, cool and green casts;
    # 0.975 without a cast, 0.929 with one before this second look).
    BALANCED_SCORE = 0.78

    # The learned page mask (`page_mask.py`) is asked when the outline found scores below this, or none is found:
    # on development frames a page on a stack of printed papers was taken wrongly at up to 0.93, ordinary frames'
    # right outlines score above it (98% of them: the mask's 4 ms then costs nothing at the median frame).
    SECOND_OPINION_BELOW = 0.9
    MASK_FIT = 0.9  # the mask's own outline covers what it sees this well (intersection over union), or it is unsure
    MASK_DISAGREES = 0.75  # an outline covering the mask's page less than this is not that page

    def _second_opinion(self, image: np.ndarray, found: Detection | None) -> Detection | None:
        """The page the learned mask sees, in place of `found` when the mask is sure of one quadrilateral page,
        `found` is not it, and its sides are edges in the full frame (confidence above the floor as usual).
        Development frames (seeds 1-6): 0.9706 -> 0.9841, nothing lost (gains 29.3), the ruled paper pile
        0.853 -> 0.940, page-less frames taken 15 -> 15 of 180; pages on a stack of printed papers 0.43 -> 0.84."""
        views = self.views(image)
        width, height = views.size
        probability = page_probability(image, views.size)
        if probability is None:
            return found
        outlines = mask_outlines(probability, self.MIN_AREA * width * height)
        outlines = np.stack(outlines) if outlines else np.zeros((0, 4, 2), np.float32)
        outlines = outlines[plausible_mask(outlines, views.size, self.MIN_AREA)] if len(outlines) else outlines
        if not len(outlines):
            return found
        fits = overlap(outlines, probability)
        best = int(np.argmax(fits))
        if fits[best] < self.MASK_FIT:
            return found
        if found is not None and (
            overlap(found.quad[None] * views.scale, probability)[0] >= self.MASK_DISAGREES
            or _print_beyond_mask(found.quad * views.scale, outlines[best])
        ):
            return found
        # Scored by the outline model, or by how well it covers the mask, whichever is higher: the model is what
        # the mask corrects here (a page on other white papers scores low for its faint sides).
        score = max(float(score_quads(views, outlines[best][None])[0]), float(fits[best]))
        return self._fitted(image, views, outlines[best], score, self.accept) or found

    def _detect(
        self, image: np.ndarray, hint: np.ndarray | None, paper: Paper | None, thorough: bool, balance: bool
    ) -> Detection | None:
        views = self.views(image, balance)
        best, best_score, confident = self._track(views, hint) if hint is not None else (None, 0.0, False)
        if confident:
            found = self._fitted(image, views, best, best_score, self.accept)
            # A page running out of the picture is followed on a lighter test (see _track): its seen sides
            # must also be where the full-resolution fit finds the page's edges, or it is searched for.
            if found is None or not found.runs_out or found.support >= self.FOLLOWED_SUPPORT:
                return found
        tracked = [] if best is None else [best]
        lines = self.lines(views)
        quads, scores = self._scored(views, [], np.zeros(0), tracked + self.line_candidates(views, lines))
        if not len(scores) or scores.max() < self.CLEAR_SCORE:  # the region sources may hold a better one
            regions = self.region_candidates(views, self.edge_map(views))
            quads, scores = self._scored(views, quads, scores, regions)
        chosen = self.choose(views, quads, scores, paper)
        if chosen.score >= self.CLEAR_SCORE:
            return self._confirmed(image, views, chosen, self.accept)
        # No clear outline: maybe one side is too faint for a line, the sides step too gently for one (a page
        # on other white papers), or they differ from the cloth in colour or in hue more than in brightness.
        # Closer looks, each only when the ones before found nothing clear (each costs about as much as the
        # first look). Their outlines must convince more than the best so far; if none does, it stands. They
        # are taken below a clear score, not only below a convincing one (0.5, as they were at first): an ID
        # card on a pile of papers is often found only by them, with a sheet beside it chosen at 0.5-0.85
        # first (development frames: 0.9585 -> 0.9626, the pile 0.787 -> 0.808, no more page-less frames taken).
        rescued, rescued_score = None, chosen.score
        for look in (self._second_look, self._tone_look) if thorough else (self._second_look,):
            quads, scores = self._scored(views, quads, scores, look(views, lines))
            guess = self.choose(views, quads, scores, paper)
            if guess.score > rescued_score:
                found = self._confirmed(image, views, guess, max(self.accept, self.RESCUE_ACCEPT))
                if found is not None:
                    if guess.score >= self.CLEAR_SCORE:
                        return found
                    # Not clear either: the next look may find better (the first one that beat the first
                    # choice used to be taken: development frames 0.9677 -> 0.9690, the pile 0.838 -> 0.844).
                    rescued, rescued_score = found, guess.score
        return rescued or self._confirmed(image, views, chosen, self.accept)

    def _confirmed(self, image: np.ndarray, views: Views, chosen: Choice, accept: float) -> Detection | None:
        """The choice fitted to the full frame; if the fit refuses it, what the paper's shape made it replace."""
        found = self._fitted(image, views, chosen.quad, chosen.score, accept)
        if found is None and chosen.instead is not None:
            found = self._fitted(image, views, *chosen.instead, accept)
        return found

    def _second_look(self, views: Views, lines: Lines | None) -> list[np.ndarray]:
        """Three-sided outlines completed, lines of colourfulness, and lines that step gently."""
        colour, faint = self.colour_lines(views), self.faint_lines(views)
        more = self.completed_candidates(views, lines) + self.line_candidates(views, colour)
        more += self.completed_candidates(views, colour) + self.line_candidates(views, faint)
        return more + self.completed_candidates(views, faint)

    def _tone_look(self, views: Views, lines: Lines | None) -> list[np.ndarray]:
        """Outlines from lines of hue (`tone_lines`)."""
        more = []
        for tone in self.tone_lines(views):
            more += self.line_candidates(views, tone, self.TONE_QUADS)
            more += self.completed_candidates(views, tone, self.TONE_COMPLETIONS)
        return more

    def _fitted(
        self, image: np.ndarray, views: Views, best: np.ndarray | None, best_score: float, accept: float
    ) -> Detection | None:
        """The small frame's choice fitted to the full frame's edges; None below the `accept` confidence."""
        if best is None:
            return None
        full = scale_quad(best, 1.0 / views.scale)
        # The small frame places sides to about a pixel of its own, a few of the full frame's: look that far.
        reach = max(3.0, 4.0 / views.scale)
        paper = paper_colour(image, full)
        cut = cut_side(best, views.size)  # a page running out of the picture keeps that side on the border
        refined, support = refine_quad(image, full, reach, paper=paper, cut=cut)
        # A second, tighter pass from where the first landed, when it landed somewhere new: a side moved by a
        # pixel or less was read from profiles centred on it already, and a second look finds the same edge
        # (development frames: the same Jaccard to 4 places, 1 ms less at 720p).
        moved = float(np.abs(refined - full).max())
        if support > 0.3 and moved > 1.0:
            refined, support = refine_quad(image, refined, max(2.0, reach / 4), paper=paper, cut=cut)
        confidence = _confidence(best_score, support)
        if confidence < accept:
            return None
        return Detection(order_corners(refined), confidence, best_score, support, runs_out=cut is not None)

    def hypotheses(self, views: Views) -> np.ndarray:
        """Every source's outline hypotheses (n, 4, 2): ordered, distinct, plausible (for the scorer's fit)."""
        quads, _ = self._scored(views, [], np.zeros(0), self.candidates(views), score=False)
        return np.stack(quads) if quads else np.zeros((0, 4, 2), np.float32)

    def snap(self, views: Views, quads: np.ndarray) -> np.ndarray:
        """Quads (n, 4, 2) with their sides moved onto the edges near them, as the favourite is in `choose`;
        the ones that stay plausible."""
        if not len(quads):
            return quads
        reach = self.reach(views)
        moved = order_quads(search_sides_many(views, quads, reach))
        moved = order_quads(search_sides_many(views, moved, reach / 3))
        return moved[plausible_mask(moved, views.size, self.MIN_AREA)]

    # -- the small frame --------------------------------------------------------------------------------

    def views(self, image: np.ndarray, balance: bool = False) -> Views:
        width = image.shape[1]
        small = image
        while max(small.shape[:2]) > self.WORK_SIDE * 2:  # halvings: cheaper than an odd-ratio resize
            # A 2x2 average, not pyrDown's 5x5 Gaussian: half the cost, and the sides stay sharper (measured on
            # development frames: more pages found, newspaper and cloths better, no more false pages).
            small = cv2.resize(small, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        if max(small.shape[:2]) > self.WORK_SIDE:
            factor = self.WORK_SIDE / max(small.shape[:2])
            # Linear is enough after a halving has smoothed the frame (and costs a fifth of INTER_AREA).
            interpolation = cv2.INTER_LINEAR if small is not image else cv2.INTER_AREA
            small = cv2.resize(small, None, fx=factor, fy=factor, interpolation=interpolation)
        if small is image:
            small = cv2.GaussianBlur(small, (3, 3), 0)
        if balance:
            small = white_balanced(small)
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        # A dim room: brighten the small frame as a camera's auto-exposure would (up to 4x), so the edge and
        # contrast thresholds mean the same in the dark.
        bright = percentiles(grey, (97,))[0]
        if 0 < bright < 200:
            gain = min(4.0, 220.0 / bright)
            small = cv2.convertScaleAbs(small, alpha=gain)
            grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        # Gradients of all three channels; each pixel keeps the channel whose change is strongest, so a page
        # on a cloth of the same brightness but another colour still has an edge.
        gxs = cv2.split(cv2.Sobel(small, cv2.CV_16S, 1, 0, ksize=3))
        gys = cv2.split(cv2.Sobel(small, cv2.CV_16S, 0, 1, ksize=3))
        # OpenCV masks for the choice: the numpy equivalent costs five times as much on every frame.
        magnitudes = [cv2.add(np.abs(x), np.abs(y)) for x, y in zip(gxs, gys, strict=True)]
        gx, gy, strongest = gxs[0].copy(), gys[0].copy(), magnitudes[0]
        for x, y, magnitude in zip(gxs[1:], gys[1:], magnitudes[1:], strict=True):
            stronger = cv2.compare(magnitude, strongest, cv2.CMP_GT)
            cv2.copyTo(x, stronger, gx)
            cv2.copyTo(y, stronger, gy)
            strongest = cv2.max(magnitude, strongest)
        floor = float(np.clip(percentiles(strongest, (70,), top=1024)[0], 40.0, 90.0))
        light = percentiles(grey, (97,))[0] if 0 < bright < 200 else bright
        gradient = cv2.merge([gx, gy])  # int16: sampled at the nearest pixel, converted after
        b, g, r = cv2.split(small)  # (cv2's per-pixel max/min: numpy's axis reductions are slow here)
        chroma = cv2.subtract(cv2.max(cv2.max(b, g), r), cv2.min(cv2.min(b, g), r))
        # Brightness less colour: white paper stands out of a pastel cloth of its own brightness. The median
        # erases thin print (the page's, a newspaper's, a tile joint) and keeps the edges between surfaces.
        paperness = cv2.medianBlur(cv2.addWeighted(grey, 1.0, chroma, -0.5, 0), 5)
        surface_edges = cv2.add(
            cv2.convertScaleAbs(cv2.Sobel(paperness, cv2.CV_16S, 1, 0, ksize=3)),
            cv2.convertScaleAbs(cv2.Sobel(paperness, cv2.CV_16S, 0, 1, ksize=3)),
        )
        return Views(
            small.shape[1] / width, small, grey, gx, gy, gradient, floor, light, paperness, surface_edges, chroma
        )

    def edge_map(self, views: Views) -> np.ndarray:
        high = views.edge_floor * 1.2
        return cv2.Canny(views.gx, views.gy, high * 0.5, high, L2gradient=False)

    def region_candidates(self, views: Views, edges: np.ndarray) -> list[np.ndarray]:
        """The cheap generators: closed outlines and paper-coloured regions."""
        width, height = views.size
        min_area = self.MIN_AREA * width * height
        return edge_candidates(edges, min_area) + paper_candidates(views.grey, views.chroma, min_area)

    def candidates(self, views: Views) -> list[np.ndarray]:
        lines = self.lines(views)
        regions = self.region_candidates(views, self.edge_map(views))
        colour, faint = self.colour_lines(views), self.faint_lines(views)
        return (
            self.line_candidates(views, lines)
            + regions
            + self.completed_candidates(views, lines)
            + self.line_candidates(views, colour)
            + self.completed_candidates(views, colour)
            + self.line_candidates(views, faint)
            + self.completed_candidates(views, faint)
            + self._tone_look(views, lines)
        )

    LINE_QUADS = 40
    # Fewer from each hue map: half the look's cost, the same pages found on development frames.
    TONE_QUADS, TONE_COMPLETIONS = 20, 6
    COMPLETIONS = 12  # three-sided hypotheses whose fourth side is looked for
    # The fourth side's distance from side k, over k's length: every paper's aspect either way (ID card 1.59,
    # A4 1.41, letter 1.29, and 1 over them), with room for perspective.
    FOURTH_SIDE = np.geomspace(0.55, 1.85, 25)

    def lines(self, views: Views) -> Lines | None:
        return _lines_in(views, views.paperness)

    def colour_lines(self, views: Views) -> Lines | None:
        """Lines of the colourfulness map: a white page's side where the cloth beside it is as bright as the
        paper but tinted (a pastel check, a pink tile), which brightness less colour shows too weakly."""
        return _lines_in(views, cv2.medianBlur(views.chroma, 5))

    def tone_lines(self, views: Views) -> list[Lines | None]:
        """Lines of hue: the red-green and the yellow-blue axes of CIELAB, each stretched over the frame's own
        range. A cream page on bluish or lavender sheets, or a pink certificate on a cloth of its brightness,
        differs from what is beside it in hue alone, which brightness and colourfulness both miss."""
        lab = cv2.cvtColor(views.colour, cv2.COLOR_BGR2LAB)
        return [_lines_in(views, _stretched(cv2.medianBlur(lab[..., axis], 5))) for axis in (1, 2)]

    def faint_lines(self, views: Views) -> Lines | None:
        """Lines of brightness less colour that step too gently for the first look (`lines.FAINT_QUANT`)."""
        return _lines_in(views, views.paperness, faint=True)

    def line_candidates(self, views: Views, lines: Lines | None, limit: int | None = None) -> list[np.ndarray]:
        if lines is None:
            return []
        width, height = views.size
        quads, _ = line_quads(lines, views.size, self.MIN_AREA * width * height, limit or self.LINE_QUADS)
        return list(quads)

    def completed_candidates(self, views: Views, lines: Lines | None, limit: int | None = None) -> list[np.ndarray]:
        """A page with three sides found as lines and the fourth too faint for one (a white card on white
        paper, a side in glare): the fourth side put on the best edge at a distance a paper's shape allows."""
        if lines is None:
            return []
        found = three_sides(lines, views.size, limit or self.COMPLETIONS)
        n, r = len(found.span), len(self.FOURTH_SIDE)
        if not n:
            return []
        distance = (found.span[:, None] * self.FOURTH_SIDE[None, :])[..., None]  # n, r, 1
        ends = found.near[:, None, :, :] + distance[..., None] * found.away[:, None, :, :]  # n, r, 2, 2
        outward = np.broadcast_to(found.away.mean(axis=1)[:, None, :], (n, r, 2))
        quality = side_quality(
            views, ends[:, :, 0].reshape(-1, 2), ends[:, :, 1].reshape(-1, 2), outward.reshape(-1, 2)
        )
        quality = quality.reshape(n, r)
        best = ends[np.arange(n), np.argmax(quality, axis=1)]  # n, 2, 2
        # Or the page runs out of the picture: its fourth side is where the other two leave the frame.
        reach = _to_border(found.near, found.away, views.size)  # n, 2
        cut = (reach.min(axis=1) >= 0.3 * found.span) & (reach.max(axis=1) <= self.FOURTH_SIDE[-1] * found.span)
        exits = found.near + reach[..., None] * found.away
        ends = np.concatenate([best, exits[cut]])
        near = np.concatenate([found.near, found.near[cut]])
        quads = np.stack([near[:, 0], near[:, 1], ends[:, 1], ends[:, 0]], axis=1)
        return list(order_quads(quads.astype(np.float32)))

    # -- choosing ---------------------------------------------------------------------------------------

    def _track(self, views: Views, hint: np.ndarray) -> tuple[np.ndarray | None, float, bool]:
        """In a live view the page is near where it was: snap last frame's outline to this frame's edges; if
        that convinces (the third value), the generators are not needed (a live preview then costs a
        fraction of a search)."""
        guess = order_corners(scale_quad(order_corners(hint), views.scale))
        if not plausible_mask(guess[None], views.size, self.MIN_AREA)[0]:
            return None, 0.0, False
        reach = max(3.0, 0.04 * min(views.size))
        moved = order_corners(search_sides(views, guess, reach))
        if not plausible_mask(moved[None], views.size, self.MIN_AREA)[0]:
            return None, 0.0, False
        score = float(score_quads(views, moved[None])[0])
        cut = cut_side(guess, views.size)
        if cut is None or score >= self.CONFIDENT_SCORE:
            return moved, score, score >= self.CONFIDENT_SCORE
        # The page ran out of the picture. The search may have moved that side (which has no edge of its own)
        # onto whatever lies near the border: it goes back on the border. Such an outline is judged without
        # the cut's weight, which is for choosing among outlines: the last frame's search chose this one
        # (judged with it, a cut page was searched for again on most frames, at three times the cost).
        kept = moved
        if cut_side(moved, views.size) is None:
            kept = order_corners(onto_border(moved, border_line(guess[cut], guess[(cut + 1) % 4], views.size)))
        kept_cut = cut_side(kept, views.size)
        if kept_cut is None or not plausible_mask(kept[None], views.size, self.MIN_AREA)[0]:
            return moved, score, False
        # Unless the page is on the move (a side may have moved further than it is looked for).
        if np.abs(kept - guess).max() > 0.5 * reach:
            return moved, score, False
        kept_score = score if kept is moved else float(score_quads(views, kept[None])[0])
        if without_cut_weight(kept_score) >= self.CONFIDENT_SCORE:
            return kept, kept_score, True
        return moved, score, False

    def _scored(
        self, views: Views, quads: list[np.ndarray], scores: np.ndarray, more: list[np.ndarray], score: bool = True
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """`quads` (distinct, plausible, scored: `scores`) with the plausible ones of `more` that are not
        near-duplicates added and scored: each hypothesis is scored once however many sources are asked."""
        fresh = _unique(quads + list(more))[len(quads) :]  # the known ones come first and are distinct
        if fresh:
            stack = np.stack(fresh)
            fresh = list(stack[plausible_mask(stack, views.size, self.MIN_AREA)])
        if not fresh or not score:
            return quads + fresh, scores
        return quads + fresh, np.concatenate([scores, score_quads(views, np.stack(fresh))])

    def choose(self, views: Views, quads: list[np.ndarray], scores: np.ndarray, paper: Paper | None = None) -> Choice:
        """The page among scored hypotheses: the favourite, unless an outline nested with it is the paper's
        edge (`nesting.py`: print on the page, print reaching the page's edge, or the paper's known shape, also
        when the favourite has no shape of it), or, with the paper known, the favourite is far from its shape
        and an outline of that shape elsewhere is likely enough. What a shape rule replaced comes with the
        choice, to be taken if the full-resolution fit refuses the one that has the shape."""
        best, best_score = self._favourite(views, quads, scores)
        best, best_score = beyond_print(views, quads, scores, best, best_score)
        best, best_score = beyond_bleed(views, quads, scores, best, best_score)
        shaped, shaped_score = expected_shape(quads, scores, best, best_score, paper)
        shaped, shaped_score = of_the_papers_shape(quads, scores, shaped, shaped_score, paper, views.size)
        shaped, shaped_score = self._stretched(views, shaped, shaped_score, paper)
        return Choice(shaped, shaped_score, None if shaped is best else (best, best_score))

    def _stretched(
        self, views: Views, best: np.ndarray | None, best_score: float, paper: Paper | None
    ) -> tuple[np.ndarray | None, float]:
        """With the paper known, a winner wholly in view and not of its shape, stretched by one side to that
        shape (`paper.stretched_to`) and snapped to the edges near: the likeliest such outline of the shape,
        if it scores at least as well. A card whose side lies in a lamp's glare is often outlined up to its
        QR code or photo; the side in the glare says nothing against the whole card, and its other sides are
        the winner's. Development frames with the paper known: 0.9718 -> 0.9726 (gains 2.27, losses 0.49),
        held-out seeds 0.9700 -> 0.9711 (gains 1.29, none lost); from a shape 0.07 or 0.03 off, or at 0.9 of
        the score, 0.9725-0.9727 with more lost."""
        size = views.size
        if best is None or paper is None or cut_side(best, size) is not None:
            return best, best_score
        stretched = stretched_to(best, paper.aspect) if shape_off(best, paper, size) > SHAPE_TOLERANCE else []
        if not stretched:
            return best, best_score
        outlines = np.stack(stretched)
        outlines = order_quads(np.concatenate([outlines, search_sides_many(views, outlines, self.reach(views))]))
        outlines = outlines[plausible_mask(outlines, size, self.MIN_AREA)]
        if not len(outlines):
            return best, best_score
        scores = score_quads(views, outlines)
        better = likeliest(list(outlines), scores, best_score, lambda quad: in_view_of_shape(quad, paper, size))
        return better or (best, best_score)

    def _favourite(self, views: Views, quads: list[np.ndarray], scores: np.ndarray) -> tuple[np.ndarray | None, float]:
        """Given scored hypotheses: snap the best few to the edges near them and score again; the best wins."""
        if not quads:
            return None, 0.0
        order = np.argsort(-scores)
        if scores[order[0]] >= self.CLEAR_SCORE:
            # A clear winner (a page on a plain table): the full-resolution fit places its sides.
            return quads[order[0]], float(scores[order[0]])
        nudged = self._nudged(views, [quads[i] for i in order[: max(self.FRONT_RUNNERS, self.NEAR_RUNNERS)]])
        if len(nudged):
            quads = quads + list(nudged)
            scores = np.concatenate([scores, score_quads(views, nudged)])
            order = np.argsort(-scores)
        chosen = order[: self.SHORTLIST]
        shortlist = np.stack([quads[i] for i in chosen])
        reach = self.reach(views)
        moved = search_sides_many(views, shortlist, reach)
        moved[:1] = search_sides_many(views, moved[:1], reach / 3)  # the favourite: a second look from there
        # Each also moved only a little: on a pile of papers the wide search can take a side that lies a pixel
        # or two off the page's edge to a stronger edge beside it (another sheet's), and lose the page
        # (development frames: 0.9626 -> 0.9647, pages missed 21 -> 14, page-less frames taken 16 -> 17). A
        # fine pass is enough since the close snap of the near runners (`_nudged`) went before: with a 6 px
        # pass first as well, 0.9690 against 0.9689; with neither, 0.9679.
        moved = order_quads(np.concatenate([moved, search_sides_many(views, shortlist, self.NEAR_REACH / 3)]))
        moved = moved[plausible_mask(moved, views.size, self.MIN_AREA)]
        pool = list(shortlist) + list(moved)
        final = np.concatenate([scores[chosen], score_quads(views, moved) if len(moved) else np.zeros(0)])
        best = int(np.argmax(final))
        if final[best] <= 0:
            return None, 0.0
        best = outermost(pool, final, best)
        return pool[best], float(final[best])

    def _nudged(self, views: Views, runners: list[np.ndarray]) -> np.ndarray:
        """Quick snaps of the best hypotheses (`runners`, best first), all at once, before the shortlist is drawn:
        one a little off the page's edges scores low until it is moved onto them, and would otherwise lose its
        place to lucky junk. The front runners are moved as far as the wide search reaches, coarsely; more of
        them only as far as the close search (a card on a pile of papers is often a dozenth hypothesis, a pixel
        or two off its edges: development frames 0.9659 -> 0.9677, the pile 0.828 -> 0.838; 24 did no better)."""
        front = np.stack(runners[: self.FRONT_RUNNERS])
        wide = search_sides_many(views, front, self.reach(views), passes=((3.0, 1.0, None),), turns=1)
        close = search_sides_many(views, np.stack(runners[: self.NEAR_RUNNERS]), self.NEAR_REACH)
        nudged = order_quads(np.concatenate([wide, close]))
        return nudged[plausible_mask(nudged, views.size, self.MIN_AREA)]


def _print_beyond_mask(found: np.ndarray, seen: np.ndarray) -> bool:
    """Whether `found` is the mask's page with more beyond one of its sides (two corners in common, the rest
    around it): a photo or a colour band printed to the paper's edge, which the mask was not taught and the
    edges' rules (`nesting.beyond_bleed`) already weighed."""
    return shared_corners(found, seen) == 2 and encloses(found, seen, 0.03 * float(np.ptp(found, axis=0).max()))


def _lines_in(views: Views, image: np.ndarray, faint: bool = False) -> Lines | None:
    """The lines of one of the small frame's maps: segments a page's side long at least, joined."""
    return join_segments(*segments(image, 0.04 * min(views.size), faint=faint), views.size)


TONE_RANGE = 8.0  # the least range of a hue axis stretched to full scale: a frame of one hue has no hue lines


def _stretched(plane: np.ndarray) -> np.ndarray:
    """A map's 1st-99th percentile range stretched to 0..255: a hue axis spans a few dozen levels of LAB's
    256, less than LSD's gradient threshold across a hue step (measured: 3-5 levels per pixel)."""
    low, high = percentiles(plane, (1, 99))
    gain = 255.0 / max(high - low, TONE_RANGE)
    return cv2.convertScaleAbs(plane, alpha=gain, beta=-low * gain)


# A cast is a gain of at least 1.1 between the channels' bright ends (white paper is rarely quite neutral, nor
# a frame's brightest tenth quite white); it is corrected by at most 2 (a warm bulb's blue is about 0.55-0.7).
WHITE_BALANCE = (1.1, 2.0)


def _cast_gains(image: np.ndarray) -> np.ndarray | None:
    """The gains (b, g, r) that bring each channel's bright end (97th percentile: mostly paper, where there
    is a page) to the brightest channel's, or None when the frame has no cast to speak of. Read where some
    channel is not blown out: a lamp's glare is white in any light, and would hide the cast (paper under a
    warm bulb may be blown out in red alone, and still shows it)."""
    channels = cv2.split(image)
    unclipped = cv2.compare(cv2.min(cv2.min(channels[0], channels[1]), channels[2]), GLARE, cv2.CMP_LT)
    if cv2.countNonZero(unclipped) < 0.1 * unclipped.size:  # mostly blown out: nothing to read
        return None
    tops = np.array([percentiles(channel, (97,), mask=unclipped)[0] for channel in channels], np.float32)
    if tops.min() <= 0:
        return None
    gains = tops.max() / tops
    return gains if gains.max() >= WHITE_BALANCE[0] else None


def has_cast(image: np.ndarray) -> bool:
    """Whether a frame has a colour cast (judged on every few pixels: a cast is the whole frame's)."""
    step = max(1, max(image.shape[:2]) // 400)
    return _cast_gains(np.ascontiguousarray(image[::step, ::step])) is not None


def white_balanced(small: np.ndarray) -> np.ndarray:
    """The small frame with its colour cast taken out (see `_cast_gains`); a frame without one as it is."""
    gains = _cast_gains(small)
    if gains is None:
        return small
    return cv2.transform(small, np.diag(np.minimum(gains, WHITE_BALANCE[1])).astype(np.float32))


def _unique(quads: list[np.ndarray], tolerance: float = 2.0) -> list[np.ndarray]:
    """Ordered quads, near-duplicates (corners on the same `tolerance` grid) dropped."""
    if not quads:
        return []
    ordered = order_quads(np.stack(quads))
    _, first = np.unique(np.round(ordered.reshape(len(ordered), -1) / tolerance).astype(int), axis=0, return_index=True)
    return list(ordered[np.sort(first)])


SURE_SCORE = 0.38  # the score at which confidence is one half (with three quarters of the outline supported)
SUPPORT_WEIGHT = 1.0  # log-odds per unit of the outline found at full resolution


def _to_border(points: np.ndarray, directions: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """How far (...,) from `points` (..., 2) along unit `directions` (..., 2) the frame's border is."""
    limits = np.array(size, np.float32) - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        forward = np.where(directions < 0, -points / directions, np.inf)
        ahead = np.where(directions > 0, (limits - points) / directions, forward)
    return np.maximum(ahead.min(axis=-1), 0.0)


def _confidence(score: float, support: float) -> float:
    """The small-frame score (a probability) and the share of the outline found at full resolution, mapped
    to 0..1: the score's log-odds, shifted so that SURE_SCORE sits at one half, nudged by the support.

    Set on generated frames of development seeds (never the benchmark's, 900 pages and 150 page-less frames):
    the floor that kept the most of the pages' Jaccard for the fewest page-less frames reported. The support
    says less than it seems (a page under a thumb or a glare loses support too): it only nudges."""
    score = min(max(score, 1e-6), 1 - 1e-6)
    logit = math.log(score / (1 - score)) - math.log(SURE_SCORE / (1 - SURE_SCORE)) + SUPPORT_WEIGHT * (support - 0.75)
    return float(1.0 / (1.0 + math.exp(-logit)))
