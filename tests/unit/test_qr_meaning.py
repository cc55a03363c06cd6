"""What a code means: a card becomes a citizen (found again, disagreements spelled out), a poster a procedure."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.core.catalog import catalog_files, load_catalog
from fieldkit.core.cccd import Sex
from fieldkit.core.errors import ValidationError
from fieldkit.core.i18n import Translator
from fieldkit.core.resources import resource_path
from fieldkit.qr import CardReading, ProcedureReading, ReceiptReading, TextReading, interpret, warnings_of
from fieldkit.qr.meaning import procedure_code_in
from fieldkit.qr.receipt import ReceiptRef, receipt_text
from fieldkit.storage.citizen_service import CitizenService
from tests.conftest import TODAY, an_citizen

ADDRESS = "Số 5, ngõ 12, phường Trúc Bạch, Hà Nội"
NEW_ADDRESS = "Thôn Phú Lương, xã Phong Hiền, huyện Phong Điền, tỉnh Thừa Thiên Huế"


def card_text(*, number="001090012345", old="123456789", name="Nguyễn Văn An", born="01021990", sex="Nam",
              address=ADDRESS, issued="15082021", fields=7, expiry="15082036") -> str:  # fmt: skip
    parts = [number, old, name, born, sex, address, issued]
    if fields == 6:
        parts.pop(1)
    if fields >= 8:
        parts.append(expiry)
    return "|".join(parts)


def read(text, kit):
    return interpret(text, catalog=kit.catalog, today=TODAY, citizens=kit.citizens)


@pytest.mark.parametrize("fields", [6, 7, 8])
def test_every_card_variant_becomes_a_citizen(kit, fields):
    reading = read(card_text(fields=fields), kit)
    assert isinstance(reading, CardReading) and reading.kind == "citizen"
    c = reading.citizen
    assert (c.id_number, c.full_name, c.date_of_birth, c.sex) == ("001090012345", "Nguyễn Văn An", date(1990, 2, 1),
                                                                  Sex.MALE)  # fmt: skip
    assert c.permanent_address == ADDRESS and c.issue_date == date(2021, 8, 15)
    assert c.old_id_number == ("" if fields == 6 else "123456789")
    assert reading.card.expiry_date == (date(2036, 8, 15) if fields == 8 else None)
    assert reading.known is None and reading.card.problems == [] and warnings_of(reading) == []


def test_a_byte_order_mark_from_the_generator_does_not_hide_the_number(kit):
    assert read("\ufeff" + card_text(), kit).citizen.id_number == "001090012345"


def test_a_known_citizen_is_found_and_the_new_address_is_shown(kit):
    CitizenService(kit, "tester").save(an_citizen())
    reading = read(card_text(old="", address=NEW_ADDRESS), kit)
    assert reading.known == an_citizen().normalised()
    assert reading.differences == ("permanent_address",)  # the phone is not on the card: not a difference
    [warning] = warnings_of(reading)
    assert Translator("en").problem(warning) == (
        "This citizen is already known; the QR code has new details in: Permanent address. Check them before updating."
    )
    # The worker accepts the update: one record, with the new address and the phone kept.
    saved = CitizenService(kit, "tester").save(reading.citizen, update=True)
    assert not saved.created and saved.changed == ("permanent_address",)
    assert kit.citizens.search("nguyen van an") == [saved.citizen]
    assert saved.citizen.phone == "0912345678" and saved.citizen.permanent_address == NEW_ADDRESS


def test_the_same_card_again_is_known_with_nothing_new(kit):
    CitizenService(kit, "tester").save(an_citizen())
    reading = read(card_text(old=""), kit)
    assert reading.known is not None and reading.differences == ()


def test_digits_disagreeing_with_the_card_are_spelled_out_and_the_worker_decides(kit):
    # Digit 4 (0) says a man born in the 1900s; digits 5-6 (90) say 1990. The card says: a woman born in 2003.
    reading = read(card_text(sex="Nữ", born="01022003"), kit)
    assert reading.citizen.sex is Sex.FEMALE and reading.citizen.date_of_birth == date(2003, 2, 1)  # as printed
    tr = Translator("en")
    assert [tr.problem(p) for p in reading.mismatches] == [
        "Personal ID number: The ID number's 4th digit (0) means male, but the sex given is female.",
        "Personal ID number: The ID number's 4th digit (0) means born between 1900 and 1999, but the birth year is "
        "2003.",
        "Personal ID number: The ID number's 5th and 6th digits (90) must be the last two digits of the birth year "
        "2003: 03.",
    ]
    assert reading.blocking == [] and warnings_of(reading) == reading.mismatches
    service = CitizenService(kit, "tester")
    with pytest.raises(ValidationError):
        service.save(reading.citizen)  # never silently accepted...
    assert service.save(reading.citizen, accept_mismatch=True).created  # ...but the card is the authority


def test_a_card_missing_a_field_is_not_dropped_but_cannot_be_saved_as_is(kit):
    reading = read(card_text(born="31021990"), kit)  # no 31 February
    assert isinstance(reading, CardReading)
    assert any(p.where == "date_of_birth" for p in reading.blocking)
    assert reading.card.unparsed  # and the field that did not fit is named


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1.004873", "1.004873"),
        (" 1.004873.000.00.00.H14\n", "1.004873.000.00.00.H14"),
        ("https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.004873",
         "1.004873"),
        ("https://dichvucong.thuathienhue.gov.vn/thu-tuc?maTTHC=1.004873.000.00.00.H57&tab=2",
         "1.004873.000.00.00.H57"),
        ("http://dvc.example.gov.vn/thu-tuc/1.001193.html", "1.001193"),
        ("www.dichvucong.gov.vn/tthc/2.002913/chi-tiet", "2.002913"),
        ("https://example.gov.vn/?q=Th%E1%BB%A7%20t%E1%BB%A5c%201.004222", "1.004222"),
    ],
)  # fmt: skip
def test_procedure_codes_and_portal_links_select_the_procedure(kit, text, code):
    reading = read(text, kit)
    assert isinstance(reading, ProcedureReading) and reading.code == code
    assert reading.procedure is not None and reading.procedure.code == code[:8]
    assert warnings_of(reading) == []


def test_an_unknown_code_says_so(kit):
    reading = read("1.999999.000.00.00.H14", kit)
    assert isinstance(reading, ProcedureReading) and reading.procedure is None
    [warning] = warnings_of(reading)
    assert (
        Translator("vi")
        .problem(warning)
        .startswith(
            "Mã thủ tục 1.999999.000.00.00.H14 không có trong danh mục của bộ công cụ này (mã quốc gia 1.999999)."
        )
    )


def test_a_receipt_is_recognised(kit):
    ref = ReceiptRef("6daffac2-3b1e-4f7a-9c3e-2a1b0c9d8e7f", "1.004873", "000.00.12.H14-240315-00012")
    reading = read(receipt_text(ref), kit)
    assert isinstance(reading, ReceiptReading) and reading.receipt == ref
    assert reading.procedure is not None and reading.procedure.code == "1.004873"


@pytest.mark.parametrize(
    "text",
    [
        "Xin chào",
        "https://zalo.me/0912345678",
        "Lệ phí 1.000000 đồng",  # a number that looks like a code, in a sentence
        "11.004873",
        "1.0048731",
        "WIFI:S:Nha van hoa;T:WPA;P:12345678;;",
        "",
    ],
)
def test_anything_else_is_text(kit, text):
    reading = read(text, kit)
    assert isinstance(reading, TextReading) and reading.text == text and warnings_of(reading) == []


CATALOG = load_catalog(catalog_files(resource_path("catalog")))


@given(st.one_of(st.text(max_size=200), st.from_regex(r"\A(https?://[a-z.]+/)?[0-9.|a-zA-Z?=&]{0,40}\Z")))
def test_any_text_has_exactly_one_meaning(text):
    reading = interpret(text, catalog=CATALOG, today=TODAY)
    assert reading.kind in ("citizen", "procedure", "receipt", "text")
    if isinstance(reading, ProcedureReading):
        assert reading.code == procedure_code_in(text)
