"""Page detection on generated frames whose true corners are known, and on frames with no page at all."""

import zlib

import numpy as np
import pytest

from fieldkit.camera import open_source
from fieldkit.camera.paperwork import form_page, id_card, text_page
from fieldkit.camera.scenes import BACKGROUNDS, Conditions, render_scene
from fieldkit.scanner.detect import PageDetector
from fieldkit.scanner.geometry import jaccard_in_document_frame, order_corners

CLEAN = Conditions(noise=2.0)


@pytest.fixture(scope="module")
def detector():
    return PageDetector()


@pytest.fixture(scope="module")
def page():
    return form_page(np.random.default_rng(7)).image


@pytest.mark.parametrize("background", ["wood", "plain-dark", "carpet", "cluttered-desk"])
@pytest.mark.parametrize("size", [(640, 480), (1280, 720)])
def test_finds_the_page_on_common_tables(detector, page, background, size):
    rng = np.random.default_rng(zlib.crc32(f"{background}{size}".encode()))
    scene = render_scene(page, size, background, rng, CLEAN)
    found = detector.detect(scene.image)
    assert found is not None
    assert jaccard_in_document_frame(found.quad, scene.truth, size) > 0.95
    assert 0.5 <= found.confidence <= 1.0
    assert np.array_equal(order_corners(found.quad), found.quad)  # TL, TR, BR, BL


def test_copes_with_shadow_glare_hand_and_blur(detector, page):
    rng = np.random.default_rng(11)
    hard = Conditions(light_gradient=0.4, shadow=0.35, glare=0.5, hand=True, focus_blur=1.2, noise=5.0, jpeg_quality=70)
    scores = []
    for _ in range(8):
        scene = render_scene(page, (1280, 720), "wood", rng, hard)
        found = detector.detect(scene.image)
        scores.append(0.0 if found is None else jaccard_in_document_frame(found.quad, scene.truth, (1280, 720)))
    # Most frames exact; a hand or glare can still cost part of one.
    assert np.median(scores) > 0.98 and np.mean(scores) > 0.9


def test_the_corners_are_in_order_whatever_the_turn(detector):
    rng = np.random.default_rng(3)
    scene = render_scene(text_page(rng).image, (1280, 720), "plain-dark", rng, CLEAN)
    found = detector.detect(scene.image)
    tl, tr, br, bl = found.quad
    assert tl[0] < tr[0] and bl[0] < br[0] and tl[1] < bl[1] and tr[1] < br[1]
    assert np.max(np.linalg.norm(found.quad - scene.truth, axis=1)) < 6  # pixels


@pytest.mark.parametrize("paper", ["a4", "id-card"])
def test_a_page_lying_before_a_laptop_webcam_is_found(detector, paper):
    """Seen 50 degrees off straight, as a page on the table looks to a laptop's webcam: its far side shorter and
    the whole page foreshortened, so its outline as drawn is no paper's shape. Read as a view of a rectangle it
    is (score.py `_off_paper_shape`); before, a paper-shaped part of the page won (development frames 50 degrees
    off: Jaccard 0.63 then, 0.81 now)."""
    rng = np.random.default_rng(zlib.crc32(paper.encode()))
    document = form_page(rng).image if paper == "a4" else id_card(rng).image
    scores = []
    for background in ("wood", "plain-dark", "carpet", "plain-light"):
        scene = render_scene(document, (1280, 720), background, rng, CLEAN, tilt=50.0)
        found = detector.detect(scene.image)
        scores.append(0.0 if found is None else jaccard_in_document_frame(found.quad, scene.truth, (1280, 720)))
    assert min(scores) > 0.9 and np.mean(scores) > 0.95


def test_an_id_card_is_found(detector):
    rng = np.random.default_rng(5)
    scene = render_scene(id_card(rng).image, (1280, 720), "plain-dark", rng, CLEAN)
    found = detector.detect(scene.image)
    assert found is not None and jaccard_in_document_frame(found.quad, scene.truth, (1280, 720)) > 0.95


def _card_on_a_pile(seed: int):
    rng = np.random.default_rng(seed)
    card = id_card(rng, back=bool(seed % 2)).image
    return render_scene(card, (1280, 720), "paper-pile", rng, Conditions(noise=3.0, jpeg_quality=85))


@pytest.mark.parametrize("seed", [11, 31, 36])
def test_an_id_card_on_a_pile_of_papers_is_found_by_a_closer_look(detector, seed):
    """On these frames the first look's choice is not clear (it scores 0.72-0.82). On two it is partly off the
    card (Jaccard 0.84-0.88: a sheet beside it, or its print), and the closer looks (completed outlines, colour,
    hue) find the card itself; on the third, the close snap of a dozen hypotheses finds it at the first look.
    Found at 0.94-0.99. The closer looks used to be taken only below 0.5, and the first choice stood (0.37-0.89)."""
    scene = _card_on_a_pile(seed)
    found = detector.detect(scene.image)
    assert found is not None and jaccard_in_document_frame(found.quad, scene.truth, (1280, 720)) > 0.93


@pytest.mark.parametrize("seed", [24, 25, 61])
def test_an_id_card_on_a_pile_of_papers_is_found_by_a_close_snap_of_many_hypotheses(detector, seed):
    """On these frames the card's outline is among the hypotheses, but a pixel or two off its edges and ranked
    below the four that were snapped; the close snap of a dozen brings it onto them. Snapping only the best four,
    the detector found a sheet beside the card or nothing (Jaccard 0.84, 0, 0.57)."""
    scene = _card_on_a_pile(seed)
    found = detector.detect(scene.image)
    assert found is not None and jaccard_in_document_frame(found.quad, scene.truth, (1280, 720)) > 0.95


@pytest.mark.parametrize("background", ["wood", "plain-dark", "plain-light", "carpet", "floral-cloth"])
def test_a_frame_without_a_page_gives_none(detector, background):
    rng = np.random.default_rng(21)
    table = BACKGROUNDS[background](1280, 720, rng)
    assert detector.detect(table) is None


def test_degenerate_images_give_none(detector):
    assert detector.detect(np.zeros((10, 10, 3), np.uint8)) is None
    assert detector.detect(np.full((480, 640, 3), 255, np.uint8)) is None
    assert detector.detect(np.zeros((480, 640, 3), np.uint8)) is None


def test_the_demo_camera_frames(detector):
    with open_source("demo", size=(1280, 720), frames=90, seed=4) as source:
        frames = list(source)[::15]
    for frame in frames:
        found = detector.detect(frame.image)
        assert found is not None
        assert jaccard_in_document_frame(found.quad, frame.truth, (1280, 720)) > 0.97
