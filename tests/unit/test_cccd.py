from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.core.cccd import Sex, id_number_problems, old_id_number_problems, provinces


def keys(problems):
    return [p.message.key for p in problems]


def make_id(province: str, born: date, sex: Sex, tail: str = "012345") -> str:
    digit = 2 * ((born.year - 1900) // 100) + (1 if sex is Sex.FEMALE else 0)
    return f"{province}{digit}{born.year % 100:02d}{tail}"


def test_valid_number_has_no_problems():
    assert id_number_problems("001090012345", date_of_birth=date(1990, 2, 1), sex=Sex.MALE) == []
    assert id_number_problems("079301012345", date_of_birth=date(2001, 5, 5), sex=Sex.FEMALE) == []


def test_spaces_and_dots_typed_inside_are_tolerated():
    assert id_number_problems(" 001 090 012.345 ") == []


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("", "problem.required"),
        ("00109001234A", "problem.id.not_digits"),
        ("0010900123", "problem.id.length"),
        ("123456789", "problem.id.looks_like_cmnd"),
        ("003090012345", "problem.id.province_unknown"),
    ],
)
def test_malformed_numbers(number, key):
    assert keys(id_number_problems(number)) == [key]


def test_abroad_country_code_is_not_a_province_problem():
    assert id_number_problems("840090012345") == []


def test_sex_digit_disagreement_names_the_digit_and_both_sexes():
    [problem] = id_number_problems("001190012345", date_of_birth=date(1990, 1, 1), sex=Sex.MALE)
    assert problem.message.key == "problem.id.sex_mismatch"
    assert problem.message.params["digit"] == 1
    assert problem.message.params["id_sex"].key == "sex.nu"
    assert problem.message.params["sex"].key == "sex.nam"


def test_century_disagreement():
    problems = id_number_problems("001290012345", date_of_birth=date(1990, 1, 1), sex=Sex.MALE)
    assert keys(problems) == ["problem.id.century_mismatch"]
    assert problems[0].message.params["start"] == 2000


def test_birth_year_digits_disagreement():
    problems = id_number_problems("001091012345", date_of_birth=date(1990, 1, 1), sex=Sex.MALE)
    assert keys(problems) == ["problem.id.year_mismatch"]
    assert problems[0].message.params["expected"] == "90"


def test_old_cmnd_is_optional_but_nine_digits_when_given():
    assert old_id_number_problems("") == []
    assert old_id_number_problems("123456789") == []
    assert keys(old_id_number_problems("12345")) == ["problem.cmnd.format"]


def test_province_table_has_the_63_provinces():
    table = provinces()
    assert len(table) == 63
    assert table["001"] == "Hà Nội" and table["079"] == "Hồ Chí Minh" and table["046"] == "Thừa Thiên Huế"


born = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
province = st.sampled_from(sorted(provinces()))
sexes = st.sampled_from(list(Sex))
tails = st.text(alphabet="0123456789", min_size=6, max_size=6)


@given(province, born, sexes, tails)
def test_numbers_built_by_the_rules_are_valid(prov, dob, sex, tail):
    assert id_number_problems(make_id(prov, dob, sex, tail), date_of_birth=dob, sex=sex) == []


@given(province, born, sexes, tails)
def test_the_other_sex_is_always_caught(prov, dob, sex, tail):
    other = Sex.FEMALE if sex is Sex.MALE else Sex.MALE
    number = make_id(prov, dob, sex, tail)
    assert "problem.id.sex_mismatch" in keys(id_number_problems(number, date_of_birth=dob, sex=other))


@given(province, born, born, sexes, tails)
def test_another_birth_year_is_caught(prov, dob, other_dob, sex, tail):
    number = make_id(prov, dob, sex, tail)
    found = keys(id_number_problems(number, date_of_birth=other_dob, sex=sex))
    if other_dob.year == dob.year:
        assert found == []
    else:
        assert {"problem.id.year_mismatch", "problem.id.century_mismatch"} & set(found)


@given(st.text())
def test_any_text_gives_problems_not_exceptions(text):
    assert isinstance(id_number_problems(text), list)
