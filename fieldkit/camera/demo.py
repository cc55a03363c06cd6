"""The demo camera: sample documents held in front of the lens over a textured table.

Anyone can try the scanner without a webcam, and tests run headless on frames whose true page corners are
known (`Frame.truth`). Deterministic for a given seed. The page moves, turns and tilts for about a second,
then is held still for about two (as a hand holding a page does, so auto-capture can happen), and between
holds it is swapped for the next sample, the way someone scans a stack of papers. The light drifts.

Variants: `demo` / `demo:page` (the sample declaration pages), `demo:id-card` (the ID card, front then
back). `page=` shows one given image instead (the QR reader shows a card this way).

Fast enough for a live 30 fps preview at 1280x720: the page is resized once to about its size in the frame,
the light and the sensor noise come from small banks computed when the source opens.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import cv2
import numpy as np

from fieldkit.camera.scenes import BACKGROUNDS, place_page
from fieldkit.camera.sources import CameraError, FrameSource
from fieldkit.core.resources import resource_path

SAMPLES = {
    "page": ("demo-page.png", "demo-page-2.png"),
    "id-card": ("id-card-front.png", "id-card-back.png"),
}
SAMPLE_PAGE = SAMPLES["page"][0]
CYCLE = 3.0  # seconds: about one moving, two held
LIGHT_PHASES = 24
NOISE_FRAMES = 4


def load_sample(name: str) -> np.ndarray:
    image = cv2.imread(str(resource_path("samples", name)), cv2.IMREAD_COLOR)
    if image is None:
        raise CameraError("error.camera.no_file", path=name)
    return image


def load_sample_page() -> np.ndarray:
    return load_sample(SAMPLE_PAGE)


def wood_texture(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A warm wood-grain table top (kept for callers of the first demo camera)."""
    return BACKGROUNDS["wood"](width, height, rng)


class DemoSource(FrameSource):
    def __init__(
        self,
        variant: str = "page",
        size: tuple[int, int] = (1280, 720),
        seed: int = 0,
        page: np.ndarray | None = None,
        frames: int | None = None,
        realtime: bool = False,
        fps: float = 30.0,
        pages: Sequence[np.ndarray] | None = None,
        background: str = "wood",
    ) -> None:
        super().__init__()
        if variant not in SAMPLES and page is None and not pages:
            raise CameraError("error.camera.bad_spec", spec=f"demo:{variant}")
        if background not in BACKGROUNDS:
            raise CameraError("error.camera.bad_spec", spec=f"demo background {background}")
        self.name = f"demo:{variant}"
        self.width, self.height = size
        self.fps = fps
        self.realtime = realtime
        self._limit = frames
        self._rng = np.random.default_rng(seed)
        if page is not None:
            originals = [page]
        else:
            originals = list(pages) if pages else [load_sample(name) for name in SAMPLES[variant]]
        self._pages = [self._fit(image) for image in originals]
        self._background = BACKGROUNDS[background](self.width, self.height, self._rng)
        self._light = self._light_bank()
        self._noise = self._noise_bank()
        self._last = time.monotonic()

    def _fit(self, image: np.ndarray) -> np.ndarray:
        """The page resized once to a little more than it will ever cover, so each frame's warp is cheap."""
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.shape[2] == 4:
            alpha = image[:, :, 3:4].astype(np.float32) / 255.0
            image = (image[:, :, :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)
        ph, pw = image.shape[:2]
        scale = min(1.0, 1.1 * self._page_scale(ph, pw))
        if scale < 1.0:
            image = cv2.resize(
                image, (max(1, round(pw * scale)), max(1, round(ph * scale))), interpolation=cv2.INTER_AREA
            )
        return image

    def _page_scale(self, ph: int, pw: int) -> float:
        """Frame pixels per page pixel at rest: the page's long side fills about 78% of the frame's height
        (a portrait page) or 60% of its width (a card)."""
        if ph >= pw:
            return 0.78 * self.height / ph
        return min(0.6 * self.width / pw, 0.7 * self.height / ph)

    def _timestamp(self) -> float:
        # Without real time, the demo keeps its own clock: the frame's place in the clip.
        return (self._index / self.fps) if not self.realtime else super()._timestamp()

    def page_index(self, t: float) -> int:
        return math.floor(t / CYCLE) % len(self._pages)

    def _corners(self, t: float, page: np.ndarray) -> np.ndarray:
        """Where the page is at time t: swapped and moved for a second, then held still."""
        phase = (t % CYCLE) / CYCLE
        motion = math.sin(math.pi * phase / 0.35) ** 2 if phase < 0.35 else 0.0
        cycle = math.floor(t / CYCLE)
        wobble = cycle * 1.7  # each hold has its own pose
        ph, pw = page.shape[:2]
        scale = self._page_scale(ph, pw) * (1.0 + 0.06 * math.sin(0.8 * wobble))
        w, h = pw * scale, ph * scale
        half = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float32)
        angle = math.radians(7.0 * math.sin(0.9 * wobble) + 10.0 * motion)
        rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]], np.float32)
        corners = half @ rotation.T
        tilt = 0.07 * math.sin(0.7 * wobble + 1.0)  # the far edge looks shorter
        corners[:2, 0] *= 1.0 - tilt
        centre = np.array(
            [
                self.width / 2 + 0.08 * self.width * math.sin(0.5 * wobble) + 0.25 * self.width * motion,
                self.height / 2 + 8 * math.cos(wobble),
            ],
            np.float32,
        )
        return corners + centre

    def _grab(self):
        if self._limit is not None and self._index >= self._limit:
            return None
        if self.realtime:
            delay = 1.0 / self.fps - (time.monotonic() - self._last)
            if delay > 0:
                time.sleep(delay)
            self._last = time.monotonic()
        t = self._index / self.fps
        page = self._pages[self.page_index(t)]
        corners = self._corners(t, page)
        frame = place_page(page, corners, self._background)
        row = self._light[int(t * 2) % LIGHT_PHASES]  # the lamp drifts: a new phase every half second
        light = cv2.resize(row, (self.width, self.height), interpolation=cv2.INTER_NEAREST)
        frame = cv2.multiply(frame, light, scale=1.0 / 255.0)
        positive, negative = self._noise[self._index % NOISE_FRAMES]
        frame = cv2.subtract(cv2.add(frame, positive), negative)
        return frame, corners

    def _light_bank(self) -> list[np.ndarray]:
        """A lamp off to one side: brightness falls across the frame; one row of gains per phase of its slow
        drift (a row, stretched to the frame when used: a full map per phase would hold ~60 MB at 720p)."""
        xs = np.linspace(0.0, 1.0, self.width, dtype=np.float32)
        bank = []
        for k in range(LIGHT_PHASES):
            direction = 0.5 + 0.5 * math.sin(2 * math.pi * k / LIGHT_PHASES)
            gain = 0.78 + 0.28 * (1.0 - np.abs(xs - direction))
            row = np.clip(gain * 255.0, 0, 255).astype(np.uint8)
            bank.append(np.ascontiguousarray(np.repeat(row[None, :, None], 3, axis=2)))
        return bank

    def _noise_bank(self) -> list[tuple[np.ndarray, np.ndarray]]:
        bank = []
        for _ in range(NOISE_FRAMES):
            noise = self._rng.normal(0, 3.0, (self.height, self.width, 3)).astype(np.float32)
            bank.append((np.clip(noise, 0, 255).astype(np.uint8), np.clip(-noise, 0, 255).astype(np.uint8)))
        return bank
