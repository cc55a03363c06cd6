"""Flattening the page: the quad in the photograph becomes an upright rectangle of the paper's true shape.

The output keeps the resolution the camera really captured along the page (no upsampling to pretend a
higher DPI): its long side has as many pixels as the longer of the page's long edges in the photograph.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fieldkit.scanner.geometry import order_corners, side_lengths
from fieldkit.scanner.paper import Paper, dpi_of, guess_paper, outline_ratio, warp_size


@dataclass(frozen=True)
class Flattened:
    image: np.ndarray  # BGR uint8, upright as photographed (auto-rotation comes later)
    paper: Paper
    landscape: bool  # the page lies with its long side across
    dpi: int  # pixels across the page / page width in inches

    @property
    def size_mm(self) -> tuple[float, float]:
        return self.paper.size_mm(self.landscape)


def choose_paper(quad: np.ndarray, image_size: tuple[int, int], paper: Paper | None) -> tuple[Paper, bool]:
    """The paper (the slot's, or the one the outline's true aspect is nearest to) and its orientation."""
    quad = order_corners(quad)
    ratio = outline_ratio(quad, image_size)  # the page's own, not as drawn: a page seen steeply is foreshortened
    if paper is None:
        paper = guess_paper(max(ratio, 1.0 / ratio))
    return paper, ratio > 1.0


def flatten(image: np.ndarray, quad: np.ndarray, paper: Paper | None = None, max_long_side: int = 4000) -> Flattened:
    quad = order_corners(np.asarray(quad, np.float32))
    height, width = image.shape[:2]
    paper, landscape = choose_paper(quad, (width, height), paper)
    sides = side_lengths(quad)
    captured = float(max(sides.max(), 1.0))  # pixels along the longest edge the camera saw
    long_side = int(min(max_long_side, round(captured)))
    out_w, out_h = warp_size(paper, landscape, long_side)
    target = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], np.float32) - 0.5
    homography = cv2.getPerspectiveTransform(quad, target)
    flat = cv2.warpPerspective(
        image, homography, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    width_mm = paper.size_mm(landscape)[0]
    return Flattened(flat, paper, landscape, dpi_of(out_w, width_mm))
