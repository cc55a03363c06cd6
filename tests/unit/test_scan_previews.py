"""Previews of a document's pages for the checklist: real PDFs written by the scanner and by img2pdf, real image
files, and files no preview can be made of."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.camera.paperwork import form_page
from fieldkit.scanner.enhance import Mode
from fieldkit.scanner.pdf import build_pdf
from fieldkit.scanner.previews import page_previews
from tests.conftest import make_pdf
from tests.unit.test_scan_pdf import flat_page


@pytest.fixture(scope="module")
def form():
    return form_page(np.random.default_rng(1)).image[::2, ::2].copy()


@pytest.mark.parametrize("mode", [Mode.BW, Mode.GRAY, Mode.COLOR])
def test_each_page_of_a_scan_is_shown_small_and_looks_like_the_page(form, mode):
    other = form_page(np.random.default_rng(2)).image[::2, ::2].copy()
    pages = [flat_page(form, mode=mode).render(), flat_page(other, mode=mode).render()]
    data = build_pdf(pages, 10 * 2**20).data
    previews = page_previews(data, "application/pdf", height=72)
    assert len(previews) == 2
    assert all(p.shape[0] == 72 and p.ndim == 3 and p.dtype == np.uint8 for p in previews)
    assert previews[0].shape[1] < 72  # an A4 page stands upright
    # Each picture is its own page, in order: nearer the page it shows than the other page.
    expected = [_small_grey(page.pixels, previews[0].shape[1::-1]) for page in pages]
    shown = [cv2.cvtColor(p, cv2.COLOR_BGR2GRAY).astype(np.float32) for p in previews]
    for index in (0, 1):
        assert np.abs(shown[index] - expected[index]).mean() < np.abs(shown[index] - expected[1 - index]).mean()
        assert np.abs(shown[index] - expected[index]).mean() < 2


def _small_grey(pixels, size):
    grey = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA).astype(np.float32)


def test_only_the_first_pages_are_made():
    assert len(page_previews(make_pdf(9), "application/pdf", limit=4)) == 4


def test_an_image_file_is_its_own_page(form):
    ok, png = cv2.imencode(".png", form)
    assert ok
    (preview,) = page_previews(png.tobytes(), "image/png", height=50)
    assert preview.shape[0] == 50


def test_a_phone_photo_is_shown_the_way_it_was_taken(form):
    from PIL import Image

    portrait = form[: form.shape[0] // 2 * 2, :]  # taller than wide, as a page photographed upright
    exif = Image.Exif()
    exif[274] = 6  # stored sideways, to be turned clockwise
    stored = io.BytesIO()
    sideways = cv2.rotate(portrait, cv2.ROTATE_90_COUNTERCLOCKWISE)
    Image.fromarray(cv2.cvtColor(sideways, cv2.COLOR_BGR2RGB)).save(stored, "JPEG", quality=90, exif=exif)
    (preview,) = page_previews(stored.getvalue(), "image/jpeg", height=120)
    assert preview.shape[0] > preview.shape[1]
    assert preview.shape[1] == round(120 * portrait.shape[1] / portrait.shape[0])


def test_a_typed_pdf_without_pictures_has_no_preview():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer)
    assert page_previews(buffer.getvalue(), "application/pdf") == []


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["application/pdf", "image/jpeg", "image/png"]))
def test_no_file_makes_previews_fail(data, media_type):
    assert page_previews(data, media_type) == [] or all(p.ndim == 3 for p in page_previews(data, media_type))
