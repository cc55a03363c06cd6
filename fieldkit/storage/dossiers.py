"""Dossiers in SQLite. A dossier, its documents and the audit entries of its change are saved in one
transaction: a process killed mid-save leaves the old dossier or the new one, never half of either."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache

from sqlite_utils import Database

from fieldkit.core.dates import from_iso, to_iso
from fieldkit.core.dossier import AuditEntry, DocumentRef, Dossier, Place, PlaceKind
from fieldkit.core.errors import NotFound
from fieldkit.core.workflow import PORTAL_CLOSED, LocalStatus, PortalStatus
from fieldkit.storage.audit import AuditLog

_DOC_COLUMNS = ("slot_code", "sha256", "size", "media_type", "pages", "filename", "dpi")
_CLOSED = ", ".join(str(int(status)) for status in sorted(PORTAL_CLOSED))


class DossierStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.audit = AuditLog(db)

    def save(self, dossier: Dossier, entries: Iterable[AuditEntry] = ()) -> None:
        with self.db.atomic():
            row = _row(dossier)
            self.db.execute(_upsert_sql(tuple(row)), list(row.values()))
            # When the portal closed the dossier starts its retention period (storage.retention).
            self.db.execute(
                f"UPDATE dossiers SET closed_at = CASE WHEN portal_status IN ({_CLOSED}) "
                "THEN COALESCE(closed_at, ?) ELSE NULL END WHERE uuid = ?",
                [to_iso(dossier.updated_at), dossier.uuid],
            )
            self.db.execute("DELETE FROM documents WHERE dossier_uuid = ?", [dossier.uuid])
            self.db.conn.executemany(
                _INSERT_DOCUMENT,
                [
                    [dossier.uuid, position, *(getattr(doc, name) for name in _DOC_COLUMNS)]
                    for position, doc in enumerate(dossier.documents)
                ],
            )
            for entry in entries:
                self.audit.append(entry)

    def get(self, uuid: str) -> Dossier:
        """By full UUID, or by an unambiguous prefix of at least 6 characters (as typed from a receipt)."""
        rows = list(self.db.query("SELECT * FROM dossiers WHERE uuid = ?", [uuid]))
        if not rows and len(uuid) >= 6:
            rows = list(self.db.query("SELECT * FROM dossiers WHERE uuid LIKE ? LIMIT 2", [f"{uuid}%"]))
        if len(rows) != 1:
            raise NotFound("error.dossier_not_found", uuid=uuid)
        docs = self.db.query(
            f"SELECT {', '.join(_DOC_COLUMNS)} FROM documents WHERE dossier_uuid = ? ORDER BY position",
            [rows[0]["uuid"]],
        )
        return _dossier(rows[0], [DocumentRef(**doc) for doc in docs])

    def list(self, status: LocalStatus | None = None, applicant_id: str | None = None) -> list[Dossier]:
        clauses, params = [], []
        if status is not None:
            clauses.append("status = ?")
            params.append(status.value)
        if applicant_id is not None:
            clauses.append("applicant_id = ?")
            params.append(applicant_id)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = list(self.db.query(f"SELECT * FROM dossiers {where} ORDER BY created_at, uuid", params))
        # One query for all their documents rather than one per dossier.
        docs: dict[str, list[DocumentRef]] = {}
        for doc in self.db.query(
            f"SELECT dossier_uuid, {', '.join(_DOC_COLUMNS)} FROM documents "
            f"WHERE dossier_uuid IN (SELECT uuid FROM dossiers {where}) ORDER BY dossier_uuid, position",
            params,
        ):
            docs.setdefault(doc.pop("dossier_uuid"), []).append(DocumentRef(**doc))
        return [_dossier(row, docs.get(row["uuid"], [])) for row in rows]

    def files_only_in(self, uuid: str) -> list[str]:
        """The vault files this dossier uses that no other dossier does: what goes when it goes."""
        rows = self.db.execute(
            "SELECT DISTINCT sha256 FROM documents WHERE dossier_uuid = ? AND sha256 NOT IN "
            "(SELECT sha256 FROM documents WHERE dossier_uuid != ?)",
            [uuid, uuid],
        ).fetchall()
        return [row[0] for row in rows]

    def counts_by_status(self) -> dict[LocalStatus, int]:
        rows = self.db.execute("SELECT status, COUNT(*) FROM dossiers GROUP BY status").fetchall()
        return {LocalStatus(status): count for status, count in rows}


def _dossier(data: dict, documents: list[DocumentRef]) -> Dossier:
    return Dossier(
        uuid=data["uuid"],
        procedure_code=data["procedure_code"],
        applicant_id=data["applicant_id"],
        assisted_by=data["assisted_by"],
        created_at=from_iso(data["created_at"]),
        updated_at=from_iso(data["updated_at"]),
        place=Place(PlaceKind(data["place_kind"]), data["village"]),
        declaration=json.loads(data["declaration"]),
        documents=tuple(documents),
        status=LocalStatus(data["status"]),
        revision=data["revision"],
        sent_revision=data["sent_revision"],
        portal_code=data["portal_code"],
        portal_status=PortalStatus(data["portal_status"]) if data["portal_status"] else None,
        portal_note=data["portal_note"],
        attention_reason=data["attention_reason"],
    )


# Plain SQL: sqlite-utils' upsert and insert read the table's shape (five or six statements) on every call,
# and a sync saves each dossier several times.
@cache
def _upsert_sql(columns: tuple[str, ...]) -> str:
    return (
        f"INSERT INTO dossiers ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT (uuid) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in columns if c != 'uuid')}"
    )


_INSERT_DOCUMENT = (
    f"INSERT INTO documents (dossier_uuid, position, {', '.join(_DOC_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (len(_DOC_COLUMNS) + 2))})"
)


def _row(dossier: Dossier) -> dict:
    return {
        "uuid": dossier.uuid,
        "procedure_code": dossier.procedure_code,
        "applicant_id": dossier.applicant_id,
        "assisted_by": dossier.assisted_by,
        "place_kind": dossier.place.kind.value,
        "village": dossier.place.village,
        "declaration": json.dumps(dossier.declaration, ensure_ascii=False, sort_keys=True),
        "status": dossier.status.value,
        "revision": dossier.revision,
        "sent_revision": dossier.sent_revision,
        "portal_code": dossier.portal_code,
        "portal_status": int(dossier.portal_status) if dossier.portal_status else None,
        "portal_note": dossier.portal_note,
        "attention_reason": dossier.attention_reason,
        "created_at": to_iso(dossier.created_at),
        "updated_at": to_iso(dossier.updated_at),
    }
