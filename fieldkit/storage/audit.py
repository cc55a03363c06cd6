"""The audit log: every change of a dossier's status, and later logins, exports and purges. Append-only."""

from __future__ import annotations

from sqlite_utils import Database

from fieldkit.core.dates import from_iso, to_iso
from fieldkit.core.dossier import AuditEntry

_COLUMNS = ("at", "actor", "action", "dossier_uuid", "from_status", "to_status", "reason")


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def append(self, entry: AuditEntry) -> None:
        """Call inside the transaction that makes the change, so the two land together or not at all."""
        self.db.execute(
            f"INSERT INTO audit ({', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                to_iso(entry.at),
                entry.actor,
                entry.action,
                entry.dossier_uuid,
                entry.from_status,
                entry.to_status,
                entry.reason,
            ],
        )

    def for_dossier(self, dossier_uuid: str) -> list[AuditEntry]:
        rows = self.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM audit WHERE dossier_uuid = ? ORDER BY id", [dossier_uuid]
        ).fetchall()
        return [_entry(row) for row in rows]

    def all(self) -> list[AuditEntry]:
        rows = self.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM audit ORDER BY id").fetchall()
        return [_entry(row) for row in rows]


def _entry(row: tuple) -> AuditEntry:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["at"] = from_iso(values["at"])
    values["reason"] = values["reason"] or ""
    return AuditEntry(**values)
