"""Declaration fields (the "tờ khai") and how a typed value is checked and stored."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from fieldkit.core.cccd import compact_number, id_number_problems
from fieldkit.core.citizen import is_person_name, normalise_phone
from fieldkit.core.dates import parse_date
from fieldkit.core.errors import Problem
from fieldkit.core.text import clean

FIELD_TYPES = (
    "text",
    "textarea",
    "person_name",
    "date",
    "choice",
    "id_number",
    "phone",
    "number",
    "email",
    "boolean",
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TRUE = {"1", "true", "yes", "co", "có", "x"}
_FALSE = {"0", "false", "no", "khong", "không", ""}


@dataclass(frozen=True)
class Label:
    vi: str
    en: str

    def in_language(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.vi


@dataclass(frozen=True)
class Choice:
    value: str
    label: Label


@dataclass(frozen=True)
class DeclarationField:
    name: str
    label: Label
    type: str = "text"
    required: bool = False
    choices: tuple[Choice, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_hint: Label | None = None
    minimum: float | None = None
    maximum: float | None = None
    not_future: bool = False
    # A field of the applicant to fill this from ("declare once"), e.g. "full_name".
    prefill: str | None = None
    help: Label | None = None
    extra: dict = field(default_factory=dict, compare=False)


def check_value(spec: DeclarationField, raw: str | None, today: date) -> tuple[str, list[Problem]]:
    """Return the value as stored (NFC, canonical dates/phones/numbers) and what is wrong with it."""
    value = clean(raw)
    if not value:
        return "", ([Problem.of(spec.name, "problem.required")] if spec.required else [])
    checker = _CHECKERS[spec.type]
    stored, problems = checker(spec, value, today)
    if not problems:
        problems = _length_and_pattern(spec, stored)
    return stored, problems


def _length_and_pattern(spec: DeclarationField, value: str) -> list[Problem]:
    if spec.min_length is not None and len(value) < spec.min_length:
        return [Problem.of(spec.name, "problem.text.too_short", minimum=spec.min_length)]
    if spec.max_length is not None and len(value) > spec.max_length:
        return [Problem.of(spec.name, "problem.text.too_long", maximum=spec.max_length)]
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        return [Problem.of(spec.name, "problem.pattern", hint=spec.pattern_hint or Label("", ""))]
    return []


def _text(spec, value, today):
    return value, []


def _person_name(spec, value, today):
    return value, ([] if is_person_name(value) else [Problem.of(spec.name, "problem.name.chars")])


def _date(spec, value, today):
    try:
        parsed = parse_date(value)
    except ValueError:
        return value, [Problem.of(spec.name, "problem.date.format", value=value)]
    if spec.not_future and parsed > today:
        return parsed.isoformat(), [Problem.of(spec.name, "problem.date.future")]
    if parsed.year < 1900:
        return parsed.isoformat(), [Problem.of(spec.name, "problem.date.too_old")]
    return parsed.isoformat(), []


def _choice(spec, value, today):
    for choice in spec.choices:
        if value in (choice.value, choice.label.vi, choice.label.en):
            return choice.value, []
    allowed = ", ".join(c.value for c in spec.choices)
    return value, [Problem.of(spec.name, "problem.choice", allowed=allowed)]


def _id_number(spec, value, today):
    number = compact_number(value)
    return number, id_number_problems(number, where=spec.name)


def _phone(spec, value, today):
    phone = normalise_phone(value)
    ok = re.fullmatch(r"0\d{9,10}", phone)
    return phone, ([] if ok else [Problem.of(spec.name, "problem.phone.format")])


def _number(spec, value, today):
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return value, [Problem.of(spec.name, "problem.number.format")]
    if spec.minimum is not None and number < spec.minimum:
        return value, [Problem.of(spec.name, "problem.number.too_small", minimum=spec.minimum)]
    if spec.maximum is not None and number > spec.maximum:
        return value, [Problem.of(spec.name, "problem.number.too_large", maximum=spec.maximum)]
    stored = str(int(number)) if number.is_integer() else str(number)
    return stored, []


def _email(spec, value, today):
    return value, ([] if _EMAIL.fullmatch(value) else [Problem.of(spec.name, "problem.email.format")])


def _boolean(spec, value, today):
    folded = value.casefold()
    if folded in _TRUE:
        return "true", []
    if folded in _FALSE:
        return "false", []
    return value, [Problem.of(spec.name, "problem.boolean.format")]


_CHECKERS = {
    "text": _text,
    "textarea": _text,
    "person_name": _person_name,
    "date": _date,
    "choice": _choice,
    "id_number": _id_number,
    "phone": _phone,
    "number": _number,
    "email": _email,
    "boolean": _boolean,
}
assert set(_CHECKERS) == set(FIELD_TYPES)
