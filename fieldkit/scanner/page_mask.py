"""A learned second opinion on where the page is: which parts of the frame are the page lying on top.

The outline detector (`detect.py`) reads edges, and a page on a stack of other printed papers has few edges of
its own: where it lies on the sheets under it, paper meets paper of the same white, and the sheets' own sides
run on past it. It then takes a sheet under the page, or the page and a sheet together. A small convolutional
network (63,000 weights, `resources/models/page_mask.onnx`, trained by `scripts/train_page_mask.py` on the
benchmark generator's development scenes) sees the frame whole, at 256 x 144, and gives each 10 x 10-pixel
cell of a 1280 x 720 frame the probability that it is the page. Run by OpenCV's own DNN module: no new
dependency. 4-8 ms on one core (this machine, idle or busy), so `detect.py` asks it only when its own answer is unsure.
"""

from __future__ import annotations

import logging
import threading

import cv2
import numpy as np

from fieldkit.core.resources import resource_path
from fieldkit.scanner.candidates import contour_quads

log = logging.getLogger(__name__)

MODEL = ("models", "page_mask.onnx")
INPUT_SIZE = (256, 144)  # width, height: what the network was trained on (any frame is resized to it)
LEVELS = (0.5, 0.7)  # the probability maps are cut at: the page, and its surest part (a sheet joined at a corner)

_local = threading.local()  # an OpenCV network must not run in two threads at once: one per thread
_failed = threading.Event()  # the model would not load: said once, then the detector does without it


def _network() -> cv2.dnn.Net | None:
    net = getattr(_local, "net", None)
    if net is None and not _failed.is_set():
        path = resource_path(*MODEL)
        try:
            net = cv2.dnn.readNetFromONNX(str(path))
        except cv2.error:
            _failed.set()
            log.warning("page mask model unusable (%s): detecting pages without it", path)
            return None
        _local.net = net
    return net


def page_probability(image: np.ndarray, size: tuple[int, int]) -> np.ndarray | None:
    """For a BGR frame, the probability (0..1) that each pixel is the page, at `size` (width, height); None
    if the model is not there."""
    net = _network()
    if net is None:
        return None
    small = cv2.resize(image, INPUT_SIZE, interpolation=cv2.INTER_AREA)
    net.setInput(cv2.dnn.blobFromImage(small, scalefactor=1 / 255.0, mean=(127.5, 127.5, 127.5)))
    logits = net.forward()[0, 0]
    return cv2.resize(1.0 / (1.0 + np.exp(-logits)), size, interpolation=cv2.INTER_LINEAR)


def mask_outlines(probability: np.ndarray, min_area: float) -> list[np.ndarray]:
    """Quads wrapping the page-like regions of a probability map, at each of LEVELS."""
    outlines = []
    for level in LEVELS:
        outlines += contour_quads((probability > level).astype(np.uint8) * 255, min_area, limit=3)
    return outlines


def overlap(quads: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """(n,) how well each quad (n, 4, 2, in the map's pixels) covers the page the map sees: intersection over
    union with the map cut at one half."""
    seen = probability > 0.5
    result = np.zeros(len(quads))
    for k, quad in enumerate(quads):
        inside = np.zeros(seen.shape, np.uint8)
        cv2.fillConvexPoly(inside, np.round(quad).astype(np.int32), 1)
        union = np.count_nonzero(seen | (inside > 0))
        result[k] = np.count_nonzero(seen & (inside > 0)) / union if union else 0.0
    return result
