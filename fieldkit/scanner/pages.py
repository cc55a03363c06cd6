"""The pages of one document being scanned: each keeps its photograph and corners, so the corners can be
moved by hand after capture and the page rendered again; the list can be added to, reordered, rotated,
retaken and trimmed before the PDF is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from fieldkit.core.errors import UserError
from fieldkit.scanner.enhance import Mode, quarter_turns_upright, rotate_quarter, to_mode
from fieldkit.scanner.geometry import order_corners
from fieldkit.scanner.paper import Paper, misshapen
from fieldkit.scanner.warp import flatten


@dataclass(frozen=True)
class RenderedPage:
    """A page ready for the PDF: its pixels in the chosen mode, the paper's size as it lies, the true DPI."""

    pixels: np.ndarray  # BGR (colour) or one channel (grey, black-and-white 0/255)
    mode: Mode
    size_mm: tuple[float, float]  # width, height of the page as shown
    dpi: int
    paper: str


@dataclass
class ScannedPage:
    photo: np.ndarray  # the frame as captured, BGR
    quad: np.ndarray  # TL, TR, BR, BL in the photo; movable by hand
    paper: Paper | None = None  # None: told by the outline
    mode: Mode = Mode.GRAY
    auto_rotate: bool = True
    turns: int = 0  # quarter turns clockwise the user added
    confidence: float = 1.0
    runs_out: bool = False  # the outline's side on the photo's border: part of the page was not in the picture
    by_hand: bool = False  # a person placed the corners
    _rendered: RenderedPage | None = field(default=None, repr=False, compare=False)

    def with_corners(self, quad: np.ndarray) -> ScannedPage:
        """The same page with corners set by hand (clipped to the photo): a person placed them, so they are
        no longer in doubt."""
        height, width = self.photo.shape[:2]
        corners = order_corners(np.clip(np.asarray(quad, np.float32).reshape(4, 2), [0, 0], [width - 1, height - 1]))
        return replace(self, quad=corners, confidence=1.0, runs_out=False, by_hand=True, _rendered=None)

    @property
    def unsure(self) -> bool:
        """No outline was found: the corners are the photo's own until someone moves them."""
        return self.confidence <= 0.0

    @property
    def off_shape(self) -> bool:
        """The outline found is far from the shape of the paper the slot expects (an ID card's outline that
        stops at its photo): it may hold part of the page only, and the warp would stretch that part to the
        paper's shape. Never said of corners a person placed, nor when the outline is not the page's whole."""
        if self.by_hand or self.unsure or self.runs_out:
            return False
        height, width = self.photo.shape[:2]
        return misshapen(self.quad, self.paper, (width, height))

    def with_mode(self, mode: Mode | str) -> ScannedPage:
        return replace(self, mode=Mode(mode), _rendered=None)

    def rotated(self, turns: int = 1) -> ScannedPage:
        return replace(self, turns=(self.turns + turns) % 4, _rendered=None)

    def render(self) -> RenderedPage:
        if self._rendered is None:
            self._rendered = self._render()
        return self._rendered

    def _render(self) -> RenderedPage:
        flat = flatten(self.photo, self.quad, self.paper)
        turns = self.turns
        if self.auto_rotate and flat.paper.code != "id-card":
            turns += quarter_turns_upright(flat.image)
        pixels = rotate_quarter(to_mode(flat.image, self.mode, flat.dpi), turns)
        width_mm, height_mm = flat.size_mm
        if turns % 2:
            width_mm, height_mm = height_mm, width_mm
        return RenderedPage(pixels, self.mode, (width_mm, height_mm), flat.dpi, flat.paper.code)


class PageList:
    """Ordered pages of one document."""

    def __init__(self, pages: list[ScannedPage] | None = None) -> None:
        self._pages: list[ScannedPage] = list(pages or [])

    def __len__(self) -> int:
        return len(self._pages)

    def __iter__(self):
        return iter(self._pages)

    def __getitem__(self, index: int) -> ScannedPage:
        return self._pages[self._check(index)]

    def _check(self, index: int) -> int:
        if not 0 <= index < len(self._pages):
            raise UserError("error.scan.no_such_page", page=index + 1, count=len(self._pages))
        return index

    def add(self, page: ScannedPage) -> int:
        self._pages.append(page)
        return len(self._pages) - 1

    def remove(self, index: int) -> ScannedPage:
        return self._pages.pop(self._check(index))

    def move(self, index: int, to: int) -> None:
        page = self._pages.pop(self._check(index))
        self._pages.insert(max(0, min(to, len(self._pages))), page)

    def rotate(self, index: int, turns: int = 1) -> None:
        self._pages[self._check(index)] = self._pages[index].rotated(turns)

    def retake(self, index: int, page: ScannedPage) -> None:
        self._pages[self._check(index)] = page

    def adjust(self, index: int, quad: np.ndarray) -> None:
        self._pages[self._check(index)] = self._pages[index].with_corners(quad)

    def set_mode(self, mode: Mode | str) -> None:
        self._pages = [page.with_mode(mode) for page in self._pages]

    def rendered(self) -> list[RenderedPage]:
        return [page.render() for page in self._pages]
