"""Declaring a citizen once: checked against the ID rules, found again rather than duplicated."""

from __future__ import annotations

from dataclasses import dataclass

from fieldkit.core.citizen import Citizen, citizen_problems
from fieldkit.core.dates import local_date
from fieldkit.core.dossier import AuditEntry
from fieldkit.core.errors import Msg, Problem, UserError, ValidationError
from fieldkit.storage.audit import AuditLog
from fieldkit.storage.kit import Kit

# The ID number's digits disagreeing with the birth date or sex: shown to the worker, who may decide the
# card is right (the card is the authority; the rules are a check on typing, not on the State).
OVERRIDABLE = frozenset(
    {
        "problem.id.sex_mismatch",
        "problem.id.century_mismatch",
        "problem.id.year_mismatch",
        "problem.id.province_unknown",
    }
)


@dataclass(frozen=True)
class SaveResult:
    citizen: Citizen
    created: bool
    # Fields where the saved record differs from what was there before (a new address, a phone).
    changed: tuple[str, ...] = ()


class CitizenService:
    def __init__(self, kit: Kit, actor: str) -> None:
        self.kit = kit
        self.actor = actor

    def problems(self, citizen: Citizen) -> list[Problem]:
        return citizen_problems(citizen, local_date(self.kit.clock.now()))

    def save(self, citizen: Citizen, *, accept_mismatch: bool = False, update: bool = False) -> SaveResult:
        """Save a new citizen, or update a known one when `update` is given and something changed."""
        citizen = citizen.normalised()
        problems = self.problems(citizen)
        blocking = [p for p in problems if not (accept_mismatch and p.message.key in OVERRIDABLE)]
        if blocking:
            raise ValidationError(blocking)
        store = self.kit.citizens
        existing = store.find_one(citizen.id_number)
        changed = tuple(existing.differences(citizen)) if existing else ()
        if existing is not None and not changed:
            return SaveResult(existing, created=False)
        if existing is not None and not update:
            raise UserError("error.citizen_differs", fields=tuple(Msg.of(f"field.{name}") for name in changed))
        if existing is not None:
            citizen = existing.updated_from(citizen)
        now = self.kit.clock.now()
        with self.kit.db.atomic():
            store.save(citizen, now)
            if problems:
                keys = ",".join(sorted({p.message.key for p in problems}))
                AuditLog(self.kit.db).append(AuditEntry(now, self.actor, "citizen_mismatch_accepted", reason=keys))
        return SaveResult(citizen, created=existing is None, changed=changed)
