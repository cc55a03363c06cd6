"""A page with print reaching its edge (a magazine's photo, a brochure's colour band): the blank rest of the
page makes a clean outline of its own, and the scoring preferred it to the whole page (half of which is not
paper). `nesting.beyond_bleed` takes the whole page when the outline round it shares a side with the blank
part, has a paper's shape, runs on straight along edges that step from one surface to another, and adds print
unlike both the paper and the table.

Measured on 90 paired 720p frames (every background but the pile, the same placements with and without the
photo): Jaccard 0.876 -> 0.912 for pages with a photo to the edge; development frames (seeds 1-10, 3,600
pages): one frame better, none worse.

An ID card's front does the same round a corner: its blank part, right of the photo and below the header, is a
clean rectangle sharing one corner with the card. Development frames (seeds 1-6, 2,160 pages): 0.9700 ->
0.9705, three cards found whole (0.60 -> 0.97-1.00), none worse, no more page-less frames taken."""

import numpy as np
import pytest

from fieldkit.camera.paperwork import form_page, id_card, with_photo_to_edge
from fieldkit.camera.scenes import place_page
from fieldkit.scanner.detect import PageDetector
from fieldkit.scanner.geometry import jaccard_in_document_frame, order_corners, scale_quad
from fieldkit.scanner.nesting import beyond_bleed
from tests.unit.test_scan_nasty import a4_at
from tests.unit.test_scan_out_of_frame import SIZE, photographed


@pytest.fixture(scope="module")
def page():
    return form_page(np.random.default_rng(11)).image


def blank_part(truth: np.ndarray, share: float) -> np.ndarray:
    """The outline of the page below a photo across its top `share`."""
    top_left, top_right, bottom_right, bottom_left = truth
    return np.array(
        [
            top_left + share * (bottom_left - top_left),
            top_right + share * (bottom_right - top_right),
            bottom_right,
            bottom_left,
        ],
        np.float32,
    )


@pytest.mark.parametrize(("table", "angle", "seed"), [("wood", 8, 1), ("dark", -12, 2), ("wood", 20, 3)])
def test_a_page_with_a_photo_printed_to_its_edge_is_found_whole(page, table, angle, seed):
    truth = a4_at((640, 360), 560, angle)
    printed = with_photo_to_edge(page, np.random.default_rng(seed), share=0.45)
    frame = photographed(printed, truth, table, seed)
    found = PageDetector().detect(frame)
    assert found is not None
    assert jaccard_in_document_frame(found.quad, truth, SIZE) > 0.95
    # The blank part alone, what was found before, would be far off.
    assert jaccard_in_document_frame(blank_part(truth, 0.45), truth, SIZE) < 0.6


def test_the_rule_takes_the_outline_round_print_and_leaves_a_page_between_tile_joints_alone(page):
    detector = PageDetector()
    truth = a4_at((640, 360), 480, 6)
    # A photo to the edge: the blank part wins the scoring; the outline round the photo is the page.
    printed = photographed(with_photo_to_edge(page, np.random.default_rng(4), share=0.4), truth, "wood", 4)
    views = detector.views(printed)
    whole = order_corners(scale_quad(truth, views.scale))
    blank = order_corners(scale_quad(blank_part(truth, 0.4), views.scale))
    chosen, _ = beyond_bleed(views, [whole], np.array([0.3]), blank, 0.9)
    np.testing.assert_allclose(chosen, whole)
    # A plain page on tiles whose joints run on from its sides and cross below it: the outline round page and
    # tile has edges all round, but it is the table, not print (the joints have tile on both sides, and what
    # lies inside it is what lies beyond it).
    square = a4_at((640, 300), 400, 0)
    left, right = int(square[0, 0]), int(square[1, 0])
    # The joint below it where page and tile together have an ID card's shape (the rule's shape test passes).
    joint = int(square[0, 1] + 1.586 * (right - left))
    rng = np.random.default_rng(5)
    table = np.clip(rng.normal(150, 12, (SIZE[1], SIZE[0], 3)), 0, 255).astype(np.uint8)
    table[:] = (table * np.array([0.8, 0.9, 1.0])).astype(np.uint8)
    for x in (left, right):
        table[:, x - 1 : x + 2] = (70, 75, 80)
    table[joint - 1 : joint + 2] = (70, 75, 80)
    frame = place_page(page, square, table)
    views = detector.views(frame)
    longer = np.array([square[0], square[1], (right, joint), (left, joint)], np.float32)
    page_outline = order_corners(scale_quad(square, views.scale))
    chosen, _ = beyond_bleed(
        views, [order_corners(scale_quad(longer, views.scale))], np.array([0.3]), page_outline, 0.9
    )
    np.testing.assert_allclose(chosen, page_outline)


def card_at(centre, width: float, angle_deg: float) -> np.ndarray:
    """An ID-1 card's corners (TL, TR, BR, BL), `width` pixels across, turned by `angle_deg`."""
    w, h = width, width * 53.98 / 85.6
    half = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float32)
    a = np.radians(angle_deg)
    rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    return half @ rotation.T + np.array(centre, np.float32)


def beside_the_photo(truth: np.ndarray, across: float, down: float) -> np.ndarray:
    """The part of a card right of `across` and below `down` (shares of its width and height): the blank part
    beside the photo and under the header, which shares the card's bottom-right corner."""
    top_left, top_right, bottom_right, bottom_left = truth

    def at(u: float, v: float) -> np.ndarray:
        top, bottom = top_left + u * (top_right - top_left), bottom_left + u * (bottom_right - bottom_left)
        return top + v * (bottom - top)

    return np.array([at(across, down), at(1.0, down), bottom_right, at(across, 1.0)], np.float32)


@pytest.mark.parametrize(("table", "angle", "seed"), [("wood", 6, 1), ("dark", -9, 2), ("light", 14, 3)])
def test_the_rule_takes_the_card_round_its_blank_part_beside_the_photo(table, angle, seed):
    detector = PageDetector()
    truth = card_at((640, 360), 520, angle)
    card = id_card(np.random.default_rng(seed)).image  # photo at 4-28% of the width, 24-72% of the height
    views = detector.views(photographed(card, truth, table, seed))
    whole = order_corners(scale_quad(truth, views.scale))
    blank = order_corners(scale_quad(beside_the_photo(truth, 0.29, 0.235), views.scale))
    chosen, _ = beyond_bleed(views, [whole], np.array([0.3]), blank, 0.9)
    np.testing.assert_allclose(chosen, whole)


def test_the_rule_leaves_a_page_in_the_corner_of_a_placemat_alone(page):
    """A plain page lying in a corner of a placemat, the mat of one colour on a table of another: the outline of
    the mat shares the page's bottom-right corner, has edges that step all round, and what it adds differs from
    what lies beyond it. But all of it is unlike the paper: it is the mat, not print on the page (development
    frames: three pages on tiles were lost so while the rule had no bound on how much of the part is print)."""
    square = a4_at((700, 400), 420, 0)
    left, top, right, bottom = int(square[0, 0]), int(square[0, 1]), int(square[1, 0]), int(square[2, 1])
    grain = np.random.default_rng(6).normal(0, 10, (SIZE[1], SIZE[0], 1))
    table = np.clip(np.array([150, 120, 90]) + grain, 0, 255).astype(np.uint8)  # terracotta
    mat = (slice(top - 60, bottom), slice(left - 90, right))
    table[mat] = np.clip(np.array([95, 140, 150]) + grain[mat], 0, 255)  # an olive mat
    frame = place_page(page, square, table)
    views = PageDetector().views(frame)
    outline_of_mat = np.array(
        [(left - 90, top - 60), (right, top - 60), (right, bottom), (left - 90, bottom)], np.float32
    )
    page_outline = order_corners(scale_quad(square, views.scale))
    pool = [order_corners(scale_quad(outline_of_mat, views.scale))]
    chosen, _ = beyond_bleed(views, pool, np.array([0.3]), page_outline, 0.9)
    np.testing.assert_allclose(chosen, page_outline)
