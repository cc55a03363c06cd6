"""How long a finished dossier's scans and personal fields are kept (the personal-data law: keep the minimum, and
only while the purpose needs it). The clock starts when the portal closes the dossier (`PORTAL_CLOSED`)."""

from __future__ import annotations

from datetime import datetime, timedelta

DEFAULT_RETENTION_DAYS = 30


def purge_due_at(closed_at: datetime, retention_days: int) -> datetime:
    return closed_at + timedelta(days=retention_days)


def is_due(closed_at: datetime | None, retention_days: int, now: datetime) -> bool:
    return closed_at is not None and now >= purge_due_at(closed_at, retention_days)
