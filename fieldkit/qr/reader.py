"""Reading every QR code in a picture: zxing-cpp first, zbar second, and help for what webcams do to codes.

`QrReader.read` climbs a ladder of attempts in order of cost and stops at the first that reads something
(or, with `exhaustive=True`, climbs it all to find every code in a still image):

1. zxing-cpp on the grey image (it also tries rotations, inverted codes and smaller scales itself);
2. contrast equalised locally (dim codes, glare across part of the code);
3. a zoomed look at where a code was located but not read, or where one probably is (small codes);
4. sharpened (focus blur, motion), then smoothed (sensor noise, a screen's moiré);
5. zbar on the grey image, then on the zoomed regions (it reads some damaged or blurred codes zxing misses);
6. another scale: half (large, noisy or out-of-focus codes read better smaller), then one and a half;
7. (still images only) where a decoder located a symbol but could not read it: that symbol alone, levelled by
   local thresholds (glare), then with likely motion blurs undone. These guesses must be read twice alike.

A time budget (live preview) skips the attempts that would not finish in time, judged by what each cost so far.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

from fieldkit.core.text import nfc
from fieldkit.qr.deblur import Deblurrer, motion_kernels
from fieldkit.qr.engines import Found, Quad, ZbarEngine, ZxingEngine
from fieldkit.qr.image import GreyImage, to_grey
from fieldkit.qr.regions import Box, likely_regions, overlap, quad_box

log = logging.getLogger(__name__)

# Zoomed crops are enlarged until their longer side is about this (modules of small codes reach ~4 px).
_ZOOM_SIDE = 720
_MIN_ZOOM, _MAX_ZOOM = 2.0, 4.0
_MAX_CROP_SIDE = 1800  # a larger region is a large code, which needs no zoom
# A located symbol larger than this has modules wide enough that blur of a few pixels does not hide them.
_MAX_DEBLUR_SIDE = 480
# Guessed images (thresholded, deblurred) that must read the same text before it counts: error correction makes
# a wrong text rare, but a short code with little correction, guessed at many ways, could still produce one.
_CONFIRMATIONS = 2
# Attempts too slow for a live preview (where the next frame is the better retry).
_STILL_ONLY = frozenset({"located"})


@dataclass(frozen=True)
class QrCode:
    text: str  # NFC
    format: str  # "QRCode" or "MicroQRCode"
    # The symbol's corners (its top-left, top-right, bottom-right, bottom-left) in the image's pixels.
    quad: Quad
    engine: str  # which decoder read it
    step: str  # which attempt of the ladder read it

    def to_json(self) -> dict:
        return {"text": self.text, "format": self.format, "quad": [[round(x, 1), round(y, 1)] for x, y in self.quad]}


@dataclass
class _Look:
    """One image being read: its grey pixels, what was found so far, and where codes were located."""

    grey: np.ndarray
    exhaustive: bool = False
    codes: list[QrCode] = field(default_factory=list)
    located: list[Quad] = field(default_factory=list)
    _regions: list[Box] | None = None
    _crops: list[tuple[np.ndarray, Box, float]] | None = None

    @property
    def done(self) -> bool:
        """Stop climbing: something was read, and one code is all that is wanted."""
        return bool(self.codes) and not self.exhaustive

    def regions(self) -> list[Box]:
        if self._regions is None:
            height, width = self.grey.shape
            boxes = [quad_box(q, width, height) for q in self.located[:2]]
            self._regions = _distinct(boxes + likely_regions(self.grey))[:3]
        return self._regions

    def symbols(self) -> list[Box]:
        """Boxes around the symbols a decoder located but could not read, largest first, one per place."""
        height, width = self.grey.shape
        unread = [q for q in self.located if not any(_same_place(q, code.quad) for code in self.codes)]
        by_size = sorted(unread, key=lambda q: -abs(cv2.contourArea(np.array(q, np.float32))))
        return _distinct([quad_box(q, width, height, margin=0.15) for q in by_size])

    def crops(self) -> list[tuple[np.ndarray, Box, float]]:
        """The likely regions cut out and enlarged (at least twice: modules of 2-3 px become readable), with
        where they came from and by how much."""
        if self._crops is None:
            self._crops = []
            for box in self.regions():
                x, y, w, h = box
                factor = min(_MAX_ZOOM, max(_MIN_ZOOM, _ZOOM_SIDE / max(w, h)))
                if min(w, h) < 12 or max(w, h) * factor > _MAX_CROP_SIDE:
                    continue
                crop = cv2.resize(self.grey[y : y + h, x : x + w], None, fx=factor, fy=factor,
                                  interpolation=cv2.INTER_CUBIC)  # fmt: skip
                self._crops.append((crop, box, factor))
        return self._crops


def _same_place(a: Quad, b: Quad) -> bool:
    """Centres closer than half the larger symbol's diagonal."""
    pa, pb = np.array(a), np.array(b)
    size = max(np.linalg.norm(pa[0] - pa[2]), np.linalg.norm(pb[0] - pb[2]), 1.0)
    return float(np.linalg.norm(pa.mean(0) - pb.mean(0))) < 0.5 * size


def _distinct(boxes: list[Box]) -> list[Box]:
    """Drop boxes covering about the same place as one already kept."""
    kept: list[Box] = []
    for box in boxes:
        if all(overlap(box, other) < 0.5 for other in kept):
            kept.append(box)
    return kept


Step = Callable[[_Look], Iterator[tuple[list[Found], tuple[float, float], float]]]


class QrReader:
    """Decodes QR and Micro QR codes in any picture; never raises on the picture's content."""

    def __init__(
        self,
        zxing: ZxingEngine | None,
        zbar: ZbarEngine | None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.zxing = zxing
        self.zbar = zbar
        self._clock = clock
        # What each attempt has cost so far (seconds, smoothed), to judge what fits in a time budget.
        self._cost: dict[str, float] = {}
        self._steps: list[tuple[str, Step]] = [
            ("zxing", self._plain),
            ("contrast", self._contrast),
            ("zoom", self._zoom),
            ("sharpen", self._sharpen),
            ("smooth", self._smooth),
            ("zbar", self._zbar),
            ("zoom-zbar", self._zoom_zbar),
            ("rescale", self._rescale),
            ("located", self._located),
        ]

    @classmethod
    def create(cls) -> QrReader:
        """Both decoders when they load; with one missing, the other alone (and a warning in the log)."""
        try:
            zxing = ZxingEngine()
        except Exception as exc:
            log.warning("zxing-cpp is not available (%s); reading QR codes with zbar only", type(exc).__name__)
            zxing = None
        return cls(zxing, ZbarEngine.load())

    @property
    def engines(self) -> list[str]:
        return [engine.name for engine in (self.zxing, self.zbar) if engine is not None]

    def read(self, image: object, *, budget_ms: float | None = None, exhaustive: bool = False) -> list[QrCode]:
        """Every code found in `image` (an array of any depth and channels, or an encoded image's bytes)."""
        grey = to_grey(image)
        if grey is None:
            return []
        started = self._clock()
        look = _Look(grey.pixels, exhaustive)
        for name, step in self._steps:
            if look.done:
                break
            if budget_ms is not None and (name in _STILL_ONLY or not self._fits(name, started, budget_ms)):
                continue
            step_started = self._clock()
            try:
                for found, offset, factor in step(look):
                    self._collect(look, found, offset, factor, name)
            except Exception as exc:  # a picture no step foresaw: the next step, not a crash
                log.warning("QR step %s failed on a %sx%s image: %s", name, *look.grey.shape[::-1], type(exc).__name__)
            spent = self._clock() - step_started
            self._cost[name] = spent if name not in self._cost else 0.7 * self._cost[name] + 0.3 * spent
        return [self._to_image(code, grey) for code in look.codes]

    def _fits(self, name: str, started: float, budget_ms: float) -> bool:
        elapsed = self._clock() - started
        return elapsed + self._cost.get(name, 0.0) <= budget_ms / 1000.0

    def _collect(self, look: _Look, found: list[Found], offset: tuple[float, float], factor: float, step: str) -> None:
        for item in found:
            quad: Quad = tuple((x / factor + offset[0], y / factor + offset[1]) for x, y in item.quad)  # type: ignore[assignment]
            if item.text is None:
                look.located.append(quad)
                continue
            # A byte-order mark some generators put first is not part of the text.
            text = nfc(item.text).removeprefix("\ufeff")
            # The same code read again by a later step is one code; two stickers with one text are two.
            if not any(code.text == text and _same_place(code.quad, quad) for code in look.codes):
                look.codes.append(QrCode(text, item.format, quad, item.engine, step))

    @staticmethod
    def _to_image(code: QrCode, grey: GreyImage) -> QrCode:
        if grey.scale == 1.0:
            return code
        quad = tuple((x / grey.scale, y / grey.scale) for x, y in code.quad)
        return QrCode(code.text, code.format, quad, code.engine, code.step)  # type: ignore[arg-type]

    # -- the ladder --------------------------------------------------------------------------------------

    def _zx(self, image: np.ndarray, binarizer: str = "local") -> list[Found]:
        return self.zxing.read(image, binarizer) if self.zxing is not None else []

    def _plain(self, look: _Look):
        yield self._zx(look.grey), (0.0, 0.0), 1.0

    def _contrast(self, look: _Look):
        tiles = max(2, round(max(look.grey.shape) / 160))
        clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(tiles, tiles))
        yield self._zx(clahe.apply(look.grey)), (0.0, 0.0), 1.0

    def _zoom(self, look: _Look):
        for crop, (x, y, _, _), factor in look.crops():
            found = self._zx(crop)
            if not any(f.text for f in found):
                # Defocus blur of about a pixel and a half, undone at the crop's scale; then a local threshold.
                found += self._zx(_unsharp(crop, 1.2 * factor, 1.5))
            if not any(f.text for f in found):
                found += self._zx(_local_threshold(crop, factor))
            yield found, (float(x), float(y)), factor
            if look.done:
                return

    def _sharpen(self, look: _Look):
        yield self._zx(_unsharp(look.grey, 2.0, 0.8)), (0.0, 0.0), 1.0

    def _smooth(self, look: _Look):
        yield self._zx(cv2.GaussianBlur(look.grey, (0, 0), 1.0)), (0.0, 0.0), 1.0

    def _zbar(self, look: _Look):
        if self.zbar is not None:
            yield self.zbar.read(look.grey), (0.0, 0.0), 1.0

    def _zoom_zbar(self, look: _Look):
        if self.zbar is None:
            return
        for crop, (x, y, _, _), factor in look.crops():
            for image in (crop, _local_threshold(crop, factor)):
                yield self.zbar.read(image), (float(x), float(y)), factor
                if look.done:
                    return

    def _rescale(self, look: _Look):
        height, width = look.grey.shape
        if min(height, width) >= 160:
            smaller = cv2.resize(look.grey, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
            yield self._zx(smaller, "global"), (0.0, 0.0), 0.5
        if max(height, width) <= 1600:
            larger = cv2.resize(look.grey, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
            yield self._zx(larger), (0.0, 0.0), 1.5

    def _located(self, look: _Look):
        for rank, (x, y, w, h) in enumerate(look.symbols()[:2]):
            if min(w, h) < 20:
                continue
            # Deblurring costs sixteen reads: only for the largest symbol, the likeliest to be whole.
            confirmed = self._confirmed(_guesses(look.grey[y : y + h, x : x + w], deblur=rank == 0))
            if confirmed:
                yield confirmed, (float(x), float(y)), 1.0
                return

    def _confirmed(self, guesses: Iterator[tuple[np.ndarray, bool]]) -> list[Found]:
        """The first text read from `_CONFIRMATIONS` of the guessed images (by zbar too where it helps)."""
        reads: dict[str, list[Found]] = {}
        for image, with_zbar in guesses:
            found = self._zx(image)
            if with_zbar and self.zbar is not None:
                found += self.zbar.read(image)
            for text in {f.text for f in found if f.text is not None}:
                reads.setdefault(text, []).append(next(f for f in found if f.text == text))
                if len(reads[text]) >= _CONFIRMATIONS:
                    return reads[text][:1]
        return []


def _guesses(patch: np.ndarray, deblur: bool) -> Iterator[tuple[np.ndarray, bool]]:
    """A located symbol made readable several ways, cheapest first; each with whether zbar should try it too
    (it reads levelled symbols zxing misses, but not deblurred ones, which ring)."""
    side = max(patch.shape)
    # Thresholds over a twelfth and a sixth of the symbol: glare and shadows levelled, modules kept.
    for block in (side // 12, side // 6):
        yield (
            cv2.adaptiveThreshold(patch, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, max(3, block | 1), 0),
            True,
        )
    yield cv2.createCLAHE(clipLimit=3.0, tileGridSize=(4, 4)).apply(patch), True
    if deblur and side <= _MAX_DEBLUR_SIDE:
        deblurrer = Deblurrer(patch)
        for kernel in motion_kernels():
            yield deblurrer.undo(kernel), False


def _unsharp(grey: np.ndarray, sigma: float, amount: float) -> np.ndarray:
    blurred = cv2.GaussianBlur(grey, (0, 0), sigma)
    return cv2.addWeighted(grey, 1.0 + amount, blurred, -amount, 0)


def _local_threshold(grey: np.ndarray, factor: float) -> np.ndarray:
    """Black and white by the neighbourhood's mean (about 15 original pixels): shadows and glare levelled."""
    block = int(15 * factor) | 1
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 2)
