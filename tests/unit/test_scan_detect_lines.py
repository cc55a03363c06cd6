"""The straight-line hypotheses: a page's four sides found as lines and crossed into its outline."""

import cv2
import numpy as np

from fieldkit.scanner.detect import PageDetector
from fieldkit.scanner.geometry import jaccard_in_document_frame, order_corners, scale_quad
from fieldkit.scanner.lines import join_segments, line_quads, segments, three_sides

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


def _three_sided_frame() -> tuple[np.ndarray, np.ndarray]:
    """A white page whose bottom side meets a sheet nearly as white (a card on paper, a page in glare): the
    other three sides are lines, the fourth is too faint a step for one."""
    size = (800, 600)
    page = np.array([[240, 100], [600, 140], [570, 520], [210, 480]], np.float32)
    frame = np.full((size[1], size[0], 3), 60, np.uint8)
    sheet = np.array([[210, 480], [570, 520], [560, 640], [200, 640]], np.int32)  # runs out of the frame
    cv2.fillPoly(frame, [sheet], (224, 224, 224), cv2.LINE_AA)
    cv2.fillConvexPoly(frame, page.astype(np.int32), (232, 232, 232), cv2.LINE_AA)
    noise = np.random.default_rng(1).normal(0, 2, frame.shape)
    return np.clip(cv2.GaussianBlur(frame, (3, 3), 0) + noise, 0, 255).astype(np.uint8), page


def test_three_sides_face_the_missing_one():
    frame, page = _three_sided_frame()
    detector = PageDetector()
    views = detector.views(frame)
    lines = detector.lines(views)
    assert lines is not None and not len(detector.line_candidates(views, lines))  # no fourth line: no quad
    found = three_sides(lines, views.size, 4)
    near = found.near[0] / views.scale
    assert np.linalg.norm(near - page[:2], axis=1).max() < 6  # the top side's corners
    assert np.all(found.away[0] @ (page[3] - page[0]) > 0)  # towards the bottom, where the page is


def test_the_faint_fourth_side_completes_the_page():
    frame, page = _three_sided_frame()
    detector = PageDetector()
    views = detector.views(frame)
    completed = detector.completed_candidates(views, detector.lines(views))
    best = max(jaccard_in_document_frame(scale_quad(q, 1 / views.scale), page, (800, 600)) for q in completed)
    assert best > 0.95
