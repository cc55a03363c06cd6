"""The generator's stack of printed papers under a page (the scanner benchmark's "page on a stack" line)."""

import numpy as np

from fieldkit.camera.paperwork import form_page, id_card
from fieldkit.camera.scenes import Stack, page_mask, place_page, plain, random_corners, render_scene, stack_under

SIZE = (640, 360)


def _sheets(rng, count=3):
    return [form_page(rng, 310, 438).image for _ in range(count)]


def test_the_stack_lies_under_the_page_and_shows_round_it():
    rng = np.random.default_rng(5)
    page = form_page(rng, 310, 438).image
    table = plain(*SIZE, rng)
    corners = random_corners(page.shape[0] / page.shape[1], SIZE, rng, fill=(0.5, 0.6))
    stacked = stack_under(table, corners, Stack(_sheets(rng)), rng)
    inside = page_mask(corners, SIZE) > 0
    # Paper round the page: the table changed near it, not far off (the sheets are about the page's size).
    near = page_mask((corners - corners.mean(axis=0)) * 1.6 + corners.mean(axis=0), SIZE) > 0
    changed = np.abs(stacked.astype(int) - table.astype(int)).max(axis=2) > 20
    assert changed[near & ~inside].mean() > 0.2
    far = page_mask((corners - corners.mean(axis=0)) * 3.0 + corners.mean(axis=0), SIZE) == 0
    assert changed[far].mean() < 0.02
    # The page on top hides the stack wholly: inside its outline (clear of the blended border), the frame is
    # the same as without the stack.
    core = page_mask((corners - corners.mean(axis=0)) * 0.97 + corners.mean(axis=0), SIZE) > 0
    on_stack, on_table = place_page(page, corners, stacked), place_page(page, corners, table)
    assert np.array_equal(on_stack[core], on_table[core])


def test_sheets_under_an_id_card_are_a4_sized_against_it():
    rng = np.random.default_rng(6)
    card = id_card(rng, width=400).image
    table = plain(*SIZE, rng)
    corners = random_corners(card.shape[0] / card.shape[1], SIZE, rng, fill=(0.3, 0.35))
    card_area = float((page_mask(corners, SIZE) > 0).sum())
    stacked = stack_under(table, corners, Stack(_sheets(rng, 1), scale=3.6), rng)
    paper = (np.abs(stacked.astype(int) - table.astype(int)).max(axis=2) > 20).sum()
    assert paper > 3 * card_area  # an A4 sheet is about 13 times a card; much of it runs out of the frame


def test_a_scene_with_a_stack_keeps_the_true_corners():
    rng = np.random.default_rng(7)
    page = form_page(rng, 310, 438).image
    scene = render_scene(page, SIZE, "wood", rng, stack=Stack(_sheets(rng)))
    assert scene.image.shape == (SIZE[1], SIZE[0], 3)
    assert scene.truth.shape == (4, 2)
    assert (scene.truth >= 0).all() and (scene.truth[:, 0] < SIZE[0]).all() and (scene.truth[:, 1] < SIZE[1]).all()
