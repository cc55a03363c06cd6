"""The straight-line hypotheses: a page's four sides found as lines and crossed into its outline."""

import cv2
import numpy as np

from fieldkit.scanner.geometry import jaccard_in_document_frame, order_corners
from fieldkit.scanner.lines import join_segments, line_quads, segments

SIZE = (400, 300)
PAGE = np.array([[120, 50], [300, 70], [285, 260], [105, 240]], np.float32)


def _frame(stripes: bool = False) -> np.ndarray:
    frame = np.full((SIZE[1], SIZE[0]), 70, np.uint8)
    if stripes:  # thin dark rules across the table, as on a newspaper: not sides of anything
        for y in range(5, SIZE[1], 9):
            cv2.line(frame, (0, y), (SIZE[0], y), 30, 1)
    cv2.fillConvexPoly(frame, PAGE.astype(np.int32), 235, cv2.LINE_AA)
    return cv2.GaussianBlur(frame, (3, 3), 0)


def _best_quad(frame: np.ndarray) -> np.ndarray:
    found, strength = segments(cv2.medianBlur(frame, 5), 0.04 * min(SIZE))
    lines = join_segments(found, strength, SIZE)
    assert lines is not None
    quads, support = line_quads(lines, SIZE, 0.03 * SIZE[0] * SIZE[1], 10)
    assert len(quads) and support[0] == support.max()
    return order_corners(quads[0])


def test_the_four_sides_make_the_page():
    assert jaccard_in_document_frame(_best_quad(_frame()), PAGE, SIZE) > 0.97


def test_thin_rules_around_the_page_do_not_hide_it():
    assert jaccard_in_document_frame(_best_quad(_frame(stripes=True)), PAGE, SIZE) > 0.95


def test_a_side_broken_by_a_thumb_is_one_line():
    frame = _frame()
    cv2.circle(frame, (210, 60), 12, 120, -1)  # over the top side
    found, strength = segments(cv2.medianBlur(frame, 5), 0.04 * min(SIZE))
    lines = join_segments(found, strength, SIZE)
    top = np.abs(lines.normal @ PAGE[0] - lines.offset) < 2
    top &= np.abs(lines.normal @ PAGE[1] - lines.offset) < 2
    assert top.sum() == 1  # the pieces either side of the thumb joined


def test_nothing_to_join_gives_none():
    assert join_segments(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), SIZE) is None
