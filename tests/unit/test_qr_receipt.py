"""The receipt's QR code: small, and read back by our own reader, on paper and through a webcam."""

import xml.etree.ElementTree as ET
from dataclasses import replace

import cv2
import numpy as np
import pytest
import segno
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.core.dossier import Dossier
from fieldkit.qr import QrReader
from fieldkit.qr.receipt import ReceiptRef, parse_receipt, receipt_for, receipt_png, receipt_svg, receipt_text
from tests.conftest import NOW

UUID = "6daffac2-3b1e-4f7a-9c3e-2a1b0c9d8e7f"
REFS = [
    ReceiptRef(UUID, "1.004873"),
    ReceiptRef(UUID, "1.004873.000.00.00.H14", "000.00.12.H14-240315-00012"),
    ReceiptRef(UUID, "2.000815", "h14-abc/2024"),  # lower case kept as the portal gave it
]


@pytest.fixture(scope="module")
def reader():
    return QrReader.create()


@pytest.mark.parametrize("ref", REFS, ids=lambda r: r.procedure_code)
def test_the_png_reads_back_to_the_same_reference(reader, ref):
    codes = reader.read(receipt_png(ref))
    assert [c.text for c in codes] == [receipt_text(ref)]
    assert parse_receipt(codes[0].text) == ref


def test_a_receipt_photographed_with_a_webcam_reads_back(reader):
    ref = REFS[1]
    code = cv2.imdecode(np.frombuffer(receipt_png(ref, scale=8), np.uint8), cv2.IMREAD_GRAYSCALE)
    side = code.shape[0]
    corners = np.array([[500, 200], [500 + side * 0.45, 215], [495 + side * 0.43, 210 + side * 0.42],
                        [505, 200 + side * 0.44]], np.float32)  # fmt: skip
    homography = cv2.getPerspectiveTransform(
        np.array([[0, 0], [side, 0], [side, side], [0, side]], np.float32), corners
    )
    frame = cv2.warpPerspective(code, homography, (1280, 720), borderValue=110)
    frame = cv2.GaussianBlur(frame, (0, 0), 0.8)
    frame = cv2.imdecode(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 60])[1], cv2.IMREAD_COLOR)
    assert [parse_receipt(c.text) for c in reader.read(frame)] == [ref]


def test_the_text_is_compact_enough_for_a_receipt_printer():
    text = receipt_text(REFS[1])
    assert text == "FK1*6DAFFAC23B1E4F7A9C3E2A1B0C9D8E7F*1.004873.000.00.00.H14*000.00.12.H14-240315-00012"
    qr = segno.make_qr(text, error="m")
    assert qr.mode == "alphanumeric"  # 5.5 bits a character, not 8
    assert qr.version <= 6  # 41 modules: 2 cm wide at 2 modules a millimetre


def test_the_svg_is_a_well_formed_drawing_of_the_same_symbol():
    ref = REFS[0]
    root = ET.fromstring(receipt_svg(ref, scale=4))
    assert root.tag.endswith("svg")
    modules = segno.make_qr(receipt_text(ref), error="m").symbol_size(scale=4, border=4)
    assert (float(root.get("width")), float(root.get("height"))) == modules
    assert root.find("{http://www.w3.org/2000/svg}path") is not None


def test_a_dossier_gives_its_own_reference():
    dossier = replace(Dossier.new("1.004873", "001090012345", "tester", NOW, uuid=UUID), portal_code="X-1")
    assert receipt_for(dossier) == ReceiptRef(UUID, "1.004873", "X-1")


@pytest.mark.parametrize(
    "text",
    [
        "FK2*6DAFFAC23B1E4F7A9C3E2A1B0C9D8E7F*1.004873",
        "FK1*not-a-uuid*1.004873",
        "FK1*6DAFFAC23B1E4F7A9C3E2A1B0C9D8E7F*hello",
        "FK1*6DAFFAC23B1E4F7A9C3E2A1B0C9D8E7F",
        "FK1*6DAFFAC23B1E4F7A9C3E2A1B0C9D8E7F*1.004873*A*B",
        "1.004873",
    ],
)
def test_other_texts_are_not_receipts(text):
    assert parse_receipt(text) is None


def test_a_code_with_a_space_or_star_cannot_go_on_a_receipt():
    with pytest.raises(ValueError):
        receipt_text(ReceiptRef(UUID, "1.004873", "A*B"))


@given(st.text(max_size=120))
def test_parsing_never_crashes(text):
    ref = parse_receipt(text)
    assert ref is None or parse_receipt(receipt_text(ref)) == ref
