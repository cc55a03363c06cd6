"""One interface for every source of frames, and `open_source` to pick one from a short spec.

Specs: `demo` (a sample page moving in front of the lens), `camera:0` (webcam by index), `video:PATH`,
`images:FOLDER`, or a plain path to a video file or a folder of images.
"""

from __future__ import annotations

import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from fieldkit.camera.pictures import decode_with_pillow
from fieldkit.core.errors import UserError

PILLOW_SUFFIXES = (".heic", ".heif", ".gif")  # read through Pillow: OpenCV has no decoder for them
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", *PILLOW_SUFFIXES)


class CameraError(UserError):
    """A camera that is missing, busy or unplugged, or a video or folder that cannot be read."""

    key = "error.camera.missing"


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # BGR, uint8, H x W x 3
    index: int
    timestamp: float  # seconds since the source opened
    # Where the page really is (TL, TR, BR, BL), for synthetic sources that know it; None otherwise.
    truth: np.ndarray | None = None


class FrameSource(ABC):
    """Frames until the source ends (`read` returns None) or fails (`CameraError`)."""

    name = "source"

    def __init__(self) -> None:
        self._index = 0
        self._started = time.monotonic()

    @abstractmethod
    def _grab(self) -> tuple[np.ndarray, np.ndarray | None] | None:
        """The next image (and its known page corners), or None at the end."""

    def read(self) -> Frame | None:
        grabbed = self._grab()
        if grabbed is None:
            return None
        image, truth = grabbed
        frame = Frame(image, self._index, self._timestamp(), truth)
        self._index += 1
        return frame

    def _timestamp(self) -> float:
        """Seconds since the source opened; a synthetic source may keep its own time."""
        return time.monotonic() - self._started

    def close(self) -> None:  # noqa: B027 - most sources hold nothing to release
        pass

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self.read()) is not None:
            yield frame

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WebcamSource(FrameSource):
    """A webcam by index, at the highest resolution it offers (1080p when it can)."""

    # Consecutive failed reads after which the camera counts as unplugged (about a second at 30 fps).
    MAX_FAILED_READS = 30

    def __init__(self, index: int, width: int = 1920, height: int = 1080) -> None:
        super().__init__()
        self.name = f"camera:{index}"
        self._capture = _open_webcam(index)
        if self._capture is None:
            raise CameraError("error.camera.missing", index=index)
        # Compressed frames first: over USB 2 a webcam sends 1080p at 30 fps only as MJPG (raw, about 5 fps).
        # A camera without MJPG keeps its own format.
        self._capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
        self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        ok, _ = self._capture.read()
        if not ok:  # opened but gives nothing: another program holds it
            self._capture.release()
            raise CameraError("error.camera.busy", index=index)

    @property
    def size(self) -> tuple[int, int]:
        return int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT))

    def _grab(self):
        for _ in range(self.MAX_FAILED_READS):
            ok, image = self._capture.read()
            if ok and image is not None:
                return image, None
        raise CameraError("error.camera.disconnected", name=self.name)

    def close(self) -> None:
        self._capture.release()


def webcam_backends(platform: str = sys.platform) -> tuple[int, ...]:
    """OpenCV capture backends to try, in order. On Windows DirectShow first: Media Foundation (OpenCV's
    default there) takes seconds to open many laptop webcams and refuses some of their resolutions."""
    return (cv2.CAP_DSHOW, cv2.CAP_ANY) if platform == "win32" else (cv2.CAP_ANY,)


def _open_webcam(index: int) -> cv2.VideoCapture | None:
    for backend in webcam_backends():
        capture = cv2.VideoCapture(index, backend)
        if capture.isOpened():
            return capture
        capture.release()
    return None


class VideoFileSource(FrameSource):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.name = f"video:{path}"
        if not path.is_file():
            raise CameraError("error.camera.no_file", path=str(path))
        self._capture = cv2.VideoCapture(str(path))
        if not self._capture.isOpened():
            self._capture.release()
            raise CameraError("error.camera.video_unreadable", path=str(path))
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if fps and 1.0 <= fps <= 240.0 else 30.0

    def _grab(self):
        ok, image = self._capture.read()
        return (image, None) if ok and image is not None else None

    def _timestamp(self) -> float:
        # The video's own clock, not the reader's: "held still for a moment" means the same however fast
        # the file is read.
        return self._index / self.fps

    def close(self) -> None:
        self._capture.release()


class ImageFolderSource(FrameSource):
    """Every image in a folder, in name order; an unreadable file is skipped, not fatal."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.name = f"images:{folder}"
        if not folder.is_dir():
            raise CameraError("error.camera.no_file", path=str(folder))
        self._paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._paths:
            raise CameraError("error.camera.folder_empty", path=str(folder))
        self.skipped: list[Path] = []

    def _grab(self):
        while self._paths:
            path = self._paths.pop(0)
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None and path.suffix.lower() in PILLOW_SUFFIXES:
                image = _pillow_frame(path)
            if image is not None:
                return image, None
            self.skipped.append(path)
        return None


def open_source(spec: str, **options) -> FrameSource:
    """Open a frame source from its spec; `options` go to the demo camera (size, seed, page, realtime...)."""
    kind, _, rest = (spec or "").partition(":")
    if kind == "demo":
        from fieldkit.camera.demo import DemoSource

        return DemoSource(variant=rest or "page", **options)
    if kind == "camera":
        try:
            index = int(rest or "0")
        except ValueError:
            raise CameraError("error.camera.bad_spec", spec=spec) from None
        return WebcamSource(index)
    if kind == "video":
        return VideoFileSource(Path(rest))
    if kind == "images":
        return ImageFolderSource(Path(rest))
    path = Path(spec)
    if path.is_dir():
        return ImageFolderSource(path)
    if path.is_file():
        return VideoFileSource(path)
    raise CameraError("error.camera.bad_spec", spec=spec)


def _pillow_frame(path: Path):
    """A frame from a file OpenCV cannot read (HEIC, GIF), without its transparency; None if unreadable."""
    try:
        pixels = decode_with_pillow(path.read_bytes())
    except OSError:
        return None
    if pixels is not None and pixels.shape[-1] == 4:
        pixels = cv2.cvtColor(pixels, cv2.COLOR_BGRA2BGR)
    return pixels
