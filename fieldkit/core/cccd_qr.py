"""Reading the QR code printed on the chip ID card.

The 2021 card prints `ID(12)|old CMND(9, may be empty)|Full name|DOB ddmmyyyy|Sex|Permanent address|Issue
date ddmmyyyy`; cards with 6 fields (no CMND) and 8+ fields (expiry and more) are seen in the wild, and the
2024 card's order is unconfirmed. So each field is read by checking what it looks like, in the expected
order, and whatever does not fit is reported rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from fieldkit.core.cccd import compact_number
from fieldkit.core.citizen import Citizen, citizen_problems, is_person_name, parse_sex
from fieldkit.core.dates import parse_date
from fieldkit.core.errors import Problem, UserError
from fieldkit.core.text import clean

_EIGHT_DIGITS = re.compile(r"\d{8}")


class NotCccdPayload(UserError):
    """The text is not an ID card's QR payload (it may be a link or a procedure code)."""

    key = "error.qr.not_cccd"


@dataclass(frozen=True)
class CccdCard:
    """What the card's QR said, the citizen made of it, and what did not fit."""

    citizen: Citizen
    expiry_date: date | None = None
    field_count: int = 0
    # Fields that could not be read: worth showing, never silently dropped.
    unparsed: list[Problem] = field(default_factory=list)
    # The ID number's digits against the card's own birth date and sex, and the other citizen rules.
    problems: list[Problem] = field(default_factory=list)


def _is_id12(value: str) -> bool:
    number = compact_number(value)
    return len(number) == 12 and number.isdigit()


def _is_old_id(value: str) -> bool:
    number = compact_number(value)
    return value == "" or (number.isdigit() and len(number) in (9, 12))


def _is_date(value: str) -> bool:
    if not _EIGHT_DIGITS.fullmatch(value):
        return False
    try:
        parse_date(value)
    except ValueError:
        return False
    return True


def _is_sex(value: str) -> bool:
    try:
        parse_sex(value)
    except ValueError:
        return False
    return True


def _is_address(value: str) -> bool:
    return bool(value) and not _is_date(value) and not _is_sex(value)


@dataclass(frozen=True)
class _Slot:
    name: str
    accepts: Callable[[str], bool]
    optional: bool = False


_SLOTS = (
    _Slot("id_number", _is_id12),
    _Slot("old_id_number", _is_old_id, optional=True),
    _Slot("full_name", lambda v: is_person_name(v) and not _is_sex(v)),
    _Slot("date_of_birth", _is_date),
    _Slot("sex", _is_sex),
    _Slot("permanent_address", _is_address),
    _Slot("issue_date", _is_date),
)


def looks_like_cccd(text: str) -> bool:
    fields = [clean(part) for part in (text or "").split("|")]
    return len(fields) >= 5 and any(_is_id12(f) for f in fields[:2])


def parse_cccd_qr(text: str, today: date) -> CccdCard:
    """Read a card's payload. Raises NotCccdPayload for text that is not one."""
    # NULs and a byte-order mark are what some readers and generators leave around the text.
    payload = clean((text or "").replace("\x00", "").replace("\ufeff", "").replace("\r", " ").replace("\n", " "))
    fields = [clean(part) for part in payload.split("|")]
    if not looks_like_cccd(payload):
        raise NotCccdPayload()
    # A stray leading field (seen on some readers) before the ID number.
    start = 0 if _is_id12(fields[0]) else 1
    unparsed = [Problem.of("qr[1]", "problem.qr.unparsed", index=1)] if start else []
    values, position = _assign(fields, start, unparsed)
    expiry = None
    for index in range(position, len(fields)):
        extra = fields[index]
        if expiry is None and _is_date(extra):
            expiry = parse_date(extra)
        elif extra:
            unparsed.append(Problem.of(f"qr[{index + 1}]", "problem.qr.unparsed", index=index + 1))
    citizen = Citizen(
        id_number=values.get("id_number", ""),
        full_name=values.get("full_name", ""),
        date_of_birth=parse_date(values["date_of_birth"]) if "date_of_birth" in values else None,
        sex=parse_sex(values["sex"]) if "sex" in values else None,
        permanent_address=values.get("permanent_address", ""),
        issue_date=parse_date(values["issue_date"]) if "issue_date" in values else None,
        old_id_number=values.get("old_id_number", ""),
    ).normalised()
    return CccdCard(
        citizen=citizen,
        expiry_date=expiry,
        field_count=len(fields),
        unparsed=unparsed,
        problems=citizen_problems(citizen, today),
    )


def _assign(fields: list[str], start: int, unparsed: list[Problem]) -> tuple[dict[str, str], int]:
    """Walk the expected slots; a field that fits nothing is skipped once and reported."""
    values: dict[str, str] = {}
    position = start
    for slot in _SLOTS:
        if position < len(fields) and slot.accepts(fields[position]):
            values[slot.name] = fields[position]
            position += 1
        elif slot.optional:
            continue
        elif position + 1 < len(fields) and slot.accepts(fields[position + 1]):
            unparsed.append(Problem.of(f"qr[{position + 1}]", "problem.qr.unparsed", index=position + 1))
            values[slot.name] = fields[position + 1]
            position += 2
        else:
            unparsed.append(Problem.of(slot.name, "problem.qr.missing"))
    return values, position
