"""A webcam's white balance is not always right: under a warm bulb a white page comes out yellow, under a cool
tube bluish. The detector judges paper as light and colourless, so a cast can cost it the page. When the frame
as it is shows no clear page and has a cast, it looks again with the cast taken out (`white_balanced`)."""

from dataclasses import replace

import numpy as np
import pytest

from fieldkit.camera.paperwork import form_page
from fieldkit.camera.scenes import random_conditions, render_scene
from fieldkit.scanner.detect import PageDetector, has_cast, white_balanced
from fieldkit.scanner.geometry import jaccard_in_document_frame

SIZE = (1280, 720)
WARM_BULB = (0.62, 0.85, 1.0)  # blue, green, red gains: a room lit by a warm bulb, the camera set for daylight


def test_white_balance_makes_paper_in_a_cast_colourless_and_leaves_a_neutral_frame_alone():
    frame = np.full((180, 320, 3), 95, np.uint8)
    frame[30:150, 70:250] = 228  # a white page on a grey table
    warm = (frame * np.array(WARM_BULB)).astype(np.uint8)
    assert not has_cast(frame)
    assert white_balanced(frame) is frame
    assert has_cast(warm)
    paper, table = white_balanced(warm)[90, 160].astype(int), white_balanced(warm)[10, 10].astype(int)
    assert np.ptp(paper) <= 3 and np.ptp(table) <= 3  # both grey again: the cast was in the light, not in them
    assert np.ptp(warm[90, 160].astype(int)) > 80


# Scenes of the benchmark's generator (a form on a cloth or a pile of papers, random light, blur, noise and
# JPEG) under a warm bulb, where the frame as it is gives no page, or a wrong one. Found among 240 such scenes;
# on the rest the cast cost nothing or the first look already coped.
@pytest.mark.parametrize(("seed", "background"), [(79, "gingham-cloth"), (190, "paper-pile"), (221, "floral-cloth")])
def test_a_page_under_a_warm_bulb_is_found_once_the_cast_is_taken_out(seed, background):
    rng = np.random.default_rng(seed)
    page = form_page(rng, 1240, 1754).image
    conditions = replace(random_conditions(rng), cast=WARM_BULB)
    scene = render_scene(page, SIZE, background, rng, conditions)
    detector = PageDetector()

    def jaccard(found):
        return jaccard_in_document_frame(None if found is None else found.quad, scene.truth, SIZE)

    as_it_is = detector._detect(scene.image, None, None, True, balance=False)
    assert jaccard(as_it_is) < 0.5
    assert jaccard(detector.detect(scene.image)) > 0.95
