"""Paper kinds the portal's documents come on, and guessing one from the outline of a page.

The slot of a dossier (`DocumentSlot.paper`) says which paper it expects; "auto" leaves it to the outline.
Sizes are portrait (width < height) in millimetres; ID cards are landscape on the desk but stored the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fieldkit.core.errors import UserError
from fieldkit.scanner.geometry import implied_focal, rectangle_ratios, side_lengths

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class Paper:
    code: str
    width_mm: float  # the short side
    height_mm: float  # the long side

    @property
    def aspect(self) -> float:
        return self.height_mm / self.width_mm

    def size_mm(self, landscape: bool) -> tuple[float, float]:
        return (self.height_mm, self.width_mm) if landscape else (self.width_mm, self.height_mm)


PAPERS: dict[str, Paper] = {
    paper.code: paper
    for paper in (
        Paper("a4", 210.0, 297.0),
        Paper("a5", 148.0, 210.0),
        Paper("letter", 215.9, 279.4),
        Paper("id-card", 53.98, 85.6),  # ISO/IEC 7810 ID-1, the CCCD card
    )
}
AUTO = "auto"


def paper_for(code: str | None) -> Paper | None:
    """The paper of a code ("a4", "id-card"...); None for "auto"; a UserError for an unknown code."""
    if code in (None, "", AUTO):
        return None
    try:
        return PAPERS[code]
    except KeyError:
        raise UserError("error.scan.paper_unknown", paper=code, known=", ".join([AUTO, *PAPERS])) from None


def outline_ratio(quad: np.ndarray, image_size: tuple[int, int] | None = None) -> float:
    """Width over height (its top side over its left side) of the real page behind an ordered perspective
    outline: above 1 for a page lying across.

    With the image size, the rectangle's true shape follows from the vanishing geometry around the image centre
    (Zhang & He, "Whiteboard scanning and image enhancement", 2007), with the focal length the outline implies,
    or a typical webcam's when that is unstable. Without it, or when the outline is too close to a
    parallelogram for the formula to hold, the means of opposite sides are used: a portrait page seen steeply
    from its foot looks wider than tall, and was flattened as landscape by them.
    """
    sides = side_lengths(quad)
    drawn = (sides[0] + sides[2]) / max(sides[1] + sides[3], 1e-6)
    if image_size is None:
        return float(drawn)
    exact = _perspective_ratio(quad, image_size)
    return exact if exact is not None else float(drawn)


def outline_aspect(quad: np.ndarray, image_size: tuple[int, int] | None = None) -> float:
    """Long side over short side of the real page behind a perspective outline (`outline_ratio`)."""
    ratio = outline_ratio(quad, image_size)
    return max(ratio, 1.0 / max(ratio, 1e-6))


# A typical laptop webcam sees about 65 degrees across: focal length = width / (2 tan 32.5).
TYPICAL_FOCAL_PER_WIDTH = 0.78


def _perspective_ratio(quad: np.ndarray, image_size: tuple[int, int]) -> float | None:
    typical = TYPICAL_FOCAL_PER_WIDTH * image_size[0]
    focal = implied_focal(quad, image_size)
    if focal is None or not 0.3 < focal / typical < 3.0:
        focal = typical
    ratio = rectangle_ratios(np.asarray(quad, np.float64)[None], image_size, focal)[0]
    return None if np.isnan(ratio) else float(ratio)


# How far (log aspect) an outline may be from the paper its slot expects before the page is worth a look. On
# development frames (seeds 1-6, no paper given to the detector), no outline within 0.95 Jaccard of the page
# was further than 0.056 (ID cards, 711) or 0.072 (A4, 1,302); of the outlines below 0.9, 0.10 marks 37 of 53
# on ID cards (most stop at the card's photo and under its header) and 11 of 44 on A4. Below A4's distance from
# an ID card (0.115), so an A4 sheet in the card's slot is marked; above letter's from A4 (0.089).
SHAPE_DOUBT = 0.10


def shape_off(quad: np.ndarray, paper: Paper, image_size: tuple[int, int]) -> float:
    """How far (log) an outline's shape is from the paper's: the nearer of its two readings (opposite sides'
    means, and the perspective-aware one), so a steeply tilted page is not called misshapen, and an unsteady
    vanishing-point estimate does not call a right outline wrong."""
    readings = (outline_aspect(quad), outline_aspect(quad, image_size))
    return min(abs(math.log(aspect / paper.aspect)) for aspect in readings)


def misshapen(quad: np.ndarray, paper: Paper | None, image_size: tuple[int, int]) -> bool:
    """Whether an outline is too far from the expected paper's shape to be trusted as its whole (never, with no
    paper expected)."""
    return paper is not None and shape_off(quad, paper, image_size) > SHAPE_DOUBT


def stretched_to(quad: np.ndarray, aspect: float) -> list[np.ndarray]:
    """The outline with one side moved outward (its two neighbours drawn on along their own lines) until the
    outline has this aspect, each side in turn and either way round (long or short): where the page's fourth
    side was not seen (lost in a lamp's glare, or taken for a printed block near it), one of these lies on it."""
    quad = np.asarray(quad, np.float32)
    lengths = side_lengths(quad)
    stretched = []
    for k in range(4):
        across = (lengths[k] + lengths[(k + 2) % 4]) / 2  # along side k
        along = (lengths[(k + 1) % 4] + lengths[(k + 3) % 4]) / 2  # the depth side k moves through
        for target in (across * aspect, across / aspect):
            factor = target / max(along, 1e-6)
            if not 1.05 < factor < 3.0:  # no move worth a look, or more than the page could hide
                continue
            moved = quad.copy()
            moved[k] = quad[(k + 3) % 4] + factor * (quad[k] - quad[(k + 3) % 4])
            moved[(k + 1) % 4] = quad[(k + 2) % 4] + factor * (quad[(k + 1) % 4] - quad[(k + 2) % 4])
            stretched.append(moved)
    return stretched


# How much nearer (in log aspect) than A4 a paper must look to be chosen: A4 is what most dossier papers are,
# and an outline's aspect is only as good as its corners (a few pixels off on a small card moves it by 0.05).
PRIOR = {"a4": 0.0, "letter": 0.02, "id-card": 0.03}


def guess_paper(aspect: float) -> Paper:
    """The paper whose aspect is nearest (in log terms, A4 favoured a little) to an outline's long/short ratio.

    A4 (1.414) and A5 (1.419) have the same shape: an outline alone cannot tell them apart, so it says A4.
    """
    return min(
        (PAPERS[code] for code in PRIOR),
        key=lambda paper: abs(math.log(aspect / paper.aspect)) + PRIOR[paper.code],
    )


def photo_paper(width_px: int, height_px: int) -> Paper:
    """A sheet for a photograph taken as it is (no page found in it): its own proportions, as large as fits
    on A4. Its shape says nothing about the paper, so it is neither stretched to a paper nor taken for an ID
    card; a flat scan or a cropped photo keeps its look."""
    a4 = PAPERS["a4"]
    aspect = max(width_px, height_px) / max(1, min(width_px, height_px))
    long_mm = min(a4.height_mm, a4.width_mm * aspect)
    return Paper("photo", long_mm / aspect, long_mm)


def warp_size(paper: Paper, landscape: bool, long_side_px: int) -> tuple[int, int]:
    """Pixel size of the flattened page: the paper's true aspect, `long_side_px` along its long side."""
    width_mm, height_mm = paper.size_mm(landscape)
    scale = long_side_px / max(width_mm, height_mm)
    return max(1, round(width_mm * scale)), max(1, round(height_mm * scale))


def dpi_of(pixels_across: int, paper_mm: float) -> int:
    """Honest resolution: the pixels that really cover the page, over its size in inches."""
    return max(1, round(pixels_across / (paper_mm / MM_PER_INCH)))
