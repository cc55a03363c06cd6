"""The demo camera: a sample page moving, tilting and changing light over a textured table.

Anyone can try the scanner without a webcam, and tests run headless on frames whose true page corners are
known (`Frame.truth`). Deterministic for a given seed. The motion has still moments, as a hand holding a
page has, so auto-capture can happen.
"""

from __future__ import annotations

import math
import time

import cv2
import numpy as np

from fieldkit.camera.sources import CameraError, FrameSource
from fieldkit.core.resources import resource_path

SAMPLE_PAGE = "demo-page.png"


def load_sample_page() -> np.ndarray:
    image = cv2.imread(str(resource_path("samples", SAMPLE_PAGE)), cv2.IMREAD_COLOR)
    if image is None:
        raise CameraError("error.camera.no_file", path=SAMPLE_PAGE)
    return image


def wood_texture(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A warm wood-grain table top: stretched noise bent by slow waves."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    noise = cv2.resize(rng.random((height // 16 + 1, width // 2 + 1)).astype(np.float32), (width, height))
    grain = np.sin((ys / 9.0) + 6.0 * np.sin(xs / 140.0) + 4.0 * noise) * 0.5 + 0.5
    base = np.array([60, 95, 140], np.float32)  # BGR brown
    texture = base[None, None, :] * (0.75 + 0.35 * grain[..., None])
    return np.clip(texture, 0, 255).astype(np.uint8)


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
    ) -> None:
        super().__init__()
        self.name = f"demo:{variant}"
        self.width, self.height = size
        self.fps = fps
        self.realtime = realtime
        self._limit = frames
        self._rng = np.random.default_rng(seed)
        self._page = page if page is not None else load_sample_page()
        self._background = wood_texture(self.width, self.height, self._rng)
        self._last = time.monotonic()

    def _corners(self, t: float) -> np.ndarray:
        """Where the page is at time t: drifting, turning and tilting, with still spells."""
        # smoothstep plateaus: moves for a second, then holds for about two.
        phase = (t % 3.0) / 3.0
        hold = 0.0 if phase > 0.35 else math.sin(math.pi * phase / 0.35) ** 2
        cycle = math.floor(t / 3.0)
        wobble = hold + cycle * 0.6
        ph, pw = self._page.shape[:2]
        scale = 0.78 * self.height / ph * (1.0 + 0.06 * math.sin(0.8 * wobble))
        w, h = pw * scale, ph * scale
        half = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float32)
        angle = math.radians(7.0 * math.sin(0.9 * wobble))
        rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]], np.float32)
        corners = half @ rotation.T
        tilt = 0.07 * math.sin(0.7 * wobble + 1.0)  # the far edge looks shorter
        corners[:2, 0] *= 1.0 - tilt
        center = np.array(
            [self.width / 2 + 0.08 * self.width * math.sin(0.5 * wobble), self.height / 2 + 8 * math.cos(wobble)],
            np.float32,
        )
        return corners + center

    def _grab(self):
        if self._limit is not None and self._index >= self._limit:
            return None
        if self.realtime:
            delay = 1.0 / self.fps - (time.monotonic() - self._last)
            if delay > 0:
                time.sleep(delay)
            self._last = time.monotonic()
        t = self._index / self.fps
        corners = self._corners(t)
        ph, pw = self._page.shape[:2]
        source = np.array([[0, 0], [pw - 1, 0], [pw - 1, ph - 1], [0, ph - 1]], np.float32)
        homography = cv2.getPerspectiveTransform(source, corners)
        frame = cv2.warpPerspective(
            self._page,
            homography,
            (self.width, self.height),
            dst=self._background.copy(),
            borderMode=cv2.BORDER_TRANSPARENT,
        )
        frame = self._light(frame, t)
        noise = self._rng.normal(0, 3.0, frame.shape).astype(np.float32)
        frame = np.clip(frame.astype(np.float32) + noise, 0, 255).astype(np.uint8)
        return frame, corners

    def _light(self, frame: np.ndarray, t: float) -> np.ndarray:
        """A lamp off to one side: brightness falls across the frame and drifts slowly."""
        xs = np.linspace(0.0, 1.0, self.width, dtype=np.float32)
        direction = 0.5 + 0.5 * math.sin(0.23 * t)
        gain = 0.78 + 0.28 * (1.0 - np.abs(xs - direction))
        return np.clip(frame.astype(np.float32) * gain[None, :, None], 0, 255).astype(np.uint8)
