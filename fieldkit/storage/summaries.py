"""Dossier summaries for lists and counters: one query, joined with the applicant's name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlite_utils import Database

from fieldkit.core.dates import from_iso, local_date
from fieldkit.core.text import fold
from fieldkit.core.workflow import LocalStatus, PortalStatus


@dataclass(frozen=True)
class DossierSummary:
    uuid: str
    procedure_code: str
    applicant_id: str
    applicant_name: str
    assisted_by: str
    village: str
    status: LocalStatus
    portal_code: str | None
    portal_status: PortalStatus | None
    attention_reason: str
    created_at: datetime
    updated_at: datetime

    @property
    def search_key(self) -> str:
        return fold(
            " ".join(
                (
                    self.applicant_name,
                    self.applicant_id,
                    self.procedure_code,
                    self.portal_code or "",
                    self.village,
                    self.uuid,
                )
            )
        )


@dataclass(frozen=True)
class QueueCounts:
    today: int
    waiting: int  # queued or sending
    attention: int


def list_summaries(db: Database) -> list[DossierSummary]:
    rows = db.query(
        """SELECT d.uuid, d.procedure_code, d.applicant_id, COALESCE(c.full_name, '') AS applicant_name,
                  d.assisted_by, d.village, d.status, d.portal_code, d.portal_status, d.attention_reason,
                  d.created_at, d.updated_at
           FROM dossiers d LEFT JOIN citizens c ON c.id_number = d.applicant_id
           ORDER BY d.updated_at DESC, d.uuid"""
    )
    return [
        DossierSummary(
            uuid=row["uuid"],
            procedure_code=row["procedure_code"],
            applicant_id=row["applicant_id"],
            applicant_name=row["applicant_name"],
            assisted_by=row["assisted_by"],
            village=row["village"],
            status=LocalStatus(row["status"]),
            portal_code=row["portal_code"],
            portal_status=PortalStatus(row["portal_status"]) if row["portal_status"] else None,
            attention_reason=row["attention_reason"],
            created_at=from_iso(row["created_at"]),
            updated_at=from_iso(row["updated_at"]),
        )
        for row in rows
    ]


def count_summaries(summaries: list[DossierSummary], today: date) -> QueueCounts:
    return QueueCounts(
        today=sum(1 for s in summaries if local_date(s.created_at) == today),
        waiting=sum(1 for s in summaries if s.status in (LocalStatus.QUEUED, LocalStatus.SENDING)),
        attention=sum(1 for s in summaries if s.status is LocalStatus.NEEDS_ATTENTION),
    )
