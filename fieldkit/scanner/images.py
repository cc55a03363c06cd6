"""Reading photographs from files, with a clear error for what cannot be read; transparency flattened on white."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

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
        raise ImageError("error.scan.image_unreadable", file=name)
    return to_bgr(pixels)


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
