"""Pages -> one small PDF the portal accepts, through img2pdf (images embedded as they are, never re-encoded).

- black-and-white pages as CCITT Group 4 (lossless, a few tens of KB an A4 page);
- grey and colour pages as JPEG, at the best quality that keeps the page within its budget;
- each page the paper's real size, and the DPI reported what the camera really captured (a black-and-white
  page's raster is finer than that, for legibility: see `enhance.BW_DPI`);
- the whole file under the configured limit (setting `max_file_mb`): JPEG pages are squeezed further, and
  as a last resort scaled down, before giving up with a clear error; a warning when it comes near the limit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import img2pdf
import numpy as np
from PIL import Image

from fieldkit.core.errors import UserError
from fieldkit.scanner.enhance import Mode
from fieldkit.scanner.pages import RenderedPage
from fieldkit.scanner.paper import MM_PER_INCH, PAPERS

# What an A4 page may weigh, by mode; other sizes in proportion to their area.
PAGE_BUDGET = {Mode.BW: 80_000, Mode.GRAY: 300_000, Mode.COLOR: 500_000}
QUALITIES = (85, 78, 70, 62, 55, 48, 42, 36)
NEAR_LIMIT = 0.8  # of the limit: above this, warn
A4_AREA = PAPERS["a4"].width_mm * PAPERS["a4"].height_mm


class PdfTooLarge(UserError):
    key = "error.scan.pdf_too_large"


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int
    near_limit: bool  # the file is within 20% of the size limit
    page_bytes: tuple[int, ...]  # each page's image, as embedded
    dpi: int  # the lowest page DPI: what the document can be trusted to show (as captured, less where shrunk)

    @property
    def size(self) -> int:
        return len(self.data)


def encode_page(page: RenderedPage, shrink: float = 1.0, qualities: tuple[int, ...] = QUALITIES) -> bytes:
    """The page as a file img2pdf embeds unchanged: G4 TIFF for black-and-white, JPEG otherwise."""
    pixels = page.pixels
    if shrink < 1.0:
        size = (max(1, round(pixels.shape[1] * shrink)), max(1, round(pixels.shape[0] * shrink)))
        pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
    dpi = _dpi(pixels, page)
    if page.mode is Mode.BW:
        image = Image.fromarray(np.where(pixels > 127, 255, 0).astype(np.uint8), "L").convert("1")
        buffer = io.BytesIO()
        image.save(buffer, format="TIFF", compression="group4", dpi=(dpi, dpi))
        return buffer.getvalue()
    budget = PAGE_BUDGET[page.mode] * (page.size_mm[0] * page.size_mm[1]) / A4_AREA
    data = b""
    for quality in qualities:
        data = _jpeg(pixels, quality, dpi)
        if len(data) <= budget:
            break
    return data


def _jpeg(pixels: np.ndarray, quality: int, dpi: int) -> bytes:
    rgb = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)
    image = Image.fromarray(rgb, "L" if pixels.ndim == 2 else "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


def _dpi(pixels: np.ndarray, page: RenderedPage) -> int:
    return max(1, round(pixels.shape[1] / (page.size_mm[0] / MM_PER_INCH)))


def build_pdf(pages: list[RenderedPage], max_bytes: int, title: str = "FieldKit scan") -> PdfResult:
    if not pages:
        raise UserError("error.scan.no_pages")
    encoded = [encode_page(page) for page in pages]
    shrink = 1.0
    # Squeeze the JPEG pages until the file fits: the lowest quality first, then fewer pixels.
    while _estimate(encoded) > max_bytes:
        if all(page.mode is Mode.BW for page in pages) or shrink < 0.3:
            raise PdfTooLarge(size_mb=_mb(_estimate(encoded)), limit_mb=_mb(max_bytes))
        encoded = [
            data if page.mode is Mode.BW else encode_page(page, shrink, qualities=QUALITIES[-1:])
            for page, data in zip(pages, encoded, strict=True)
        ]
        shrink *= 0.8
    sizes = [_points(page.size_mm) for page in pages]
    data = img2pdf.convert(encoded, layout_fun=_layout(sizes), title=title, producer="FieldKit", creator="FieldKit")
    if len(data) > max_bytes:
        raise PdfTooLarge(size_mb=_mb(len(data)), limit_mb=_mb(max_bytes))
    return PdfResult(
        data=data,
        pages=len(pages),
        near_limit=len(data) > NEAR_LIMIT * max_bytes,
        page_bytes=tuple(len(item) for item in encoded),
        dpi=min(min(page.dpi, _dpi_of_encoded(page, data)) for page, data in zip(pages, encoded, strict=True)),
    )


def _dpi_of_encoded(page: RenderedPage, data: bytes) -> int:
    with Image.open(io.BytesIO(data)) as image:
        return max(1, round(image.width / (page.size_mm[0] / MM_PER_INCH)))


def _mb(size: int) -> float:
    return round(size / 1048576, 1)  # the setting's megabytes (max_file_mb * 1024 * 1024 bytes)


def _estimate(encoded: list[bytes]) -> int:
    return sum(len(item) for item in encoded) + 1500 * len(encoded)  # PDF objects around each image


def _points(size_mm: tuple[float, float]) -> tuple[float, float]:
    return img2pdf.mm_to_pt(size_mm[0]), img2pdf.mm_to_pt(size_mm[1])


def _layout(sizes: list[tuple[float, float]]):
    """img2pdf calls the layout once per image, in order: each page gets its own paper size, image filling it."""
    pending = iter(sizes)

    def layout(image_width_px, image_height_px, ndpi):
        width, height = next(pending)
        return width, height, width, height

    return layout
