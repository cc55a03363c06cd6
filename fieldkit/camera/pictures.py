"""Pictures from encoded bytes, for what OpenCV cannot read itself: HEIC/HEIF (photos from iPhones), GIF and
some TIFFs, through Pillow (with pillow-heif's opener). HEIF photos come out already turned upright: libheif
applies the container's rotation and resets the EXIF orientation to 1."""

from __future__ import annotations

import io
from functools import cache

import cv2
import numpy as np
from PIL import Image


@cache
def _heif_registered() -> bool:
    """Pillow learns to open HEIF once per process (False where pillow-heif is missing: HEIC is then unreadable)."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return False
    register_heif_opener()
    return True


def decode_with_pillow(data: bytes) -> np.ndarray | None:
    """BGR (or BGRA with transparency) uint8 pixels, or None when Pillow cannot read the bytes either."""
    _heif_registered()
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            mode = "RGBA" if "A" in opened.getbands() or "transparency" in opened.info else "RGB"
            rgb = np.asarray(opened.convert(mode))
    except Exception:  # Pillow raises many types on broken files (and DecompressionBombError): all mean "no image"
        return None
    code = cv2.COLOR_RGBA2BGRA if rgb.shape[-1] == 4 else cv2.COLOR_RGB2BGR
    return cv2.cvtColor(rgb, code)
