import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.core.cccd import Sex, provinces
from fieldkit.core.cccd_qr import NotCccdPayload, parse_cccd_qr
from tests.conftest import TODAY
from tests.unit.test_cccd import make_id

ADDRESS = "Thôn Phú Lương, xã Phong Hiền, huyện Phong Điền, tỉnh Thừa Thiên Huế"
SEVEN = f"046158001234|191234567|Trần Thị Hoa|12031958|Nữ|{ADDRESS}|10052021"


def test_seven_field_payload_of_the_2021_card():
    card = parse_cccd_qr(SEVEN, TODAY)
    c = card.citizen
    assert (c.id_number, c.old_id_number, c.full_name) == ("046158001234", "191234567", "Trần Thị Hoa")
    assert c.date_of_birth == date(1958, 3, 12) and c.sex is Sex.FEMALE
    assert c.permanent_address == ADDRESS and c.issue_date == date(2021, 5, 10)
    assert card.unparsed == [] and card.problems == [] and card.field_count == 7


def test_seven_fields_with_empty_old_number():
    card = parse_cccd_qr(f"046158001234||Trần Thị Hoa|12031958|Nữ|{ADDRESS}|10052021", TODAY)
    assert card.citizen.old_id_number == "" and card.unparsed == []


def test_six_field_payload_without_old_number():
    card = parse_cccd_qr(f"046158001234|Trần Thị Hoa|12031958|Nữ|{ADDRESS}|10052021", TODAY)
    assert card.citizen.full_name == "Trần Thị Hoa" and card.citizen.issue_date == date(2021, 5, 10)
    assert card.unparsed == []


def test_eight_field_payload_carries_the_expiry_and_reports_what_else_it_has():
    card = parse_cccd_qr(SEVEN + "|12032033|Mã lạ", TODAY)
    assert card.expiry_date == date(2033, 3, 12)
    assert [p.where for p in card.unparsed] == ["qr[9]"]


def test_stray_whitespace_newlines_and_decomposed_letters():
    messy = unicodedata.normalize(
        "NFD", " 046158001234 | 191234567 |  Trần   Thị Hoa|12031958| Nữ |" + ADDRESS + "|10052021\r\n"
    )
    card = parse_cccd_qr(messy, TODAY)
    assert card.citizen.full_name == "Trần Thị Hoa"
    assert unicodedata.is_normalized("NFC", card.citizen.permanent_address)
    assert card.unparsed == []


def test_a_field_that_does_not_parse_is_reported_not_guessed():
    card = parse_cccd_qr(f"046158001234|191234567|Trần Thị Hoa|31021958|Nữ|{ADDRESS}|10052021", TODAY)
    assert card.citizen.date_of_birth is None
    where = [p.where for p in card.unparsed]
    assert "date_of_birth" in where or "qr[4]" in where
    assert any(p.where == "date_of_birth" and p.message.key == "problem.required" for p in card.problems)


def test_digits_disagreeing_with_the_card_are_problems_to_show():
    card = parse_cccd_qr(f"046158001234|191234567|Trần Thị Hoa|12031958|Nam|{ADDRESS}|10052021", TODAY)
    assert [p.message.key for p in card.problems] == ["problem.id.sex_mismatch"]
    assert card.citizen.sex is Sex.MALE  # kept as the card says; the worker decides


@pytest.mark.parametrize(
    "text",
    [
        "",
        "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.004873",
        "1.004873",
        "a|b|c|d|e|f",
        "|||||||",
    ],
)
def test_other_codes_are_not_cccd(text):
    with pytest.raises(NotCccdPayload):
        parse_cccd_qr(text, TODAY)


LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
word = st.text(alphabet=LETTERS, min_size=1, max_size=8).map(str.capitalize)
person_name = (
    st.lists(word, min_size=2, max_size=4).map(" ".join).filter(lambda n: n.lower() not in ("nam", "nu", "nữ"))
)
address = st.lists(st.text(alphabet=LETTERS + "0123456789,/-", min_size=1, max_size=10), min_size=2, max_size=8).map(
    " ".join
)
space = st.sampled_from(["", " ", "  ", "\t"])


@given(
    st.sampled_from(sorted(provinces())),
    st.dates(min_value=date(1920, 1, 1), max_value=date(2010, 12, 31)),
    st.sampled_from(list(Sex)),
    person_name,
    address,
    st.sampled_from([6, 7, 8]),
    space,
    space,
)
def test_round_trip_of_every_variant(prov, dob, sex, name, addr, variant, left, right):
    number = make_id(prov, dob, sex)
    fields = [number, "", name, dob.strftime("%d%m%Y"), sex.portal_text, addr, "15082021"]
    if variant == 6:
        fields.pop(1)
    if variant == 8:
        fields.append("15082036")
    payload = "|".join(f"{left}{f}{right}" for f in fields)
    card = parse_cccd_qr(payload, TODAY)
    c = card.citizen
    assert (c.id_number, c.full_name, c.date_of_birth, c.sex) == (number, " ".join(name.split()), dob, sex)
    assert c.permanent_address == " ".join(addr.split())
    assert c.issue_date == date(2021, 8, 15)
    assert card.unparsed == []
    assert card.problems == []


@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(text):
    try:
        card = parse_cccd_qr(text, TODAY)
    except NotCccdPayload:
        return
    assert len(card.citizen.id_number) == 12


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="|"), max_size=20), min_size=5, max_size=12))
def test_arbitrary_fields_after_a_valid_id_never_crash(fields):
    card = parse_cccd_qr("|".join(["001090012345", *fields]), TODAY)
    assert card.citizen.id_number == "001090012345"
