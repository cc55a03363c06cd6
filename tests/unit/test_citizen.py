from datetime import date

from fieldkit.core.cccd import Sex
from fieldkit.core.citizen import (
    citizen_from_text,
    citizen_problems,
    is_person_name,
    normalise_phone,
    parse_sex,
)
from tests.conftest import TODAY, an_citizen


def keys(problems):
    return sorted((p.where, p.message.key) for p in problems)


def test_valid_citizen():
    assert citizen_problems(an_citizen(), TODAY) == []


def test_phone_forms_people_type():
    assert normalise_phone("0912 345 678") == "0912345678"
    assert normalise_phone("+84 912.345.678") == "0912345678"
    assert normalise_phone("84912345678") == "0912345678"
    assert keys(citizen_problems(an_citizen(phone="12345"), TODAY)) == [("phone", "problem.phone.format")]


def test_names_take_letters_of_any_script_but_not_digits():
    assert is_person_name("Nguyễn Thị Minh Khai")
    assert is_person_name("H'Hen Niê")
    assert not is_person_name("Nguyễn Văn 2")
    assert keys(citizen_problems(an_citizen(full_name="An 123"), TODAY)) == [("full_name", "problem.name.chars")]


def test_dates_in_the_future_or_before_birth():
    future = an_citizen(date_of_birth=date(2027, 1, 1), id_number="001227012345")
    assert ("date_of_birth", "problem.date.future") in keys(citizen_problems(future, TODAY))
    early_issue = an_citizen(issue_date=date(1980, 1, 1))
    assert keys(citizen_problems(early_issue, TODAY)) == [("issue_date", "problem.date.before_birth")]


def test_required_fields():
    found = keys(citizen_problems(an_citizen(full_name="", date_of_birth=None, sex=None), TODAY))
    assert found == [
        ("date_of_birth", "problem.required"),
        ("full_name", "problem.required"),
        ("sex", "problem.required"),
    ]


def test_from_typed_text_keeps_what_it_can_and_reports_the_rest():
    citizen, problems = citizen_from_text(
        {
            "id_number": "001 090 012 345",
            "full_name": " nguyễn  văn an ",
            "date_of_birth": "1/2/1990",
            "sex": "nam",
            "issue_date": "32/13/2021",
        }
    )
    assert citizen.id_number == "001090012345" and citizen.full_name == "nguyễn văn an"
    assert citizen.date_of_birth == date(1990, 2, 1) and citizen.sex is Sex.MALE
    assert keys(problems) == [("issue_date", "problem.date.format")]


def test_sex_words():
    assert parse_sex("Nữ") is Sex.FEMALE and parse_sex("NU") is Sex.FEMALE and parse_sex("Nam") is Sex.MALE


def test_differences_and_update_keep_known_values():
    known = an_citizen()
    moved = an_citizen(permanent_address="Thôn 2, xã Quảng Thọ", phone="")
    assert known.differences(moved) == ["permanent_address"]
    merged = known.updated_from(moved)
    assert merged.permanent_address == "Thôn 2, xã Quảng Thọ" and merged.phone == known.phone


def test_dict_round_trip():
    citizen = an_citizen(old_id_number="123456789")
    assert type(citizen).from_dict(citizen.to_dict()) == citizen
