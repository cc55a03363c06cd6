"""Small pictures of a document's pages, for the documents checklist: the worker sees at a glance that the right
paper went into the right slot.

A scanned PDF (ours, or a phone scanner app's) holds one picture per page, which is shown as it is: no PDF
renderer is needed. A page with no picture of its own (a form typed on a computer) has no preview; the
checklist still says how many pages there are. An image file is its own one page.
"""

from __future__ import annotations

import io
import logging

import cv2
import numpy as np
from PIL import Image
from pypdf import PdfReader

from fieldkit.scanner.images import exif_orientation, to_bgr, upright

log = logging.getLogger(__name__)

PREVIEW_HEIGHT = 72  # pixels: a page you can tell from another at a glance, several to a row
PREVIEW_PAGES = 6  # the first pages of a document; the count says how many more


def page_previews(data: bytes, media_type: str, height: int = PREVIEW_HEIGHT, limit: int = PREVIEW_PAGES):
    """Up to `limit` pages as BGR uint8 arrays `height` pixels tall. A file that cannot be read gives none:
    it was checked when attached, and a preview is never worth an error."""
    try:
        pages = _pdf_pages(data, limit) if media_type == "application/pdf" else [_decoded(data)]
    except Exception as exc:  # a damaged or unusual file: no pictures, the rest of the checklist goes on
        log.info("no preview: %s", type(exc).__name__)
        return []
    return [_shrunk(page, height) for page in pages if page is not None]


def _pdf_pages(data: bytes, limit: int) -> list[np.ndarray | None]:
    reader = PdfReader(io.BytesIO(data))
    return [_page_picture(page) for page in reader.pages[:limit]]


def _page_picture(page) -> np.ndarray | None:
    """The largest picture on the page (a scan's page is one), or None when it has none."""
    pictures = list(page.images)
    if not pictures:
        return None
    largest = max(pictures, key=lambda picture: picture.image.width * picture.image.height)
    return _from_pil(largest.image)


def _decoded(data: bytes) -> np.ndarray | None:
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    return None if pixels is None else upright(to_bgr(pixels), exif_orientation(data))  # a phone photo as seen


def _from_pil(image: Image.Image) -> np.ndarray:
    if image.mode not in ("L", "RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    pixels = np.asarray(image)
    if pixels.ndim == 3:  # PIL's RGB(A) to OpenCV's BGR(A)
        pixels = pixels[:, :, [2, 1, 0, 3][: pixels.shape[2]]]
    return to_bgr(np.ascontiguousarray(pixels))


def _shrunk(pixels: np.ndarray, height: int) -> np.ndarray:
    scale = height / pixels.shape[0]
    width = max(1, round(pixels.shape[1] * scale))
    return cv2.resize(pixels, (width, height), interpolation=cv2.INTER_AREA)
