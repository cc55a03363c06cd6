"""The PDF opens, has the pages asked for, at the paper's size, with the right image filters."""

import io

import numpy as np
import pikepdf
import pytest
from pypdf import PdfReader

from fieldkit.camera.paperwork import form_page, id_card
from fieldkit.scanner.enhance import Mode
from fieldkit.scanner.pages import RenderedPage, ScannedPage
from fieldkit.scanner.paper import PAPERS
from fieldkit.scanner.pdf import PdfTooLarge, build_pdf

A4_POINTS = (595.28, 841.89)


def flat_page(image, paper="a4", mode=Mode.GRAY):
    """A page photographed exactly flat (the whole image is the page), so only the PDF step is tested."""
    height, width = image.shape[:2]
    quad = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
    return ScannedPage(image, quad, PAPERS[paper], mode, auto_rotate=False)


@pytest.fixture(scope="module")
def form():
    return form_page(np.random.default_rng(1)).image[::2, ::2].copy()  # ~75 dpi, as a webcam sees it


def filters_of(data):
    pdf = pikepdf.open(io.BytesIO(data))
    found = []
    for page in pdf.pages:
        for image in page.get_images().values():
            value = image.Filter
            found.append(str(value[0] if isinstance(value, pikepdf.Array) else value))
    return found


@pytest.mark.parametrize(
    ("mode", "expected"), [(Mode.BW, "/CCITTFaxDecode"), (Mode.GRAY, "/DCTDecode"), (Mode.COLOR, "/DCTDecode")]
)
def test_each_mode_embeds_its_codec(form, mode, expected):
    result = build_pdf([flat_page(form, mode=mode).render()] * 2, 10 * 2**20)
    reader = PdfReader(io.BytesIO(result.data))
    assert len(reader.pages) == 2 == result.pages
    for page in reader.pages:
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=0.1)
    assert filters_of(result.data) == [expected, expected]


def test_sizes_and_honest_dpi(form):
    result = build_pdf([flat_page(form, mode=Mode.BW).render(), flat_page(form).render()], 10 * 2**20)
    assert result.page_bytes[0] < 80_000 and result.page_bytes[1] < 300_000
    assert result.dpi == round(form.shape[1] / (210 / 25.4))  # what the pixels cover, not a pretended 300
    assert not result.near_limit


def test_a_black_and_white_page_is_finer_but_says_what_was_captured(form):
    """Thresholded on twice the pixels each way (for legibility), yet the document's DPI is the camera's:
    the finer raster adds no detail the camera did not see."""
    captured = flat_page(form).render()
    bw = flat_page(form, mode=Mode.BW).render()
    assert bw.dpi == captured.dpi < 100
    assert bw.pixels.shape[1] == pytest.approx(2 * captured.pixels.shape[1], abs=1)
    result = build_pdf([bw], 10 * 2**20)
    assert result.dpi == captured.dpi
    pdf = pikepdf.open(io.BytesIO(result.data))
    (image,) = pdf.pages[0].get_images().values()
    assert int(image.Width) == bw.pixels.shape[1]
    box = pdf.pages[0].mediabox
    assert (float(box[2]), float(box[3])) == pytest.approx(A4_POINTS, abs=0.1)


def test_an_id_card_page_is_the_card_size_and_pages_can_differ(form):
    card = id_card(np.random.default_rng(2)).image
    card_page = flat_page(card, "id-card", Mode.COLOR).render()
    assert card_page.size_mm == pytest.approx((85.6, 53.98))
    result = build_pdf([flat_page(form).render(), card_page], 10 * 2**20)
    boxes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(io.BytesIO(result.data)).pages]
    assert boxes[0] == pytest.approx(A4_POINTS, abs=0.1)
    assert boxes[1] == pytest.approx((242.65, 153.01), abs=0.1)


def test_alpha_is_flattened_on_white():
    import cv2

    from fieldkit.scanner.images import decode_image

    bgra = np.zeros((40, 30, 4), np.uint8)  # fully transparent black
    ok, data = cv2.imencode(".png", bgra)
    assert ok
    assert decode_image(data.tobytes(), "x.png").min() == 255


def test_the_size_limit_squeezes_then_refuses(form):
    page = flat_page(form, mode=Mode.COLOR).render()
    roomy = build_pdf([page], 10 * 2**20)
    squeezed = build_pdf([page], int(len(roomy.data) * 0.6))
    assert len(squeezed.data) <= len(roomy.data) * 0.6
    assert squeezed.near_limit
    with pytest.raises(PdfTooLarge) as caught:
        build_pdf([page] * 3, 3_000)
    assert caught.value.message.key == "error.scan.pdf_too_large"


def test_no_pages_is_a_clear_error():
    from fieldkit.core.errors import UserError

    with pytest.raises(UserError) as caught:
        build_pdf([], 10 * 2**20)
    assert caught.value.message.key == "error.scan.no_pages"


def test_rendered_page_type():
    page = RenderedPage(np.full((10, 7), 255, np.uint8), Mode.GRAY, (210.0, 297.0), 1, "a4")
    assert build_pdf([page], 2**20).pages == 1
