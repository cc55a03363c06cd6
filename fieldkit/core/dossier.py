"""The dossier (hồ sơ): what is filed for one citizen under one procedure, and its life until the result.

Dossiers are immutable values: every change returns a new one, and each change of status comes with the
audit entry that records it (who, when, from, to, why).
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum

from fieldkit.core.catalog import Procedure
from fieldkit.core.citizen import Citizen, citizen_problems
from fieldkit.core.declaration import check_value
from fieldkit.core.errors import IllegalTransition, Problem
from fieldkit.core.workflow import (
    EDITABLE,
    PORTAL_NEEDS_ACTION,
    LocalStatus,
    PortalStatus,
    check_move,
)

DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024


class PlaceKind(Enum):
    HOME_VISIT = "home_visit"  # at the citizen's home, usually offline
    HELP_DESK = "help_desk"  # village cultural house or a temporary desk
    OFFICE = "office"  # the commune's one-stop counter


@dataclass(frozen=True)
class Place:
    kind: PlaceKind = PlaceKind.HOME_VISIT
    village: str = ""


@dataclass(frozen=True)
class DocumentRef:
    """One file in the vault filed for a document slot (MaThanhPhanHoSo)."""

    slot_code: str
    sha256: str
    size: int
    media_type: str
    pages: int = 1
    filename: str = ""
    # Dots per inch really captured (a 1080p webcam gives about 90 across A4): recorded, not pretended.
    dpi: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    dossier_uuid: str | None = None
    from_status: str | None = None
    to_status: str | None = None
    # Why, in words a person wrote (a portal note, a supervisor's comment). Never personal data by design.
    reason: str = ""


@dataclass(frozen=True)
class Dossier:
    uuid: str
    procedure_code: str
    applicant_id: str
    assisted_by: str
    created_at: datetime
    updated_at: datetime
    place: Place = field(default_factory=Place)
    declaration: dict[str, str] = field(default_factory=dict)
    documents: tuple[DocumentRef, ...] = ()
    status: LocalStatus = LocalStatus.DRAFT
    revision: int = 1
    # The revision the portal last accepted; editing after that starts a new revision.
    sent_revision: int = 0
    portal_code: str | None = None  # MaHoSo
    portal_status: PortalStatus | None = None  # TrangThaiHoSo
    portal_note: str = ""
    attention_reason: str = ""

    @classmethod
    def new(
        cls,
        procedure_code: str,
        applicant_id: str,
        assisted_by: str,
        now: datetime,
        place: Place | None = None,
        uuid: str | None = None,
    ) -> Dossier:
        return cls(
            uuid=uuid or str(uuidlib.uuid4()),
            procedure_code=procedure_code,
            applicant_id=applicant_id,
            assisted_by=assisted_by,
            created_at=now,
            updated_at=now,
            place=place or Place(),
        )

    def documents_for(self, slot_code: str) -> tuple[DocumentRef, ...]:
        return tuple(d for d in self.documents if d.slot_code == slot_code)

    # -- edits -------------------------------------------------------------------------------------------

    def edited(self, now: datetime, **changes) -> Dossier:
        """Change content; a dossier the portal already holds starts a new revision."""
        if self.status not in EDITABLE:
            raise IllegalTransition("error.not_editable", status=self.status.label)
        revision = self.revision + 1 if self.sent_revision == self.revision else self.revision
        return replace(self, updated_at=now, revision=revision, **changes)

    def with_documents(self, documents: tuple[DocumentRef, ...], now: datetime) -> Dossier:
        return self.edited(now, documents=tuple(documents))

    def with_declaration(self, values: dict[str, str], now: datetime) -> Dossier:
        return self.edited(now, declaration=dict(values))

    # -- status ------------------------------------------------------------------------------------------

    def moved(self, target: LocalStatus, actor: str, now: datetime, reason: str = "") -> tuple[Dossier, AuditEntry]:
        check_move(self.status, target)
        changes: dict = {"status": target, "updated_at": now}
        if target is LocalStatus.NEEDS_ATTENTION:
            changes["attention_reason"] = reason
        elif target is LocalStatus.DRAFT and self.status is LocalStatus.NEEDS_ATTENTION:
            changes["attention_reason"] = ""
        entry = AuditEntry(now, actor, "status", self.uuid, self.status.value, target.value, reason)
        return replace(self, **changes), entry

    def accepted_by_portal(self, portal_code: str, actor: str, now: datetime) -> tuple[Dossier, AuditEntry]:
        """The portal answered with a MaHoSo for the current revision."""
        moved, entry = self.moved(LocalStatus.SENT, actor, now, reason=portal_code)
        return replace(moved, portal_code=portal_code, sent_revision=self.revision), entry

    def with_portal_status(
        self, status: PortalStatus, note: str, actor: str, now: datetime
    ) -> tuple[Dossier, AuditEntry]:
        """The portal reports progress; statuses that need the team's action bring the dossier back."""
        updated = replace(self, portal_status=status, portal_note=note, updated_at=now)
        if status in PORTAL_NEEDS_ACTION and self.status is LocalStatus.SENT:
            moved, _ = updated.moved(LocalStatus.NEEDS_ATTENTION, actor, now, reason=note)
            updated = moved
        elif status not in PORTAL_NEEDS_ACTION and self.status is LocalStatus.NEEDS_ATTENTION and self.sent_revision:
            moved, _ = updated.moved(LocalStatus.SENT, actor, now, reason=note)
            updated = replace(moved, attention_reason="")
        entry = AuditEntry(
            now,
            actor,
            "portal_status",
            self.uuid,
            self.status.value,
            updated.status.value,
            reason=f"TrangThaiHoSo={int(status)}",
        )
        return updated, entry


def dossier_problems(
    dossier: Dossier,
    procedure: Procedure,
    applicant: Citizen | None,
    today: date,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> list[Problem]:
    """Everything that stops the dossier from being ready: fields, documents, and the applicant's record."""
    problems: list[Problem] = []
    if applicant is None:
        problems.append(Problem.of("applicant", "problem.applicant.missing"))
    else:
        for problem in citizen_problems(applicant, today):
            problems.append(Problem(f"applicant.{problem.where}", problem.message))
    known = {f.name for f in procedure.fields}
    for spec in procedure.fields:
        _, found = check_value(spec, dossier.declaration.get(spec.name), today)
        problems += found
    for name in sorted(set(dossier.declaration) - known):
        problems.append(Problem.of(name, "problem.field.unknown", name=name))
    problems += _document_problems(dossier, procedure, max_file_bytes)
    return problems


def _document_problems(dossier: Dossier, procedure: Procedure, max_file_bytes: int) -> list[Problem]:
    problems: list[Problem] = []
    groups_met = {s.one_of for s in procedure.slots if s.one_of and dossier.documents_for(s.code)}
    for slot in procedure.slots:
        if not slot.required or dossier.documents_for(slot.code):
            continue
        if slot.one_of is None:
            problems.append(Problem.of(f"documents.{slot.code}", "problem.document.missing", slot=slot.name))
        elif slot.one_of not in groups_met:
            groups_met.add(slot.one_of)  # report a missing group once
            alternatives = [s.name for s in procedure.slots if s.one_of == slot.one_of]
            problems.append(
                Problem.of(
                    f"documents.{slot.one_of}",
                    "problem.document.missing_one_of",
                    slots=tuple(alternatives),
                )
            )
    for doc in dossier.documents:
        slot = procedure.slot(doc.slot_code)
        where = f"documents.{doc.slot_code}"
        if slot is None:
            problems.append(Problem.of(where, "problem.document.unknown_slot", slot=doc.slot_code))
        elif _kind(doc.media_type) not in slot.kinds:
            problems.append(Problem.of(where, "problem.document.kind", kinds=", ".join(slot.kinds)))
        if doc.size > max_file_bytes:
            problems.append(
                Problem.of(
                    where,
                    "problem.document.too_big",
                    size_mb=round(doc.size / 2**20, 1),
                    limit_mb=round(max_file_bytes / 2**20, 1),
                )
            )
    return problems


def _kind(media_type: str) -> str:
    return {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(media_type, media_type)
