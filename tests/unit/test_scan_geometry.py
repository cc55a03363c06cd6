import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.camera.scenes import tilted_corners
from fieldkit.scanner.geometry import (
    implied_focal,
    jaccard_in_document_frame,
    order_corners,
    rectangle_ratios,
    side_lengths,
    slide_side,
)
from fieldkit.scanner.paper import (
    PAPERS,
    dpi_of,
    guess_paper,
    outline_aspect,
    outline_ratio,
    paper_for,
    warp_size,
)

SQUARE = np.array([[100, 100], [300, 100], [300, 300], [100, 300]], np.float32)


@given(st.permutations(range(4)), st.floats(-0.6, 0.6))
def test_corner_order_does_not_depend_on_input_order(permutation, angle):
    centre = np.array([320.0, 240.0])
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    quad = (SQUARE - 200) @ rotation.T + centre
    shuffled = quad[list(permutation)]
    assert np.allclose(order_corners(shuffled), order_corners(quad))
    tl, tr, br, bl = order_corners(quad)
    assert tl[1] < bl[1] and tr[1] < br[1] and tl[0] < tr[0] and bl[0] < br[0]


def test_jaccard_is_one_for_the_truth_and_zero_for_a_miss():
    assert jaccard_in_document_frame(SQUARE, SQUARE, (640, 480)) == 1.0
    assert jaccard_in_document_frame(None, SQUARE, (640, 480)) == 0.0
    half = SQUARE.copy()
    half[1:3, 0] = 200  # the left half of the page
    assert abs(jaccard_in_document_frame(half, SQUARE, (640, 480)) - 0.5) < 1e-3


def test_the_true_aspect_of_a_tilted_page():
    focal = 0.78 * 1280
    camera = np.array([[focal, 0, 640], [0, focal, 360], [0, 0, 1.0]])
    corners = np.array([[-105, -148.5, 0], [105, -148.5, 0], [105, 148.5, 0], [-105, 148.5, 0]])
    tilt = np.array([[1, 0, 0], [0, math.cos(0.5), -math.sin(0.5)], [0, math.sin(0.5), math.cos(0.5)]])
    seen = (tilt @ corners.T).T + np.array([0, 0, 500])
    image = (camera @ seen.T).T
    quad = image[:, :2] / image[:, 2:]
    assert abs(outline_aspect(quad, (1280, 720)) - math.sqrt(2)) < 0.02
    assert guess_paper(outline_aspect(quad, (1280, 720))).code == "a4"


@pytest.mark.parametrize("tilt", [0.0, 30.0, 55.0])
def test_a_tilted_page_is_read_as_the_rectangle_it_is(tilt):
    """Pages seen by a pinhole camera from up to 55 degrees off straight: read as views of a rectangle, each is
    A4 again; read as drawn (opposite sides' means), the steep ones are not."""
    rng = np.random.default_rng(int(tilt))
    quads = np.stack([tilted_corners(math.sqrt(2), (1280, 720), tilt, rng) for _ in range(20)])
    assert np.allclose(rectangle_ratios(quads, (1280, 720), 0.78 * 1280), 1 / math.sqrt(2), rtol=0.01)
    sides = np.stack([side_lengths(quad) for quad in quads])
    drawn = (sides[:, 1] + sides[:, 3]) / (sides[:, 0] + sides[:, 2])
    off_as_drawn = np.abs(np.log(drawn / math.sqrt(2))).max()
    assert off_as_drawn < 0.01 if tilt == 0 else off_as_drawn > (0.15 if tilt > 50 else 0.02)
    # Upright, as the flattening needs it: width over height of a portrait page, whichever way it leans.
    ratios = [outline_ratio(quad, (1280, 720)) for quad in quads]
    assert np.allclose(ratios, 1 / math.sqrt(2), rtol=0.02)
    if tilt > 50:  # read as drawn, some look wider than tall: they were flattened lying across, squashed
        assert any(outline_ratio(quad) > 1 for quad in quads)


def test_the_focal_length_a_tilted_outline_implies():
    rng = np.random.default_rng(5)
    quad = tilted_corners(math.sqrt(2), (1280, 720), 45.0, rng, focal_per_width=0.6)
    assert abs(implied_focal(quad, (1280, 720)) / (0.6 * 1280) - 1) < 0.02
    assert implied_focal(SQUARE, (640, 480)) is None  # seen straight on: any focal length would do
    line = np.array([[100, 100], [200, 100], [300, 100], [400, 100]], np.float32)
    assert np.isnan(rectangle_ratios(line[None], (640, 480), 500.0)[0])
    assert rectangle_ratios(SQUARE[None], (640, 480), 500.0)[0] == pytest.approx(1.0)


def test_papers_and_resolution():
    assert paper_for("auto") is None and paper_for("id-card").code == "id-card"
    assert guess_paper(85.6 / 53.98).code == "id-card"
    assert guess_paper(279.4 / 215.9).code == "letter"
    assert warp_size(PAPERS["a4"], False, 1000) == (707, 1000)
    assert dpi_of(744, 210.0) == 90  # a 1080p webcam across an A4 page


def test_jaccard_of_a_steep_perspective_whose_horizon_crosses_the_frame():
    # The frame's corners lie beyond this page plane's horizon; the measure must not fold over.
    truth = np.array([[785.3, 177.0], [1002.9, 212.2], [897.5, 531.6], [713.5, 421.2]], np.float32)
    found = truth + np.array([[0.1, 0.2], [-0.2, 0.1], [0.0, -0.2], [0.2, -0.1]], np.float32)
    assert jaccard_in_document_frame(found, truth, (1920, 1080)) > 0.99


@given(
    st.lists(st.floats(0.05, 0.95), min_size=2, max_size=2),
    st.floats(0.1, 0.4),
    st.floats(-0.5, 0.5),
    st.floats(-0.3, 0.3),
)
def test_jaccard_of_the_truth_is_one_and_of_a_shifted_quad_less(centre, size, angle, skew):
    w, h = 1280, 720
    half = np.array([[-1, -1.4], [1, -1.4], [1, 1.4], [-1, 1.4]], np.float32) * size * h / 2
    half[:2, 0] *= 1 - skew
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]], np.float32)
    truth = half @ rotation.T + np.array([centre[0] * w, centre[1] * h], np.float32)
    assert jaccard_in_document_frame(truth, truth, (w, h)) == pytest.approx(1.0, abs=1e-4)
    shifted = truth + np.float32(0.2 * size * h)
    assert jaccard_in_document_frame(shifted, truth, (w, h)) < jaccard_in_document_frame(truth, truth, (w, h))


def test_slide_side_moves_a_side_in_parallel_and_refuses_to_fold():
    quad = np.float32([[100, 100], [300, 110], [320, 400], [90, 390]])
    moved = slide_side(quad, 0, 20)
    np.testing.assert_allclose(moved[2:], quad[2:])
    direction = (quad[1] - quad[0]) / np.linalg.norm(quad[1] - quad[0])
    normal = np.array([-direction[1], direction[0]])
    assert np.dot(moved[0] - quad[0], normal) == pytest.approx(20, abs=1e-3)
    assert np.dot(moved[1] - quad[1], normal) == pytest.approx(20, abs=1e-3)
    assert slide_side(quad, 0, 500) is None  # past the opposite side
