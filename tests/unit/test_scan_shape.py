"""A page whose outline is far from the shape of the paper its slot expects is worth a look (an ID card's
outline that stops at its photo, or an A4 sheet put in the ID card's slot); a tilted page of the right paper
is not, however steep the tilt, and corners a person placed are never doubted."""

import math

import numpy as np
import pytest

from fieldkit.camera.paperwork import form_page, id_card
from fieldkit.camera.scenes import Conditions, apply_conditions, floral, place_page, plain, render_scene
from fieldkit.scanner import nesting
from fieldkit.scanner.detect import Choice, PageDetector
from fieldkit.scanner.geometry import jaccard_in_document_frame, order_corners, polygon_area
from fieldkit.scanner.pages import ScannedPage
from fieldkit.scanner.paper import PAPERS, SHAPE_DOUBT, outline_aspect, shape_off, stretched_to

SIZE = (1280, 720)
FOCAL = 0.78 * SIZE[0]  # a typical laptop webcam's, as paper.py assumes


def seen_through_a_webcam(long_mm: float, short_mm: float, tilt_deg: float, distance_mm: float) -> np.ndarray:
    """A paper's corners (TL, TR, BR, BL) through a pinhole camera, the paper tilted away about its long axis."""
    half = np.array([[-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0]]) * [long_mm, short_mm, 0]
    t = math.radians(tilt_deg)
    tilt = np.array([[1, 0, 0], [0, math.cos(t), -math.sin(t)], [0, math.sin(t), math.cos(t)]])
    points = (half / 2) @ tilt.T + [0, 0, distance_mm]
    return np.stack([FOCAL * points[:, 0] / points[:, 2], FOCAL * points[:, 1] / points[:, 2]], 1) + np.divide(SIZE, 2)


@pytest.mark.parametrize("tilt", [0, 35, 50])
@pytest.mark.parametrize(("paper", "distance"), [("id-card", 160.0), ("a4", 450.0)])
def test_a_tilted_page_of_the_expected_paper_is_not_called_misshapen(paper, distance, tilt):
    expected = PAPERS[paper]
    quad = seen_through_a_webcam(expected.height_mm, expected.width_mm, tilt, distance).astype(np.float32)
    assert shape_off(quad, expected, SIZE) < 0.01
    if tilt == 50:  # the plain reading alone (opposite sides' means) would have doubted it
        assert abs(math.log(outline_aspect(quad) / expected.aspect)) > SHAPE_DOUBT


@pytest.fixture(scope="module")
def card_photo():
    """An ID card's front lying flat on a dark table, and its outline."""
    rng = np.random.default_rng(3)
    card = id_card(rng).image
    truth = np.array([[400, 200], [828, 200], [828, 470], [400, 470]], np.float32)  # 85.6 x 54 mm
    return place_page(card, truth, plain(*SIZE, rng)), truth


def test_an_outline_stopping_at_the_cards_photo_is_worth_a_look(card_photo):
    photo, truth = card_photo
    blank_part = blank_part_of(truth)
    card = ScannedPage(photo, truth, PAPERS["id-card"], confidence=0.9)
    cut = ScannedPage(photo, blank_part, PAPERS["id-card"], confidence=0.9)
    assert not card.off_shape
    assert cut.off_shape
    assert not cut.with_corners(blank_part).off_shape  # a person placed them there: their call
    assert not ScannedPage(photo, blank_part, None, confidence=0.9).off_shape  # no paper expected: any shape goes
    assert not ScannedPage(photo, blank_part, PAPERS["id-card"], runs_out=True).off_shape  # said otherwise


def test_an_a4_sheet_in_the_id_cards_slot_is_worth_a_look(card_photo):
    photo, _ = card_photo
    a4 = np.array([[500, 100], [710, 100], [710, 397], [500, 397]], np.float32)
    assert ScannedPage(photo, a4, PAPERS["id-card"], confidence=0.9).off_shape
    assert not ScannedPage(photo, a4, PAPERS["a4"], confidence=0.9).off_shape
    assert not ScannedPage(photo, a4, PAPERS["letter"], confidence=0.9).off_shape  # within an outline's wobble


def blank_part_of(card: np.ndarray) -> np.ndarray:
    """An ID card's outline (TL, TR, BR, BL, axis-aligned) cut as the detector cuts it under glare: its left side
    at the photo's right edge, its top under the header."""
    part = card.copy()
    part[[0, 3], 0] += 0.32 * (card[1, 0] - card[0, 0])
    part[[0, 1], 1] += 0.2 * (card[3, 1] - card[0, 1])
    return part


@pytest.mark.parametrize(("seed", "table", "glare"), [(1, "floral", 0.9), (3, "plain", 0.9), (5, "floral", 0.6)])
def test_with_the_paper_known_a_misshapen_winner_gives_way_to_the_card_around_it(seed, table, glare):
    """The choice among hypotheses (`PageDetector.choose`) on a photo's own evidence. Under a lamp's glare the
    blank part of an ID card wins over the whole card (whose photo is not paper), and the rule for print round
    a corner (`beyond_bleed`) does not take the card back. With the slot saying an ID card, the card around the
    misshapen winner is taken, before a likelier outline of a card's shape elsewhere; not when it scores under
    half as well (then the one elsewhere is, as `nesting.of_the_papers_shape` takes it), nor when the slot expects A4
    (whose shape the part nearly has). What the card replaced stays as the fallback."""
    rng = np.random.default_rng(seed)
    card = np.array([[400, 200], [828, 200], [828, 470], [400, 470]], np.float32)
    front = id_card(rng).image
    surface = {"floral": floral, "plain": plain}[table](*SIZE, rng)
    photo = apply_conditions(place_page(front, card, surface), card, Conditions(glare=glare, noise=2), rng)
    detector = PageDetector()
    views = detector.views(photo)
    small_card, small_part = card * views.scale, blank_part_of(card) * views.scale
    elsewhere = small_card + np.float32([0.0, 40.0])  # a card's shape, but not around the winner
    quads = [small_part, small_card, elsewhere]

    chosen = detector.choose(views, quads, np.array([0.9, 0.5, 0.7]), PAPERS["id-card"])
    assert np.allclose(chosen.quad, small_card) and chosen.score == 0.5
    assert np.allclose(chosen.instead[0], small_part)
    # Under half the winner's score: not taken (which also shows the card was not taken back by another rule).
    chosen = detector.choose(views, quads, np.array([0.9, 0.4, 0.7]), PAPERS["id-card"])
    assert np.allclose(chosen.quad, elsewhere)
    chosen = detector.choose(views, quads, np.array([0.9, 0.2, 0.2]), PAPERS["id-card"])
    assert np.allclose(chosen.quad, small_part) and chosen.instead is None  # nothing of a card's shape likely
    chosen = detector.choose(views, quads, np.array([0.9, 0.5, 0.7]), PAPERS["a4"])
    assert np.allclose(chosen.quad, small_part) and chosen.instead is None


@pytest.mark.parametrize("seed", [85, 124])
def test_with_the_card_known_a_sheet_beside_it_on_a_pile_gives_way_to_the_card(seed, monkeypatch):
    """An ID card on a pile of papers: a sheet beside it scores higher (its inside is blank paper, the card's is
    print) but has no card's shape, and the card is the likeliest outline that has (`nesting.of_the_papers_shape`)."""
    rng = np.random.default_rng(seed)
    scene = render_scene(id_card(rng).image, SIZE, "paper-pile", rng, Conditions(noise=2.0))
    found = PageDetector().detect(scene.image, paper=PAPERS["id-card"])
    assert found is not None and jaccard_in_document_frame(found.quad, scene.truth, SIZE) > 0.95
    monkeypatch.setattr(nesting, "ELSEWHERE_SHARE", 99.0)  # without the rule: the sheet
    monkeypatch.setattr(PageDetector, "SECOND_OPINION_BELOW", 0.0)  # (the learned mask finds the card too)
    sheet = PageDetector().detect(scene.image, paper=PAPERS["id-card"])
    assert sheet is None or jaccard_in_document_frame(sheet.quad, scene.truth, SIZE) < 0.6


def test_a_choice_the_fit_refuses_gives_way_to_the_outline_it_replaced():
    rng = np.random.default_rng(3)
    scene = render_scene(form_page(rng).image, SIZE, "wood", rng, Conditions(noise=2.0))
    detector = PageDetector()
    views = detector.views(scene.image)
    page = order_corners(scene.truth * views.scale)
    table = np.float32([[10, 10], [60, 10], [60, 42], [10, 42]])  # a patch of table of a card's shape
    alone = detector._confirmed(scene.image, views, Choice(table, 0.3), detector.accept)
    assert alone is None  # the fit finds no paper's edges there
    found = detector._confirmed(scene.image, views, Choice(table, 0.3, (page, 0.9)), detector.accept)
    assert found is not None and jaccard_in_document_frame(found.quad, scene.truth, SIZE) > 0.95


def test_a_card_outline_cut_at_one_side_stretched_to_the_cards_shape_gives_the_card():
    card = np.array([[400, 200], [828, 200], [828, 470], [400, 470]], np.float32)  # 428 x 270: a card
    part = card.copy()
    part[[1, 2], 0] -= 90  # the right side taken at the QR code's left edge
    stretched = stretched_to(part, PAPERS["id-card"].aspect)
    assert min(float(np.abs(s - card).max()) for s in stretched) < 1.0
    assert all(shape_off(s, PAPERS["id-card"], SIZE) < 0.01 for s in stretched)
    assert all(polygon_area(s) > polygon_area(part) for s in stretched)  # sides move outward only


@pytest.mark.parametrize("seed", [82, 114])
def test_with_the_card_known_an_outline_short_of_a_side_in_the_glare_is_stretched_to_the_card(seed, monkeypatch):
    """A lamp's glare over one end of an ID card on a light table: the outline stops at the photo or the QR code
    beside the glare. Stretched to the card's shape and snapped to the edges, the whole card scores better."""
    rng = np.random.default_rng(seed)
    scene = render_scene(id_card(rng).image, SIZE, "plain-light", rng, Conditions(glare=0.85, noise=2.0))
    found = PageDetector().detect(scene.image, paper=PAPERS["id-card"])
    assert found is not None and jaccard_in_document_frame(found.quad, scene.truth, SIZE) > 0.95
    monkeypatch.setattr(PageDetector, "_stretched", lambda self, views, best, score, paper: (best, score))
    short = PageDetector().detect(scene.image, paper=PAPERS["id-card"])
    assert short is not None and jaccard_in_document_frame(short.quad, scene.truth, SIZE) < 0.9
