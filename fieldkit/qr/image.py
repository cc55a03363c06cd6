"""Any picture, as the 8-bit grey image the QR readers want.

Frames and files arrive in every shape: BGR from a webcam, BGRA with transparency from a screenshot, 16-bit
from a scanner, float from another program, one channel, or garbage. `to_grey` turns each into a contiguous
uint8 grey image (or None when there is nothing to read) and never raises on odd pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from fieldkit.camera.pictures import decode_with_pillow
from fieldkit.core.errors import UserError

# The smallest QR symbol (Micro QR M1) is 11 modules; with one pixel a module and no margin nothing smaller holds one.
MIN_SIDE = 11
# Larger images are shrunk before decoding: a code that needs more than this to be read is not in a photo.
MAX_SIDE = 4096
# Beyond this many values (pixels x channels; 8-bit ones count a quarter, they need no conversion) an array is
# first thinned by striding, so the working copies stay within a few hundred megabytes.
_MAX_VALUES = MAX_SIDE * MAX_SIDE * 2


class QrImageError(UserError):
    """An image file that cannot be opened or decoded."""

    key = "error.qr.image_unreadable"


@dataclass(frozen=True)
class GreyImage:
    pixels: np.ndarray  # uint8, H x W, C-contiguous
    # pixels' coordinates = original coordinates * scale (so a quad found in pixels is divided by it).
    scale: float = 1.0


def load_image(path: Path) -> np.ndarray:
    """The picture in a file, unchanged (any depth and channel count); QrImageError when it is not one."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise QrImageError("error.qr.image_missing", path=str(path)) from None
    except OSError:
        raise QrImageError("error.qr.image_unreadable", path=str(path)) from None
    image = decode_image_bytes(data)
    if image is None:
        raise QrImageError("error.qr.image_unreadable", path=str(path))
    return image


def decode_image_bytes(data: bytes) -> np.ndarray | None:
    """OpenCV first (fast, most formats); Pillow for the ones it lacks (HEIC, GIF, some TIFF); None if neither can."""
    if not data:
        return None
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error:
        image = None
    if image is not None and image.size:
        return image
    return decode_with_pillow(data)


def to_grey(image: object) -> GreyImage | None:
    """A uint8 grey version of `image` (array or encoded file bytes), or None when it holds no picture."""
    if isinstance(image, bytes | bytearray | memoryview):
        image = decode_image_bytes(bytes(image))
    if not isinstance(image, np.ndarray):
        return None
    array = _as_planes(image)
    if array is None:
        return None
    array, scale = _thin(array)
    array = _to_uint8(array)
    if array is None:
        return None
    grey = _flatten_channels(array)
    longest = max(grey.shape)
    if longest > MAX_SIDE:
        factor = MAX_SIDE / longest
        size = (round(grey.shape[1] * factor), round(grey.shape[0] * factor))
        if min(size) < MIN_SIDE:  # a thin strip: nothing a code fits in once shrunk
            return None
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
        scale *= factor
    return GreyImage(np.ascontiguousarray(grey), scale)


def _as_planes(image: np.ndarray) -> np.ndarray | None:
    """H x W or H x W x C, or None for shapes that are not a picture."""
    if image.dtype.kind not in "biuf" or image.size == 0:
        return None
    while image.ndim > 3 and image.shape[0] == 1:  # a batch of one
        image = image[0]
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or min(image.shape[:2]) < MIN_SIDE:
        return None
    return image


def _thin(image: np.ndarray) -> tuple[np.ndarray, float]:
    """Skip rows and columns of a gigantic array so later steps stay within memory."""
    values = image.size / (4 if image.dtype == np.uint8 else 1)
    if values <= _MAX_VALUES:
        return image, 1.0
    step = int(np.ceil(np.sqrt(values / _MAX_VALUES)))
    return image[::step, ::step], 1.0 / step


def _to_uint8(image: np.ndarray) -> np.ndarray | None:
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.bool_:
        return image.astype(np.uint8) * 255
    if image.dtype.kind == "u" and image.dtype.itemsize == 2:
        # 16-bit: keep its own range (a 12-bit sensor fills only part of it) by stretching min..max.
        return _stretch(image.astype(np.float32))
    # Clipped far inside float64's range so that stretching cannot overflow.
    values = np.clip(np.nan_to_num(image.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0), -1e300, 1e300)
    if image.dtype.kind == "f" and values.size and values.min() >= 0.0 and values.max() <= 1.0:
        return np.round(values * 255.0).astype(np.uint8)
    return _stretch(values)


def _stretch(values: np.ndarray) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    if not np.isfinite(low) or not np.isfinite(high) or high <= low:
        return np.zeros(values.shape, np.uint8)
    return np.round((values - low) * (255.0 / (high - low))).clip(0, 255).astype(np.uint8)


def _flatten_channels(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    channels = image.shape[2]
    if channels == 2:  # grey + alpha
        return _over_white(image[:, :, 0], image[:, :, 1])
    if channels == 4:  # BGRA: transparent parts become white paper, as a printed code would be
        grey = cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_BGR2GRAY)
        return _over_white(grey, image[:, :, 3])
    return cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_BGR2GRAY)


def _over_white(grey: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    if alpha.min() == 255:
        return np.ascontiguousarray(grey)
    a = alpha.astype(np.float32) / 255.0
    return np.round(grey.astype(np.float32) * a + 255.0 * (1.0 - a)).astype(np.uint8)
