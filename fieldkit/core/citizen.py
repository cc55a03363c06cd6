"""The citizen a dossier is filed for, declared once and reused (Project 06)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, replace
from datetime import date

from fieldkit.core.cccd import Sex, compact_number, id_number_problems, old_id_number_problems
from fieldkit.core.dates import parse_date
from fieldkit.core.errors import Problem, ValidationError
from fieldkit.core.text import clean, fold

_PHONE_JUNK = re.compile(r"[\s.\-()]")
_NAME_PUNCTUATION = set(" '-.")

CITIZEN_FIELDS = (
    "id_number",
    "full_name",
    "date_of_birth",
    "sex",
    "permanent_address",
    "phone",
    "issue_date",
    "old_id_number",
)


@dataclass(frozen=True)
class Citizen:
    id_number: str
    full_name: str
    date_of_birth: date | None = None
    sex: Sex | None = None
    permanent_address: str = ""
    phone: str = ""
    issue_date: date | None = None
    old_id_number: str = ""

    def normalised(self) -> Citizen:
        """NFC text, tidy spaces, digits without separators, phone in the 0xxxxxxxxx form."""
        return replace(
            self,
            id_number=compact_number(self.id_number),
            full_name=clean(self.full_name),
            permanent_address=clean(self.permanent_address),
            phone=normalise_phone(self.phone),
            old_id_number=compact_number(self.old_id_number),
        )

    @property
    def search_key(self) -> str:
        return fold(" ".join((self.full_name, self.id_number, self.old_id_number, self.phone)))

    def to_dict(self) -> dict:
        data = asdict(self)
        data["date_of_birth"] = self.date_of_birth.isoformat() if self.date_of_birth else None
        data["issue_date"] = self.issue_date.isoformat() if self.issue_date else None
        data["sex"] = self.sex.value if self.sex else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Citizen:
        return cls(
            id_number=data["id_number"],
            full_name=data["full_name"],
            date_of_birth=date.fromisoformat(data["date_of_birth"]) if data.get("date_of_birth") else None,
            sex=Sex(data["sex"]) if data.get("sex") else None,
            permanent_address=data.get("permanent_address") or "",
            phone=data.get("phone") or "",
            issue_date=date.fromisoformat(data["issue_date"]) if data.get("issue_date") else None,
            old_id_number=data.get("old_id_number") or "",
        )

    def updated_from(self, other: Citizen) -> Citizen:
        """This record with every field `other` fills in; a blank in `other` keeps what was known."""
        theirs = other.to_dict()
        merged = {
            name: theirs[name] if theirs[name] not in (None, "") else value for name, value in self.to_dict().items()
        }
        return Citizen.from_dict(merged)

    def differences(self, other: Citizen) -> list[str]:
        """Names of the fields where `other` says something new (a new address, a phone)."""
        mine, theirs = self.to_dict(), other.to_dict()
        return [name for name in CITIZEN_FIELDS if theirs[name] not in (None, "") and theirs[name] != mine[name]]


def normalise_phone(text: str) -> str:
    digits = _PHONE_JUNK.sub("", text or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def parse_sex(text: str) -> Sex:
    """'Nam'/'Nữ' as printed on the card (also 'nu', 'male', 'female', 'M', 'F')."""
    folded = fold(text)
    if folded in ("nam", "male", "m"):
        return Sex.MALE
    if folded in ("nu", "female", "f"):
        return Sex.FEMALE
    raise ValueError(f"not a sex: {text!r}")


def is_person_name(text: str) -> bool:
    """Letters (any script, with diacritics), spaces, apostrophes, hyphens, dots; at least one letter."""
    value = clean(text)
    return any(unicodedata.category(ch).startswith("L") for ch in value) and all(
        unicodedata.category(ch).startswith(("L", "M")) or ch in _NAME_PUNCTUATION for ch in value
    )


def citizen_problems(citizen: Citizen, today: date) -> list[Problem]:
    """Every rule a citizen's record must keep, each problem beside the field it concerns."""
    c = citizen.normalised()
    problems = id_number_problems(c.id_number, date_of_birth=c.date_of_birth, sex=c.sex)
    problems += old_id_number_problems(c.old_id_number)
    if not c.full_name:
        problems.append(Problem.of("full_name", "problem.required"))
    elif not is_person_name(c.full_name):
        problems.append(Problem.of("full_name", "problem.name.chars"))
    if c.date_of_birth is None:
        problems.append(Problem.of("date_of_birth", "problem.required"))
    else:
        problems += _date_problems("date_of_birth", c.date_of_birth, today)
    if c.sex is None:
        problems.append(Problem.of("sex", "problem.required"))
    if c.phone and not re.fullmatch(r"0\d{9,10}", c.phone):
        problems.append(Problem.of("phone", "problem.phone.format"))
    if c.issue_date is not None:
        problems += _date_problems("issue_date", c.issue_date, today)
        if c.date_of_birth and c.issue_date < c.date_of_birth:
            problems.append(Problem.of("issue_date", "problem.date.before_birth"))
    return problems


def require_valid_citizen(citizen: Citizen, today: date) -> Citizen:
    problems = citizen_problems(citizen, today)
    if problems:
        raise ValidationError(problems)
    return citizen.normalised()


def citizen_from_text(values: dict[str, str]) -> tuple[Citizen, list[Problem]]:
    """Build a citizen from typed strings; what cannot be read is a problem, the rest is kept."""
    problems: list[Problem] = []
    dates: dict[str, date | None] = {}
    for name in ("date_of_birth", "issue_date"):
        raw = (values.get(name) or "").strip()
        dates[name] = None
        if raw:
            try:
                dates[name] = parse_date(raw)
            except ValueError:
                problems.append(Problem.of(name, "problem.date.format", value=raw))
    sex = None
    if (values.get("sex") or "").strip():
        try:
            sex = parse_sex(values["sex"])
        except ValueError:
            problems.append(Problem.of("sex", "problem.sex.unknown"))
    citizen = Citizen(
        id_number=values.get("id_number") or "",
        full_name=values.get("full_name") or "",
        date_of_birth=dates["date_of_birth"],
        sex=sex,
        permanent_address=values.get("permanent_address") or "",
        phone=values.get("phone") or "",
        issue_date=dates["issue_date"],
        old_id_number=values.get("old_id_number") or "",
    ).normalised()
    return citizen, problems


def _date_problems(where: str, value: date, today: date) -> list[Problem]:
    if value > today:
        return [Problem.of(where, "problem.date.future")]
    if value.year < 1900:
        return [Problem.of(where, "problem.date.too_old")]
    return []
