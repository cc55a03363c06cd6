"""Frames from a camera to the screen, off the GUI thread, the way napari's thread workers do it.

A Python thread reads the source, lets an analyser look at each frame (the QR live reader, the page
detector) and hands the newest frame to the GUI as a QImage with the shapes to draw over it. When the
screen is behind, frames are dropped, never queued: the preview shows what the lens sees now. A camera
that fails (unplugged, busy) is reported once through `failed`; nothing captured before is lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from fieldkit.camera import CameraError, Frame, FrameSource, open_source

PREVIEW_WIDTH = 960  # enough for a 1366-wide screen; smaller frames cost less to draw


@dataclass(frozen=True)
class Overlay:
    """A shape to draw over the preview, in the preview's pixels: a page outline, a QR code's corners."""

    points: np.ndarray  # N x 2
    colour: str = "#00c853"


@dataclass
class PreviewFrame:
    image: QImage
    overlays: list[Overlay] = field(default_factory=list)
    text: str = ""  # e.g. the auto-capture countdown


def open_camera(spec: str, demo: str = "demo", **demo_options) -> FrameSource:
    """`auto` is the first webcam when there is one, else the demo camera (so the app works anywhere). `demo`
    is the demo camera to show when none is named (`demo:id-card` for an ID card's slot)."""
    if spec in ("", "auto"):
        try:
            return open_source("camera:0")
        except CameraError:
            return open_source(demo, **demo_options)
    if spec.startswith("demo"):
        return open_source(demo if spec == "demo" else spec, **demo_options)
    return open_source(spec)


def to_qimage(image: np.ndarray) -> QImage:
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    height, width = rgb.shape[:2]
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


# An analyser looks at a full-size frame and says what to draw (in the frame's pixels) and what to write.
Analyser = Callable[[Frame], tuple[list[Overlay], str]]


class CameraFeed(QObject):
    frame_ready = Signal(object)  # PreviewFrame
    failed = Signal(object)  # CameraError (or another exception)
    finished = Signal()

    def __init__(self, open_frames: Callable[[], FrameSource], analyse: Analyser | None = None) -> None:
        super().__init__()
        self._open_frames = open_frames
        self._analyse = analyse
        self._stop = threading.Event()
        self._shown = threading.Event()
        self._shown.set()
        self._thread: threading.Thread | None = None
        self.frames_read = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._pump, name="fieldkit-camera", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def frame_shown(self) -> None:
        """The view drew the last frame: the next one may be sent."""
        self._shown.set()

    def _pump(self) -> None:
        try:
            with self._open_frames() as source:
                for frame in source:
                    if self._stop.is_set():
                        break
                    self.frames_read += 1
                    overlays, text = self._analyse(frame) if self._analyse else ([], "")
                    if self._shown.is_set():  # the screen is ready: send this one, else drop it
                        self._shown.clear()
                        self.frame_ready.emit(self._preview(frame.image, overlays, text))
        except Exception as exc:  # a camera unplugged mid-scan: said once, pages already taken stay
            self.failed.emit(exc)
        finally:
            self.finished.emit()

    @staticmethod
    def _preview(image: np.ndarray, overlays: list[Overlay], text: str) -> PreviewFrame:
        scale = min(1.0, PREVIEW_WIDTH / image.shape[1])
        if scale < 1.0:
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        scaled = [Overlay(np.asarray(o.points, np.float32) * scale, o.colour) for o in overlays]
        return PreviewFrame(to_qimage(image), scaled, text)
