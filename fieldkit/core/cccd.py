"""The 12-digit personal ID number (CCCD / Căn cước) and its rules.

Digits 1-3: province of birth registration (a first digit other than 0 is a country code for people born
abroad); digit 4: century and sex (0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s...); digits 5-6: the
last two digits of the birth year; digits 7-12: random. No check digit.
(Circular 59/2021/TT-BCA art. 4; Decree 137/2015 art. 13.)
"""

from __future__ import annotations

import json
import re
from datetime import date
from enum import Enum
from functools import cache

from fieldkit.core.errors import Msg, Problem
from fieldkit.core.resources import resource_path

_NOT_DIGIT = re.compile(r"[\s.\-]")


class Sex(Enum):
    MALE = "nam"
    FEMALE = "nu"

    @property
    def label_key(self) -> str:
        return f"sex.{self.value}"

    @property
    def portal_text(self) -> str:
        return "Nam" if self is Sex.MALE else "Nữ"


@cache
def provinces() -> dict[str, str]:
    """Province codes of ID numbers, from `resources/data/provinces.json` (a province may extend it)."""
    with resource_path("data", "provinces.json").open(encoding="utf-8") as fh:
        return dict(json.load(fh)["provinces"])


def compact_number(text: str) -> str:
    """Drop the spaces, dots and dashes people type inside ID numbers."""
    return _NOT_DIGIT.sub("", text or "")


def id_number_problems(
    number: str,
    *,
    date_of_birth: date | None = None,
    sex: Sex | None = None,
    where: str = "id_number",
) -> list[Problem]:
    """Everything wrong with a 12-digit ID number, alone and against the holder's birth date and sex."""
    number = compact_number(number)
    if not number:
        return [Problem.of(where, "problem.required")]
    if not number.isdigit():
        return [Problem.of(where, "problem.id.not_digits")]
    if len(number) != 12:
        key = "problem.id.looks_like_cmnd" if len(number) == 9 else "problem.id.length"
        return [Problem.of(where, key, length=len(number))]
    problems = []
    province = number[:3]
    if province.startswith("0") and province not in provinces():
        problems.append(Problem.of(where, "problem.id.province_unknown", code=province))
    digit = int(number[3])
    id_sex = Sex.FEMALE if digit % 2 else Sex.MALE
    century_start = 1900 + 100 * (digit // 2)
    if sex is not None and sex is not id_sex:
        problems.append(
            Problem.of(where, "problem.id.sex_mismatch", digit=digit, id_sex=_sex_msg(id_sex), sex=_sex_msg(sex))
        )
    if date_of_birth is not None:
        year = date_of_birth.year
        if not century_start <= year < century_start + 100:
            problems.append(
                Problem.of(
                    where,
                    "problem.id.century_mismatch",
                    digit=digit,
                    start=century_start,
                    end=century_start + 99,
                    year=year,
                )
            )
        if number[4:6] != f"{year % 100:02d}":
            problems.append(
                Problem.of(
                    where,
                    "problem.id.year_mismatch",
                    digits=number[4:6],
                    year=year,
                    expected=f"{year % 100:02d}",
                )
            )
    return problems


def old_id_number_problems(number: str, where: str = "old_id_number") -> list[Problem]:
    """The old CMND is optional; when given it has 9 digits (or the 12 of the 2012-2016 card)."""
    number = compact_number(number)
    if number and not (number.isdigit() and len(number) in (9, 12)):
        return [Problem.of(where, "problem.cmnd.format")]
    return []


def _sex_msg(sex: Sex) -> Msg:
    return Msg.of(sex.label_key)
