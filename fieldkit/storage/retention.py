"""Purging finished dossiers: once the portal has closed a dossier (result returned, withdrawn, rejected,
stopped) and the retention period has passed, its scans, declaration and the citizen's record (when no other
dossier needs it) are erased. A minimal record stays for statistics — procedure, dates, status, who helped,
village — with an audit entry. `plan` shows what `purge` would erase.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fieldkit.core.dates import from_iso, to_iso
from fieldkit.core.dossier import AuditEntry
from fieldkit.core.retention import is_due, purge_due_at
from fieldkit.core.roles import Actor, Permission, allowed, as_actor, require
from fieldkit.storage.audit import AuditLog
from fieldkit.storage.kit import Kit

# A scan stored less than this long ago and not yet referenced may belong to a save in progress.
_ORPHAN_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class PurgeItem:
    uuid: str
    procedure_code: str
    assisted_by: str
    portal_status: int
    closed_at: datetime
    due_at: datetime
    files: int  # vault files only this dossier uses, erased with it


@dataclass(frozen=True)
class PurgeReport:
    purged: tuple[PurgeItem, ...]
    orphans_removed: int


class RetentionService:
    def __init__(self, kit: Kit, actor: Actor | str) -> None:
        self.kit = kit
        self.user = as_actor(actor)

    def retention_days(self) -> int:
        return int(self.kit.settings.get("retention_days"))

    def plan(self) -> list[PurgeItem]:
        """Dossiers whose time has come and that this user may purge (a field worker: their own)."""
        now, days = self.kit.clock.now(), self.retention_days()
        rows = self.kit.db.execute(
            "SELECT uuid, procedure_code, assisted_by, portal_status, closed_at FROM dossiers "
            "WHERE closed_at IS NOT NULL ORDER BY closed_at, uuid"
        ).fetchall()
        items = []
        for uuid, procedure_code, assisted_by, portal_status, closed_text in rows:
            closed_at = from_iso(closed_text)
            if not is_due(closed_at, days, now) or not allowed(self.user, Permission.PURGE, assisted_by):
                continue
            items.append(
                PurgeItem(
                    uuid,
                    procedure_code,
                    assisted_by,
                    portal_status,
                    closed_at,
                    purge_due_at(closed_at, days),
                    len(self.kit.dossiers.files_only_in(uuid)),
                )
            )
        return items

    def purge(self) -> PurgeReport:
        purged = []
        for item in self.plan():
            self.purge_one(item)
            purged.append(item)
        referenced = {row[0] for row in self.kit.db.execute("SELECT DISTINCT sha256 FROM documents")}
        cutoff = (self.kit.clock.now() - _ORPHAN_GRACE).timestamp()
        orphans = self.kit.vault.remove_orphans(referenced, written_before=cutoff)
        if purged:
            # Old page images of the erased rows leave the write-ahead log too (they were encrypted anyway).
            self.kit.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return PurgeReport(tuple(purged), orphans)

    def purge_one(self, item: PurgeItem) -> None:
        db, now = self.kit.db, self.kit.clock.now()
        dossier = self.kit.dossiers.get(item.uuid)
        require(self.user, Permission.PURGE, owner=dossier.assisted_by)
        files = self.kit.dossiers.files_only_in(dossier.uuid)
        consent = db.execute("SELECT version, given_at FROM consents WHERE dossier_uuid = ?", [dossier.uuid]).fetchone()
        with db.atomic():
            db["purged_dossiers"].insert(
                {
                    "uuid": dossier.uuid,
                    "procedure_code": dossier.procedure_code,
                    "assisted_by": dossier.assisted_by,
                    "place_kind": dossier.place.kind.value,
                    "village": dossier.place.village,
                    "status": dossier.status.value,
                    "portal_status": int(dossier.portal_status) if dossier.portal_status else None,
                    "created_at": to_iso(dossier.created_at),
                    "closed_at": to_iso(item.closed_at),
                    "purged_at": to_iso(now),
                    "consent_version": consent[0] if consent else None,
                    "consent_given_at": consent[1] if consent else None,
                },
                replace=True,
            )
            db.execute("DELETE FROM dossiers WHERE uuid = ?", [dossier.uuid])  # documents, consent cascade
            still_needed = db.execute(
                "SELECT 1 FROM dossiers WHERE applicant_id = ? LIMIT 1", [dossier.applicant_id]
            ).fetchone()
            if still_needed is None:
                db.execute("DELETE FROM citizens WHERE id_number = ?", [dossier.applicant_id])
            AuditLog(db).append(
                AuditEntry(now, self.user.username, "purged", dossier.uuid, reason=f"files={len(files)}")
            )
        # After the commit: a crash here leaves encrypted files nobody refers to, removed by the next purge.
        for sha256 in files:
            self.kit.vault.remove(sha256)
