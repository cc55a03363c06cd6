"""The audit log: dossiers' changes of status, logins, unlocks, views, exports, syncs, purges, role changes.

Append-only and tamper-evident: each entry stores the hash of the one before it and its own hash over its
content (`core.audit_chain`), so `verify` finds an entry that was edited, deleted or moved. Entries hold
dossier UUIDs, account names, actions and counts — never a citizen's name, ID number or address.
"""

from __future__ import annotations

from sqlite_utils import Database

from fieldkit.core.audit_chain import GENESIS, Break, ChainedRow, entry_hash, find_breaks
from fieldkit.core.dates import from_iso, to_iso
from fieldkit.core.dossier import AuditEntry

_COLUMNS = ("at", "actor", "action", "dossier_uuid", "from_status", "to_status", "reason")


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def append(self, entry: AuditEntry) -> None:
        """Call inside the transaction that makes the change, so the two land together or not at all."""
        content = [
            to_iso(entry.at),
            str(entry.actor),
            entry.action,
            entry.dossier_uuid,
            entry.from_status,
            entry.to_status,
            entry.reason,
        ]
        with self.db.atomic():
            head = self.db.execute("SELECT entry_hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
            previous = head[0] if head and head[0] else GENESIS
            self.db.execute(
                f"INSERT INTO audit ({', '.join(_COLUMNS)}, prev_hash, entry_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*content, previous, entry_hash(previous, content)],
            )

    def for_dossier(self, dossier_uuid: str) -> list[AuditEntry]:
        rows = self.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM audit WHERE dossier_uuid = ? ORDER BY id", [dossier_uuid]
        ).fetchall()
        return [_entry(row) for row in rows]

    def all(self) -> list[AuditEntry]:
        rows = self.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM audit ORDER BY id").fetchall()
        return [_entry(row) for row in rows]

    def recent(self, limit: int, dossier_uuid: str | None = None) -> list[tuple[int, AuditEntry]]:
        """The last `limit` entries with their numbers, oldest first."""
        where = "WHERE dossier_uuid = ?" if dossier_uuid else ""
        params: list = [dossier_uuid] if dossier_uuid else []
        rows = self.db.execute(
            f"SELECT id, {', '.join(_COLUMNS)} FROM audit {where} ORDER BY id DESC LIMIT ?", [*params, limit]
        ).fetchall()
        return [(row[0], _entry(row[1:])) for row in reversed(rows)]

    def head(self) -> tuple[int, str]:
        """The last entry's number and hash: written down elsewhere, it also exposes a chain rebuilt later."""
        row = self.db.execute("SELECT id, entry_hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    def verify(self) -> list[Break]:
        rows = self.db.execute(
            f"SELECT id, {', '.join(_COLUMNS)}, prev_hash, entry_hash FROM audit ORDER BY id"
        ).fetchall()
        chained = [ChainedRow(row[0], tuple(row[1:8]), row[8] or "", row[9] or "") for row in rows]
        issued = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
        return find_breaks(chained, issued[0] if issued else None)


def _entry(row: tuple) -> AuditEntry:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["at"] = from_iso(values["at"])
    values["reason"] = values["reason"] or ""
    return AuditEntry(**values)
