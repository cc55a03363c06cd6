"""The outbox's durable record, in the kit's database (migration 2).

For each dossier: the exact payload frozen for the revision being sent (so a send retried after a crash
is byte-for-byte the one that may already have arrived), and the step it reached:
  sending    recorded before anything goes out; from here on the portal may hold this revision
  delivered  the portal gave its MaHoSo (the payload is dropped: it holds personal data)
  conflict   the portal holds other content under this revision
  refused    the portal refused it; the reason is on the dossier
And for each portal address: the cursor of status changes already applied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from fieldkit.core.dates import to_iso

SENDING, DELIVERED, CONFLICT, REFUSED = "sending", "delivered", "conflict", "refused"
# Steps after which the portal may hold this revision with content other than the dossier's now.
MAY_HAVE_ARRIVED = frozenset({SENDING, CONFLICT})


@dataclass(frozen=True)
class OutboxEntry:
    dossier_uuid: str
    revision: int
    fingerprint: str
    payload: dict[str, Any] | None
    step: str
    attempts: int
    last_error: str


class OutboxStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, dossier_uuid: str) -> OutboxEntry | None:
        row = self.db.execute(
            "SELECT dossier_uuid, revision, fingerprint, payload, step, attempts, last_error FROM outbox "
            "WHERE dossier_uuid = ?",
            [dossier_uuid],
        ).fetchone()
        if row is None:
            return None
        uuid, revision, fingerprint, payload, step, attempts, last_error = row
        frozen = json.loads(payload) if payload else None
        return OutboxEntry(uuid, revision, fingerprint, frozen, step, attempts, last_error)

    def start(
        self,
        dossier_uuid: str,
        revision: int,
        fingerprint: str,
        payload: dict[str, Any],
        portal_url: str,
        now: datetime,
    ) -> None:
        """Record (inside the caller's transaction) that this revision is being sent with this payload."""
        # Plain SQL: this runs once per dossier sent, and sqlite-utils' upsert reads the table's shape each time.
        self.db.execute(
            "INSERT INTO outbox (dossier_uuid, revision, fingerprint, payload, step, attempts, last_error, "
            "portal_url, updated_at) VALUES (?, ?, ?, ?, ?, 1, '', ?, ?) ON CONFLICT (dossier_uuid) DO UPDATE SET "
            "attempts = CASE WHEN outbox.revision = excluded.revision THEN outbox.attempts + 1 ELSE 1 END, "
            "revision = excluded.revision, fingerprint = excluded.fingerprint, payload = excluded.payload, "
            "step = excluded.step, last_error = '', portal_url = excluded.portal_url, updated_at = excluded.updated_at",
            [
                dossier_uuid,
                revision,
                fingerprint,
                json.dumps(payload, ensure_ascii=False, sort_keys=True),
                SENDING,
                portal_url,
                to_iso(now),
            ],
        )

    def mark(self, dossier_uuid: str, step: str, now: datetime, error: str = "") -> None:
        keep_payload = step == SENDING
        self.db.execute(
            "UPDATE outbox SET step = ?, last_error = ?, updated_at = ?, "
            "payload = CASE WHEN ? THEN payload ELSE '' END WHERE dossier_uuid = ?",
            [step, error, to_iso(now), keep_payload, dossier_uuid],
        )

    def note_error(self, dossier_uuid: str, error: str, now: datetime) -> None:
        """Why the last try stopped (an error type, never personal data)."""
        self.db.execute(
            "UPDATE outbox SET last_error = ?, updated_at = ? WHERE dossier_uuid = ?",
            [error, to_iso(now), dossier_uuid],
        )

    def files_sent_before(self, dossier_uuid: str, sha256s: list[str]) -> bool:
        """Whether any of these files belongs to another dossier the outbox has handled (so the server may
        hold it, whole or in part)."""
        if not sha256s:
            return False
        marks = ", ".join("?" for _ in sha256s)
        row = self.db.execute(
            f"SELECT 1 FROM documents d JOIN outbox o ON o.dossier_uuid = d.dossier_uuid "
            f"WHERE d.sha256 IN ({marks}) AND d.dossier_uuid != ? LIMIT 1",
            [*sha256s, dossier_uuid],
        ).fetchone()
        return row is not None

    def queue_order(self) -> list[str]:
        """Queued dossiers by when the worker queued them (the audit log's order, finer than timestamps);
        one that an interrupted sync put back keeps its place."""
        rows = self.db.execute(
            "SELECT d.uuid FROM dossiers d WHERE d.status = 'queued' ORDER BY "
            "(SELECT MAX(a.id) FROM audit a WHERE a.dossier_uuid = d.uuid AND a.action = 'status' "
            "AND a.from_status = 'ready' AND a.to_status = 'queued'), d.created_at, d.uuid"
        ).fetchall()
        return [row[0] for row in rows]

    def cursor(self, portal_url: str) -> str:
        row = self.db.execute("SELECT changes_cursor FROM sync_state WHERE portal_url = ?", [portal_url]).fetchone()
        return row[0] if row else ""

    def set_cursor(self, portal_url: str, cursor: str, now: datetime) -> None:
        self.db["sync_state"].upsert(
            {"portal_url": portal_url, "changes_cursor": cursor, "updated_at": to_iso(now)}, pk="portal_url"
        )
