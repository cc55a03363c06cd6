"""Scanning photographs (the command line's `scan`, the scanner window's "add photos"): pages found, one PDF out.

Takes what it needs as arguments (a detector, the size limit); writes files atomically, so a full disk or a
pulled USB stick never leaves half a PDF under the final name.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from fieldkit.core.errors import UserError
from fieldkit.scanner.detect import Detection, PageDetector
from fieldkit.scanner.enhance import Mode
from fieldkit.scanner.geometry import whole_image_quad
from fieldkit.scanner.images import ImageError, read_image
from fieldkit.scanner.pages import PageList, ScannedPage
from fieldkit.scanner.paper import Paper, photo_paper
from fieldkit.scanner.pdf import PdfResult, build_pdf


@dataclass(frozen=True)
class PhotoResult:
    """One photograph's page: found (detection) or, when no page was found, the whole photograph."""

    path: Path
    page: ScannedPage
    detection: Detection | None


# A phone's 12-megapixel photo is 36 MB in memory, and a page keeps its photo for corners moved by hand. At
# 3200 pixels an A4 page still has about 270 dpi, more than its print needs; ten photos stay under 300 MB.
MAX_PHOTO_SIDE = 3200


def fit_photo(image: np.ndarray, longest: int = MAX_PHOTO_SIDE) -> np.ndarray:
    """The photograph at most `longest` pixels along its longer side (smaller ones untouched)."""
    side = max(image.shape[:2])
    if side <= longest:
        return image
    factor = longest / side
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def read_photo(path: Path) -> np.ndarray:
    """A photograph from a file, brought down to MAX_PHOTO_SIDE as it is read (never held at full size
    beside the others)."""
    return fit_photo(read_image(path))


def page_from_photo(
    image: np.ndarray, detector: PageDetector, paper: Paper | None, mode: Mode, auto_rotate: bool = True
) -> tuple[ScannedPage, Detection | None]:
    """The page in a photograph; with no page found, the photograph itself (it may be a flat scan already)."""
    detection = detector.detect(image, paper=paper)
    if detection is None:
        height, width = image.shape[:2]
        sheet = paper or photo_paper(width, height)
        return ScannedPage(image, whole_image_quad(image), sheet, mode, auto_rotate=auto_rotate, confidence=0.0), None
    page = ScannedPage(
        image,
        detection.quad,
        paper,
        mode,
        auto_rotate=auto_rotate,
        confidence=detection.confidence,
        runs_out=detection.runs_out,
    )
    return page, detection


def scan_photos(
    paths: list[Path], detector: PageDetector, paper: Paper | None, mode: Mode, auto_rotate: bool = True
) -> list[PhotoResult]:
    """Read every photograph first (an unreadable one stops the run before anything is written)."""
    images = [(path, read_photo(path)) for path in paths]
    return [PhotoResult(path, *page_from_photo(image, detector, paper, mode, auto_rotate)) for path, image in images]


def pages_from_photos(
    paths: list[Path], detector: PageDetector, paper: Paper | None, mode: Mode
) -> tuple[list[PhotoResult], list[ImageError]]:
    """Each readable photograph's page, flattened already (its thumbnail is then free), and the errors of the
    ones that could not be read: one bad file does not lose the others."""
    results, failures = [], []
    for path in paths:
        try:
            image = read_photo(path)
        except ImageError as error:
            failures.append(error)
            continue
        result = PhotoResult(path, *page_from_photo(image, detector, paper, mode))
        result.page.render()
        results.append(result)
    return results, failures


def make_pdf(pages: PageList, max_bytes: int) -> PdfResult:
    return build_pdf(pages.rendered(), max_bytes)


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: the target is whole or untouched."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; a PDF is an ordinary file
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise UserError("error.scan.write_failed", path=str(path), reason=exc.strerror or str(exc)) from exc


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
