"""Reading photographs from files, with a clear error for what cannot be read; turned the way the camera
said it was held (EXIF orientation); transparency flattened on white."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from fieldkit.camera.pictures import decode_with_pillow
from fieldkit.core.errors import UserError


class ImageError(UserError):
    """An image file that is missing, empty or not a picture FieldKit can read."""

    key = "error.scan.image_unreadable"


def decode_image(data: bytes, name: str) -> np.ndarray:
    """Bytes of a JPEG/PNG/TIFF/WebP/BMP -> BGR uint8; transparent pixels become white paper."""
    if not data:
        raise ImageError("error.scan.image_empty", file=name)
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if pixels is None or pixels.size == 0:
        pixels = decode_with_pillow(data)  # HEIC from an iPhone, GIF...: already turned upright
        if pixels is None or pixels.size == 0:
            raise ImageError("error.scan.image_unreadable", file=name)
        return to_bgr(pixels)
    return upright(to_bgr(pixels), exif_orientation(data))


# EXIF orientation (tag 274) -> how to turn the stored pixels to the picture as it was seen. Phones store a
# photo taken upright as a sideways sensor image plus this tag; every viewer applies it, and the corners
# someone marks on the photo are in the turned picture. (OpenCV ignores the tag when reading "unchanged",
# which the alpha channel needs.)
_ORIENT = {
    2: lambda a: cv2.flip(a, 1),
    3: lambda a: cv2.rotate(a, cv2.ROTATE_180),
    4: lambda a: cv2.flip(a, 0),
    5: lambda a: cv2.transpose(a),
    6: lambda a: cv2.rotate(a, cv2.ROTATE_90_CLOCKWISE),
    7: lambda a: cv2.flip(cv2.transpose(a), -1),
    8: lambda a: cv2.rotate(a, cv2.ROTATE_90_COUNTERCLOCKWISE),
}
_ORIENTATION_TAG = 274


def exif_orientation(data: bytes) -> int:
    """The EXIF orientation of an encoded image (1, upright, when it has none or it cannot be read)."""
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the headers only
            value = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # Pillow raises many types on odd files; the pixels were readable, so keep them as stored
        return 1
    return value if isinstance(value, int) else 1


def upright(pixels: np.ndarray, orientation: int) -> np.ndarray:
    turn = _ORIENT.get(orientation)
    return np.ascontiguousarray(turn(pixels)) if turn else pixels


def to_bgr(pixels: np.ndarray) -> np.ndarray:
    if pixels.dtype == np.uint16:
        pixels = (pixels // 257).astype(np.uint8)
    elif pixels.dtype != np.uint8:
        pixels = cv2.normalize(pixels, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if pixels.ndim == 2:
        return cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR)
    if pixels.shape[2] == 4:
        return flatten_alpha(pixels)
    return pixels[:, :, :3].copy()


def flatten_alpha(bgra: np.ndarray) -> np.ndarray:
    """Composite on white: a PDF reader would show transparent areas black or checkered otherwise."""
    alpha = bgra[:, :, 3:4].astype(np.float32) / 255.0
    colour = bgra[:, :, :3].astype(np.float32)
    return np.clip(colour * alpha + 255.0 * (1.0 - alpha), 0, 255).astype(np.uint8)


def read_image(path: Path) -> np.ndarray:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageError("error.scan.image_missing", file=str(path)) from None
    except IsADirectoryError:
        raise ImageError("error.scan.image_unreadable", file=str(path)) from None
    except OSError as exc:
        raise ImageError("error.scan.image_os", file=str(path), reason=exc.strerror or "") from exc
    return decode_image(data, str(path))
