"""Making a flattened page readable: colour, grey or black-and-white, with shadows and uneven light removed,
and turned upright when the text says which way is up.

Light removal: the paper's own brightness is estimated everywhere (a large-kernel closing erases the print,
a blur smooths what is left) and the page is divided by it, so a shadow or a lamp's fall-off becomes white
paper again. Black-and-white then thresholds the evened page locally, which keeps thin strokes and stamps.

Orientation (A4, A5, letter pages; an ID card is only kept landscape): sideways text (90 degrees) shows in
projection profiles — text lines make the row profile strongly periodic, the column profile much less.
Upside down (180 degrees) is harder: Vietnamese and Latin letters carry more ink above the x-height band
(ascenders, most diacritics) than below it (descenders), so a page whose lines are heavier below is probably
upside down. That cue is weak on short or sparse text, so it only turns the page when most lines agree;
otherwise the page is left as captured (the user can turn it).
"""

from __future__ import annotations

from enum import StrEnum

import cv2
import numpy as np


class Mode(StrEnum):
    COLOR = "color"
    GRAY = "gray"
    BW = "bw"


def paper_background(grey: np.ndarray) -> np.ndarray:
    """The paper's brightness at each pixel, print removed (float32, same size)."""
    height, width = grey.shape
    factor = max(1.0, max(height, width) / 600.0)  # work on a small copy: the light varies slowly
    small = cv2.resize(
        grey, (max(1, round(width / factor)), max(1, round(height / factor))), interpolation=cv2.INTER_AREA
    )
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15))  # wider than a stroke at ~600 px a page
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    closed = cv2.medianBlur(closed, 5)
    blurred = cv2.GaussianBlur(closed.astype(np.float32), (0, 0), 6)
    return cv2.resize(blurred, (width, height), interpolation=cv2.INTER_LINEAR)


def even_light(image: np.ndarray) -> np.ndarray:
    """Divide out the paper's uneven brightness (shadows, fall-off); works on grey or colour (per channel)."""
    if image.ndim == 2:
        background = paper_background(image)
        return _divide(image, background)
    channels = [_divide(channel, paper_background(channel)) for channel in cv2.split(image)]
    return cv2.merge(channels)


def _divide(channel: np.ndarray, background: np.ndarray) -> np.ndarray:
    # 245, not 255: keeps a little headroom so paper is white but faint pencil does not vanish.
    evened = channel.astype(np.float32) * (245.0 / np.maximum(background, 1.0))
    return np.clip(evened, 0, 255).astype(np.uint8)


def to_mode(image: np.ndarray, mode: Mode | str, dpi: int = 150) -> np.ndarray:
    """BGR page -> the mode's pixels: BGR uint8 (colour), grey uint8 (grey) or grey 0/255 (black-and-white,
    `bw_scale(dpi)` times as many pixels each way as the page: see BW_DPI)."""
    mode = Mode(mode)
    if mode is Mode.COLOR:
        out = _stretch(even_light(image))
    else:
        evened = even_light(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
        out = _stretch(evened) if mode is Mode.GRAY else _bitonal(evened, dpi)
    return _clean_border(out)


# Black-and-white pages are thresholded on the evened grey page enlarged towards this density, at most twice
# the captured one. At a webcam's 80-90 dpi a letter's stroke is two or three pixels wide, and thresholding
# puts each of its soft edges wholly on one side: the letters come out a pixel too thick or too thin, jagged.
# Tesseract (Vietnamese) misread 2.85% of the characters of such pages against 0.81% of the grey ones, and
# 0.95% at twice the pixels (16 text pages of the benchmark's kind, a development seed; 1.05% with the blur
# `binarize` gives a finely taken page; on 8 of them 1.4% at 1.5 times, 1.0% at 2.5 times). The enlargement adds
# no detail the camera did not see, so the page's recorded DPI stays the captured one; G4 keeps the page small
# (35 KB against 19 KB on those pages).
BW_DPI = 200
BW_MAX_SCALE = 2.0


def bw_scale(dpi: int) -> float:
    """How many times a page captured at `dpi` is enlarged each way before it is thresholded."""
    return min(BW_MAX_SCALE, max(1.0, BW_DPI / max(dpi, 1)))


def _bitonal(evened: np.ndarray, dpi: int) -> np.ndarray:
    scale = bw_scale(dpi)
    if scale == 1.0:
        return binarize(evened, dpi)
    # The enlargement is smooth already: blurred again, a tone mark a pixel above its letter joined it.
    enlarged = cv2.resize(evened, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return binarize(enlarged, round(dpi * scale), blur=False)


def _clean_border(page: np.ndarray) -> np.ndarray:
    """Whiten a hair-thin frame: the outermost pixels mix in the table (the outline is exact only to a pixel)
    and would print as a dark line round the page."""
    width = max(2, round(0.004 * max(page.shape[:2])))
    page[:width] = 255
    page[-width:] = 255
    page[:, :width] = 255
    page[:, -width:] = 255
    return page


def binarize(evened: np.ndarray, dpi: int, blur: bool = True) -> np.ndarray:
    """Local threshold on an evened grey page: ink is what is clearly darker than the paper around it.
    `blur`: soften a finely taken page's sensor noise first (at 120 dpi or more)."""
    block = max(15, int(dpi * 0.25) | 1)  # about 6 mm: larger than a letter, smaller than a shadow's edge
    source = cv2.GaussianBlur(evened, (3, 3), 0) if blur and dpi >= 120 else evened
    local = cv2.adaptiveThreshold(source, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 12)
    # Evened paper sits near 245: anything above ~200 is paper whatever its neighbourhood says (kills speckle
    # in blank areas, where the local mean is the paper itself).
    local[evened > 200] = 255
    return local


def _stretch(image: np.ndarray) -> np.ndarray:
    """Black ink black and paper white: the darkest 0.5% to 0 and the paper (the median: most of a page is
    paper) to 250, channels together so colours keep their balance."""
    low, paper = np.percentile(image, (0.5, 50.0))
    if paper - low < 30:
        return image
    scale = 250.0 / (paper - low)
    return np.clip((image.astype(np.float32) - low) * scale, 0, 255).astype(np.uint8)


# -- orientation ----------------------------------------------------------------------------------------


def ink_map(image: np.ndarray) -> np.ndarray:
    """Ink as 1, paper as 0, on a copy about 800 pixels high (enough for text lines, fast)."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    factor = max(1.0, max(grey.shape) / 800.0)
    small = cv2.resize(
        grey, (round(grey.shape[1] / factor), round(grey.shape[0] / factor)), interpolation=cv2.INTER_AREA
    )
    evened = even_light(small)
    return (binarize(evened, 100) < 128).astype(np.float32)


def _line_periodicity(profile: np.ndarray) -> float:
    """How strongly a projection profile alternates between text lines and gaps (0 = not at all)."""
    if profile.size < 16 or profile.max() <= 0:
        return 0.0
    smooth = np.convolve(profile, np.ones(3) / 3, mode="same")
    return float(np.std(np.diff(smooth)) / (np.mean(smooth) + 1e-6))


def quarter_turns_upright(image: np.ndarray) -> int:
    """How many quarter turns clockwise (0..3) make the text upright; 0 when it cannot be told."""
    ink = ink_map(image)
    if ink.mean() < 0.005:  # a blank page: nothing to read
        return 0
    rows, cols = _line_periodicity(ink.sum(axis=1)), _line_periodicity(ink.sum(axis=0))
    if cols > 1.3 * rows:  # sideways: lines run down the page
        # One of the two quarter turns is right; the text says which, by a smaller lean than an upright-looking
        # page needs to be turned over (pages 500 px high lean 0.05-0.45 either way: with that margin here,
        # 9 of 48 sideways pages came out upside down).
        lean = _upside_down_lean(np.ascontiguousarray(np.rot90(ink, -1)))  # turned a quarter clockwise
        if lean is None or abs(lean) < SIDEWAYS_LEAN:
            return 0  # left as it was taken, for the user to turn: better than a guess
        return 3 if lean > 0 else 1
    lean = _upside_down_lean(ink)
    return 2 if lean is not None and lean > UPSIDE_DOWN_LEAN else 0


UPSIDE_DOWN_LEAN = 0.25  # an upright-looking page is turned over only on this much evidence (most come upright)
# A sideways page is turned one way or the other on less; below this its lean says little: at some scales the
# print's line spacing falls on the pixel grid and the lean comes out near 0 whichever way the page is (22 of
# 40 upright pages 400 px high leaned the wrong way, none by more than 0.25).
SIDEWAYS_LEAN = 0.1


def _upside_down_lean(ink: np.ndarray) -> float | None:
    """-1..1: how much more ink text lines carry below their x-height band than above it (upright Latin and
    Vietnamese text carries more above: ascenders, capitals, diacritics); None when there is too little text."""
    # Ruled lines (a table, the lines to write on) are not text and would swamp the profile: take them out.
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(15, ink.shape[1] // 8)), np.float32))
    profile = (ink - rules).sum(axis=1)
    if profile.max() <= 0:
        return None
    in_line = np.append(profile > 0.15 * np.percentile(profile[profile > 0], 90), False)
    spans, start = [], None
    for y, inside in enumerate(in_line):
        if inside and start is None:
            start = y
        elif not inside and start is not None:
            spans.append((start, y))
            start = None
    heights = np.array([end - begin for begin, end in spans])
    if len(spans) < 3:
        return None  # too little text to tell
    typical = float(np.median(heights))
    votes, weight = 0.0, 0.0
    for (begin, end), height in zip(spans, heights, strict=True):
        if height < 4 or height > 2.0 * typical:  # a photo, a QR code, a stamp: not a line of text
            continue
        line = profile[max(0, begin - 3) : end + 3]
        core = line > 0.5 * line.max()
        top, bottom = np.argmax(core), len(core) - 1 - np.argmax(core[::-1])
        above, below = line[:top].sum(), line[bottom + 1 :].sum()
        if above + below < 1e-6:
            continue
        votes += (below - above) / (above + below) * line.sum()
        weight += line.sum()
    return votes / weight if weight > 0 else None


def rotate_quarter(image: np.ndarray, turns: int) -> np.ndarray:
    """Turn clockwise by `turns` quarter turns."""
    turns %= 4
    if turns == 0:
        return image
    codes = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(image, codes[turns])
