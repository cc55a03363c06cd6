"""The scorer's evidence along an outline's sides: a side lost in a lamp's glare says nothing either way."""

import cv2
import numpy as np

from fieldkit.scanner.detect import PageDetector
from fieldkit.scanner.score import FEATURES, quad_features

SIZE = (400, 300)
PAGE = np.array([[110, 60], [290, 75], [280, 250], [100, 235]], np.float32)


def _frame(glare: bool) -> np.ndarray:
    frame = np.full((SIZE[1], SIZE[0], 3), 150, np.uint8)
    cv2.fillConvexPoly(frame, PAGE.astype(np.int32), (235, 235, 235), cv2.LINE_AA)
    if glare:  # blown out to white over the whole right side, on the page and the table alike
        cv2.circle(frame, (290, 160), 105, (255, 255, 255), -1)
    return cv2.GaussianBlur(frame, (3, 3), 0)


def _features(frame: np.ndarray, quad: np.ndarray) -> dict[str, float]:
    views = PageDetector().views(frame)
    return dict(zip(FEATURES, quad_features(views, quad[None] * views.scale)[0], strict=True))


def test_a_side_in_glare_is_not_held_against_the_page():
    clear, glared = _features(_frame(False), PAGE), _features(_frame(True), PAGE)
    assert clear["weakest"] > 0.9
    assert glared["weakest"] > 0.8 and glared["edge"] > 0.8  # judged on the three sides that can tell


def test_an_outline_inside_the_glare_is_not_believed():
    ghost = np.array([[230, 110], [330, 115], [325, 210], [225, 205]], np.float32)  # all of it blown out
    features = _features(_frame(True), ghost)
    assert features["edge"] == 0 and features["weakest"] == 0
