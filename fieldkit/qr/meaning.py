"""What a decoded code means: an ID card, a procedure poster, a FieldKit receipt, or just text.

Nothing is saved here: a card becomes a Citizen with every disagreement listed (the ID number's digits
against the card's own birth date and sex) and the record already on the kit, if any, beside it; the
worker decides what to keep (`CitizenService.save(accept_mismatch=..., update=...)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from fieldkit.core.catalog import Catalog, Procedure, base_code
from fieldkit.core.cccd_qr import CccdCard, NotCccdPayload, parse_cccd_qr
from fieldkit.core.citizen import Citizen
from fieldkit.core.errors import Msg, NotFound, Problem
from fieldkit.qr.receipt import ReceiptRef, parse_receipt
from fieldkit.storage.citizen_service import OVERRIDABLE

# A code as printed on a poster: national `1.004873`, or a local variant `1.004873.000.00.00.H14`.
_CODE = re.compile(r"^\d\.\d{6}(?:\.[0-9A-Za-z]+)*$")
# The same inside a link, where what follows the code may be `.html` or another parameter.
_CODE_IN_LINK = re.compile(r"(?<![\d.])\d\.\d{6}(?:\.\d{3}\.\d{2}\.\d{2}\.[0-9A-Za-z]+)?(?!\d)")
_LINK = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


class CitizenLookup(Protocol):
    def find_one(self, id_number: str) -> Citizen | None: ...


@dataclass(frozen=True)
class CardReading:
    """An ID card's QR code, read into a Citizen."""

    card: CccdCard
    known: Citizen | None = None  # the record this kit already has for the ID number
    differences: tuple[str, ...] = ()  # fields where the card says something new (a new address)

    kind = "citizen"

    @property
    def citizen(self) -> Citizen:
        return self.card.citizen

    @property
    def mismatches(self) -> list[Problem]:
        """The ID number's digits disagreeing with the card's birth date or sex: for the worker to decide."""
        return [p for p in self.card.problems if p.message.key in OVERRIDABLE]

    @property
    def blocking(self) -> list[Problem]:
        """What must be fixed before the citizen can be saved (a field the code did not carry, for example)."""
        return [p for p in self.card.problems if p.message.key not in OVERRIDABLE]


@dataclass(frozen=True)
class ProcedureReading:
    """A procedure's code, bare or in a portal link; `procedure` is None when the catalog does not have it."""

    code: str
    procedure: Procedure | None

    kind = "procedure"


@dataclass(frozen=True)
class ReceiptReading:
    """The QR code FieldKit printed on a citizen's receipt."""

    receipt: ReceiptRef
    procedure: Procedure | None

    kind = "receipt"


@dataclass(frozen=True)
class TextReading:
    text: str

    kind = "text"


Reading = CardReading | ProcedureReading | ReceiptReading | TextReading


def interpret(text: str, *, catalog: Catalog, today: date, citizens: CitizenLookup | None = None) -> Reading:
    receipt = parse_receipt(text)
    if receipt is not None:
        return ReceiptReading(receipt, _find(catalog, receipt.procedure_code))
    try:
        card = parse_cccd_qr(text, today)
    except NotCccdPayload:
        card = None
    if card is not None:
        known = citizens.find_one(card.citizen.id_number) if citizens is not None else None
        differences = tuple(known.differences(card.citizen)) if known is not None else ()
        return CardReading(card, known, differences)
    code = procedure_code_in(text)
    if code is not None:
        return ProcedureReading(code, _find(catalog, code))
    return TextReading(text)


def procedure_code_in(text: str) -> str | None:
    """The procedure code a poster's QR code carries: the whole text, or a part of a link."""
    value = (text or "").strip()
    if _CODE.match(value):
        return value
    if not _LINK.match(value):
        return None
    parts = urlsplit(value if "://" in value else f"https://{value}")
    # A query parameter holding exactly a code (ma_thu_tuc=1.004873) says the most; then the rest of the link.
    for _, parameter in parse_qsl(parts.query):
        if _CODE.match(parameter.strip()):
            return parameter.strip()
    found = _CODE_IN_LINK.search(unquote(parts.path + "?" + parts.query + "#" + parts.fragment))
    return found.group(0) if found else None


def _find(catalog: Catalog, code: str) -> Procedure | None:
    try:
        return catalog.get(code)
    except NotFound:
        return None


def warnings_of(reading: Reading) -> list[Problem]:
    """What the worker should see about a reading before using it, each beside what it concerns."""
    if isinstance(reading, CardReading):
        problems = list(reading.card.unparsed) + list(reading.card.problems)
        if reading.differences:
            fields = tuple(Msg.of(f"field.{name}") for name in reading.differences)
            problems.append(Problem.of("", "qr.citizen_differs", fields=fields))
        return problems
    if isinstance(reading, ProcedureReading | ReceiptReading) and reading.procedure is None:
        code = reading.code if isinstance(reading, ProcedureReading) else reading.receipt.procedure_code
        return [Problem.of("", "qr.procedure_unknown", code=code, national=base_code(code) or code)]
    return []
