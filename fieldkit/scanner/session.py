"""A live scanning session, as the GUI and `fieldkit scan --source` drive it (no Qt here).

Feed it frames; each answer says where the outline is (smoothed over frames, so it does not jitter), how
steady and sharp the view is, and whether a page was just captured. Auto-capture fires, as phone scanners
do, once the outline has held still and the image has been sharp for a moment; it then waits for the page to
change (the outline moves away or disappears) before it can fire again, so one page is not captured twice.
Manual capture works at any time. Captured pages go into `pages` (a PageList), which survives a camera
that fails mid-scan: `run` lets the CameraError through and the pages stay in the session.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from fieldkit.camera import Frame, FrameSource
from fieldkit.scanner.detect import Detection, PageDetector
from fieldkit.scanner.enhance import Mode
from fieldkit.scanner.geometry import order_corners, whole_image_quad
from fieldkit.scanner.pages import PageList, ScannedPage
from fieldkit.scanner.paper import Paper, misshapen


class OutlineTracker:
    """Temporal smoothing of the page outline.

    Small movements (hand tremor, detector noise) are averaged away; a real movement is followed at once, so
    the outline never lags behind a page being moved. A frame or two without a detection keeps the outline.
    A detection that lands on another outline nearby (on a pile of papers or a checked cloth the search can
    swap between two outlines from one frame to the next, the page lying still) is taken only once the next
    frame confirms it; a page being slid confirms at once, so it is followed a frame later.
    """

    def __init__(self, hold_frames: int = 4, jump: float = 0.08, calm: float = 0.004, swap: float = 0.02) -> None:
        self.hold_frames = hold_frames
        self.jump = jump  # of the frame's diagonal: beyond this the page has moved: no smoothing
        self.calm = calm  # of the diagonal: below this, mostly noise: heavy smoothing
        self.swap = swap  # of the diagonal: beyond this (below `jump`), maybe another outline: wait for the next
        self.quad: np.ndarray | None = None
        self.confidence = 0.0
        self.adopted = False  # whether the last detection moved the outline (False: held back, or none)
        self._missed = 0
        self._pending: np.ndarray | None = None  # a detection held back, waiting for the next to confirm it

    def update(self, detection: Detection | None, frame_size: tuple[int, int]) -> np.ndarray | None:
        diagonal = math.hypot(*frame_size)
        self.adopted = False
        if detection is None:
            self._missed += 1
            if self._missed > self.hold_frames:
                self.quad, self.confidence, self._pending = None, 0.0, None
            else:
                self.confidence *= 0.7
            return self.quad
        self._missed = 0
        found = order_corners(detection.quad)
        if self.quad is None:
            self.quad = found
        else:
            moved = float(np.max(np.linalg.norm(found - self.quad, axis=1))) / diagonal
            if self.swap < moved <= self.jump and not self._confirms(found):
                self._pending = found
                return self.quad
            self._pending = None
            if moved > self.jump:
                self.quad = found
            else:
                # Weight of the new detection: 0.3 when the movement is noise-sized, rising to 1 for a real move.
                weight = float(np.clip(0.3 + 0.7 * (moved - self.calm) / (self.jump / 2 - self.calm), 0.3, 1.0))
                self.quad = (self.quad + weight * (found - self.quad)).astype(np.float32)
        self.adopted = True
        self.confidence = (
            0.5 * self.confidence + 0.5 * detection.confidence if self.confidence else detection.confidence
        )
        return self.quad

    def _confirms(self, found: np.ndarray) -> bool:
        """The held-back detection was a move, not a swap: this one lies nearer to it than to the outline."""
        if self._pending is None:
            return False
        to_pending = float(np.max(np.linalg.norm(found - self._pending, axis=1)))
        return to_pending < float(np.max(np.linalg.norm(found - self.quad, axis=1)))

    def reset(self) -> None:
        self.quad, self.confidence, self._missed, self._pending, self.adopted = None, 0.0, 0, None, False


def sharpness(image: np.ndarray, quad: np.ndarray | None) -> float:
    """Variance of the Laplacian over the page (on a copy 480 pixels wide): high when the print is crisp."""
    if quad is not None:
        x, y, w, h = cv2.boundingRect(np.round(quad).astype(np.int32))
        x, y = max(0, x), max(0, y)
        region = image[y : y + h, x : x + w]
        if region.size == 0:
            region = image
    else:
        region = image
    grey = cv2.cvtColor(region, cv2.COLOR_BGR2GRAY) if region.ndim == 3 else region
    factor = 480.0 / max(1, grey.shape[1])
    if factor < 1.0:
        grey = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(grey, cv2.CV_32F).var())


@dataclass(frozen=True)
class LiveView:
    """What the live view shows after one frame."""

    frame: Frame
    quad: np.ndarray | None  # the smoothed outline, TL, TR, BR, BL
    confidence: float
    steady: float  # 0..1: how much of the required still moment has passed
    sharp: bool
    captured: ScannedPage | None = None  # set on the frame that captured a page
    runs_out: bool = False  # part of the page is out of the picture: not captured by itself, the user is told
    off_shape: bool = False  # the outline is not the shape of the slot's paper: captured only after a longer wait


THOROUGH_EVERY = 3  # of the frames in a row without a page, those searched with the detector's last look


@dataclass
class CaptureSettings:
    auto: bool = True
    steady_seconds: float = 0.7  # the outline holds still this long before auto-capture
    still: float = 0.006  # of the diagonal: how far corners may wander and still count as still
    # 0.8, not 0.7: the tracker's hold against swaps (OutlineTracker) also keeps a false outline on a cloth
    # still. Still-camera runs of development frames: at 0.7 with the hold, 3 of 60 page-less 720p scenes were
    # captured (1 before it); at 0.8, 8 of 180 at every size (7 before), and the same 109 of 120 pages.
    min_confidence: float = 0.8
    # Sharp: at least this share of the sharpest view of this page seen lately, and above an absolute floor
    # (a page that is blurred all along never counts as sharp).
    sharp_share: float = 0.7
    min_sharpness: float = 20.0
    cooldown_seconds: float = 1.0
    # An outline far from the shape of the slot's paper (an ID card's blank part beside its photo under a lamp's
    # glare; an A4 sheet in the card's slot) waits this much longer while the user is told: tilting the card
    # out of the glare may show the whole card. Then it is taken anyway, marked for a look: it may be a photocopy
    # of the card on an A4 sheet, which is what the user means to scan.
    off_shape_seconds: float = 3.0


@dataclass
class CaptureSession:
    detector: PageDetector = field(default_factory=PageDetector)
    paper: Paper | None = None
    mode: Mode = Mode.GRAY
    auto_rotate: bool = True
    settings: CaptureSettings = field(default_factory=CaptureSettings)
    pages: PageList = field(default_factory=PageList)

    def __post_init__(self) -> None:
        self.tracker = OutlineTracker()
        self._history: deque[tuple[float, np.ndarray]] = deque()
        self._sharpness: deque[tuple[float, float]] = deque()
        self._armed = True  # may auto-capture; disarmed after a capture until the page changes
        self._last_capture = -math.inf
        self._last_frame: Frame | None = None
        self._runs_out = False  # the last frame's page ran out of the picture
        self._misses = 0  # frames in a row with no page found
        self._captured_quad: np.ndarray | None = None
        self._captured_look: np.ndarray | None = None

    # -- the live loop ----------------------------------------------------------------------------------

    def feed(self, frame: Frame) -> LiveView:
        self._last_frame = frame
        height, width = frame.image.shape[:2]
        # With no page in view every frame is searched in full; the last look (hue) nearly doubles a page-less
        # frame's search (scripts/bench/scanner.py, "page-less frame") and would slow the preview, so it is
        # taken on every third such frame: a page only it finds is found within three frames, then followed.
        thorough = self._misses % THOROUGH_EVERY == THOROUGH_EVERY - 1
        detection = self.detector.detect(frame.image, hint=self.tracker.quad, paper=self.paper, thorough=thorough)
        self._misses = 0 if detection is not None else self._misses + 1
        quad = self.tracker.update(detection, (width, height))
        now = frame.timestamp
        held = self._held(now, quad, math.hypot(width, height))
        wait = self.settings.steady_seconds
        steady = float(min(1.0, held / wait)) if wait > 0 else 1.0
        sharp = False
        if quad is not None and steady >= 1.0:
            sharp = self._is_sharp(now, sharpness(frame.image, quad))
        self._rearm(frame.image, quad, math.hypot(width, height))
        captured = None
        runs_out = detection is not None and detection.runs_out
        self._runs_out = runs_out
        off_shape = quad is not None and not runs_out and misshapen(quad, self.paper, (width, height))
        if (
            self.settings.auto
            and not runs_out  # a page cut by the frame's border would lose a strip: wait for all of it
            and (not off_shape or held >= wait + self.settings.off_shape_seconds)
            and self.tracker.adopted  # not while this frame's outline is held back as a possible swap
            and self._armed
            and steady >= 1.0
            and sharp
            and self.tracker.confidence >= self.settings.min_confidence
            and now - self._last_capture >= self.settings.cooldown_seconds
        ):
            # The page itself is taken at this frame's own corners: smoothing is for the eye, the scan wants the
            # frame's exact edges.
            exact = detection.quad if detection is not None else quad
            captured = self._take(frame, exact, self.tracker.confidence)
        return LiveView(frame, quad, self.tracker.confidence, steady, sharp, captured, runs_out, off_shape)

    def capture(self) -> ScannedPage | None:
        """Manual capture of the last frame: the outline if there is one, else the whole frame (the user will
        set the corners by hand)."""
        frame = self._last_frame
        if frame is None:
            return None
        quad = self.tracker.quad
        confidence, runs_out = self.tracker.confidence, self._runs_out
        if quad is None:
            quad, confidence, runs_out = whole_image_quad(frame.image), 0.0, False
        return self._take(frame, quad, confidence, runs_out)

    def run(
        self,
        source: FrameSource,
        pages: int,
        max_frames: int | None = None,
        on_view: Callable[[LiveView], None] | None = None,
    ) -> PageList:
        """Feed frames from `source` until `pages` pages are captured, the source ends, or `max_frames` went
        by. A CameraError (unplugged webcam) propagates; the pages captured so far stay in `self.pages`."""
        for count, frame in enumerate(source, start=1):
            view = self.feed(frame)
            if on_view is not None:
                on_view(view)
            if len(self.pages) >= pages or (max_frames is not None and count >= max_frames):
                break
        return self.pages

    # -- internals --------------------------------------------------------------------------------------

    def _take(self, frame: Frame, quad: np.ndarray, confidence: float, runs_out: bool = False) -> ScannedPage:
        page = ScannedPage(
            frame.image.copy(),
            quad.copy(),
            self.paper,
            self.mode,
            auto_rotate=self.auto_rotate,
            confidence=confidence,
            runs_out=runs_out,
        )
        self.pages.add(page)
        self._armed = False
        self._last_capture = frame.timestamp
        self._captured_quad = quad.copy()
        self._captured_look = _thumbnail(frame.image, quad)
        return page

    def _held(self, now: float, quad: np.ndarray | None, diagonal: float) -> float:
        """Seconds the outline has stayed still (within `settings.still` of where it is now)."""
        if quad is None:
            self._history.clear()
            return 0.0
        self._history.append((now, quad.copy()))
        limit = self.settings.still * diagonal
        # Keep only the recent run of outlines that stay within `limit` of the newest one.
        while self._history and np.max(np.linalg.norm(self._history[0][1] - quad, axis=1)) > limit:
            self._history.popleft()
        return now - self._history[0][0] if self._history else 0.0

    def _is_sharp(self, now: float, value: float) -> bool:
        self._sharpness.append((now, value))
        while self._sharpness and now - self._sharpness[0][0] > 2.0 * max(self.settings.steady_seconds, 0.5):
            self._sharpness.popleft()
        best = max(v for _, v in self._sharpness)
        return value >= self.settings.min_sharpness and value >= self.settings.sharp_share * best

    def _rearm(self, image: np.ndarray, quad: np.ndarray | None, diagonal: float) -> None:
        """After a capture, the next auto-capture waits for a new page: the outline gone or moved well away,
        or another page put down in the same place (what is inside the outline looks different)."""
        if self._armed or self._captured_quad is None:
            return
        changed = quad is None or np.max(np.linalg.norm(quad - self._captured_quad, axis=1)) > 0.1 * diagonal
        if not changed and self._captured_look is not None:
            difference = np.abs(_thumbnail(image, quad).astype(np.int16) - self._captured_look).mean()
            changed = difference > 18
        if changed:
            self._armed = True
            self._sharpness.clear()


def _thumbnail(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The page flattened to a tiny grey picture, to tell one page from another."""
    target = np.array([[0, 0], [24, 0], [24, 32], [0, 32]], np.float32)
    homography = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    small = cv2.warpPerspective(image, homography, (24, 32), flags=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.int16)
    return grey - int(np.median(grey))  # the same page under changed light looks the same
