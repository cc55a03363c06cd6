"""Vietnamese text out of QR codes: zbar's real mojibake, and a repair that never touches right text."""

import numpy as np
import pytest
import segno
from hypothesis import given
from hypothesis import strategies as st
from pyzbar import pyzbar

from fieldkit.qr.charset import VIETNAMESE_LETTERS, looks_garbled, repair_mojibake, text_from_bytes
from fieldkit.qr.democard import render_qr
from fieldkit.qr.engines import ZbarEngine, ZxingEngine

LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"


@pytest.mark.parametrize(
    ("name", "garbled"),
    [
        ("Lê Hà", "LÃª HÃ\xa0"),  # read as Latin-1, the QR default when there is no ECI marker
        ("Vũ Hải Yến", "V觼 H廕ξ Y廕積"),  # read as Big5
        ("Lê Văn Tám", "Lﾃｪ Vﾄハ Tﾃ｡m"),  # read as Shift-JIS
    ],
)
def test_pyzbar_garbles_utf8_without_eci_and_we_repair_it(name, garbled):
    image = render_qr(name, module_px=4, eci=False)
    read = pyzbar.decode(image)[0].data.decode("utf-8")  # what pyzbar's own API hands back
    assert read == garbled
    assert repair_mojibake(read) == name


def test_with_an_eci_marker_pyzbar_is_right_and_the_repair_leaves_it_alone():
    image = render_qr("Lê Hà", module_px=4, eci=True)
    read = pyzbar.decode(image)[0].data.decode("utf-8")
    assert read == "Lê Hà" == repair_mojibake(read)


def test_our_zbar_engine_asks_for_raw_bytes_and_gets_the_text_right():
    zbar = ZbarEngine.load()
    assert zbar is not None and zbar.binary  # zbar >= 0.23, as Debian 12 ships
    for name in ("Lê Hà", "Vũ Hải Yến", "Lý Sơn", "Trương Thị Phường"):
        found = zbar.read(render_qr(name, module_px=4, eci=False))
        assert [f.text for f in found] == [name]


def test_zxing_raw_bytes_win_over_its_kanji_guess():
    """segno writes these UTF-8 bytes in Kanji mode (they are valid Shift-JIS), so zxing reads kanji."""
    qr = segno.make_qr("Ệx", encoding="utf-8")
    assert qr.mode == "kanji"
    modules = np.pad(np.array(qr.matrix, np.uint8), 4)
    image = np.kron(np.where(modules > 0, 0, 255).astype(np.uint8), np.ones((4, 4), np.uint8))
    assert [f.text for f in ZxingEngine().read(image)] == ["Ệx"]


@given(st.text(alphabet=LETTERS + LETTERS.upper() + " ,.-/0123456789", min_size=1, max_size=60))
def test_the_repair_undoes_every_latin1_and_cp1252_misreading(text):
    for charset in ("latin-1", "cp1252"):
        try:
            garbled = text.encode("utf-8").decode(charset)
        except UnicodeDecodeError:
            continue
        assert repair_mojibake(garbled) == text


@given(st.text(max_size=80))
def test_text_that_was_right_is_never_repaired(text):
    """Any text without mojibake characters is returned unchanged, Vietnamese or not."""
    if all(ch.isascii() or ch in VIETNAMESE_LETTERS for ch in text):
        assert repair_mojibake(text) == text


@pytest.mark.parametrize(
    "text",
    ["Ñandú", "Müller & Söhne", "東京都", "Привет", "© 2024 — «Phòng» ½", "caf\u00e9", "Ã", "Hà Nội", "€"],
)
def test_real_text_in_other_languages_is_left_alone(text):
    assert repair_mojibake(text) == text


def test_raw_bytes_decode_as_utf8_first_then_the_standard_latin1():
    assert text_from_bytes("Trần Thị Hoa".encode()) == "Trần Thị Hoa"
    assert text_from_bytes(b"caf\xe9") == "café"  # not UTF-8: Latin-1, the QR standard's default
    # A reader's guess at a charset gives way to valid UTF-8; an ECI-declared text that differs stays.
    assert text_from_bytes("Lê".encode(), "LÃª") == "Lê"
    assert text_from_bytes("東京".encode(), "東京") == "東京"


def test_leftovers_of_an_undoable_guess_are_spotted():
    assert looks_garbled("L羸 S\uf6b1n")  # glibc Big5 put ư in the private-use area
    assert looks_garbled("abc\x85") and looks_garbled("a\ufffdb")
    assert not looks_garbled("Trương Thị Phường, 東京")
