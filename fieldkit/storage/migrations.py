"""Numbered schema migrations. Each runs in one transaction together with the record that it ran.

Add a function at the end of MIGRATIONS; never edit one that has shipped. Its docstring says what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlite_utils import Database

from fieldkit.core.audit_chain import GENESIS, entry_hash

Migration = Callable[[Database], None]


def _m001_initial(db: Database) -> None:
    """Citizens, dossiers with their documents, the audit log and settings."""
    db.execute(
        """CREATE TABLE citizens (
            id_number TEXT PRIMARY KEY,
            full_name TEXT NOT NULL,
            date_of_birth TEXT,
            sex TEXT,
            permanent_address TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            issue_date TEXT,
            old_id_number TEXT NOT NULL DEFAULT '',
            search_key TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE dossiers (
            uuid TEXT PRIMARY KEY,
            procedure_code TEXT NOT NULL,
            applicant_id TEXT NOT NULL REFERENCES citizens(id_number),
            assisted_by TEXT NOT NULL,
            place_kind TEXT NOT NULL,
            village TEXT NOT NULL DEFAULT '',
            declaration TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL,
            revision INTEGER NOT NULL,
            sent_revision INTEGER NOT NULL DEFAULT 0,
            portal_code TEXT,
            portal_status INTEGER,
            portal_note TEXT NOT NULL DEFAULT '',
            attention_reason TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX dossiers_status ON dossiers(status)")
    db.execute("CREATE INDEX dossiers_applicant ON dossiers(applicant_id)")
    db.execute(
        """CREATE TABLE documents (
            dossier_uuid TEXT NOT NULL REFERENCES dossiers(uuid) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            slot_code TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            media_type TEXT NOT NULL,
            pages INTEGER NOT NULL,
            filename TEXT NOT NULL DEFAULT '',
            dpi INTEGER,
            PRIMARY KEY (dossier_uuid, position)
        )"""
    )
    db.execute("CREATE INDEX documents_sha256 ON documents(sha256)")
    db.execute(
        """CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            dossier_uuid TEXT,
            from_status TEXT,
            to_status TEXT,
            reason TEXT NOT NULL DEFAULT ''
        )"""
    )
    db.execute("CREATE INDEX audit_dossier ON audit(dossier_uuid)")
    db.execute("CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _m002_security(db: Database) -> None:
    """Protecting citizens' data (issue 6): the audit log becomes a hash chain (prev_hash, entry_hash; the
    entries already there are chained in order); each dossier's consent; when a dossier closed at the portal
    (the retention clock); and the minimal statistics record a purged dossier leaves behind."""
    db.execute("ALTER TABLE audit ADD COLUMN prev_hash TEXT")
    db.execute("ALTER TABLE audit ADD COLUMN entry_hash TEXT")
    previous = GENESIS
    rows = db.execute(
        "SELECT id, at, actor, action, dossier_uuid, from_status, to_status, reason FROM audit ORDER BY id"
    ).fetchall()
    for row in rows:
        current = entry_hash(previous, row[1:])
        db.execute("UPDATE audit SET prev_hash = ?, entry_hash = ? WHERE id = ?", [previous, current, row[0]])
        previous = current
    db.execute(
        """CREATE TABLE consents (
            dossier_uuid TEXT PRIMARY KEY REFERENCES dossiers(uuid) ON DELETE CASCADE,
            version TEXT NOT NULL,
            lang TEXT NOT NULL,
            text_sha256 TEXT NOT NULL,
            given_at TEXT NOT NULL,
            assisted_by TEXT NOT NULL
        )"""
    )
    db.execute("ALTER TABLE dossiers ADD COLUMN closed_at TEXT")
    db.execute("UPDATE dossiers SET closed_at = updated_at WHERE portal_status IN (3, 7, 8, 10)")
    db.execute(
        """CREATE TABLE purged_dossiers (
            uuid TEXT PRIMARY KEY,
            procedure_code TEXT NOT NULL,
            assisted_by TEXT NOT NULL,
            place_kind TEXT NOT NULL,
            village TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            portal_status INTEGER,
            created_at TEXT NOT NULL,
            closed_at TEXT,
            purged_at TEXT NOT NULL,
            consent_version TEXT,
            consent_given_at TEXT
        )"""
    )


def _m003_outbox(db: Database) -> None:
    """The outbox's record of each send (the exact payload frozen for a revision, and how far it got) and
    each portal's cursor of status changes."""
    db.execute(
        """CREATE TABLE outbox (
            dossier_uuid TEXT PRIMARY KEY REFERENCES dossiers(uuid) ON DELETE CASCADE,
            revision INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '',
            step TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            portal_url TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE sync_state (
            portal_url TEXT PRIMARY KEY,
            changes_cursor TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL
        )"""
    )


def _m004_hub(db: Database) -> None:
    """The supervisor's end of day (issue 8): this kit's own keys (Ed25519 to sign, X25519 to receive sealed
    bundles: secrets, so inside the encrypted database); on a team kit, the hub it is enrolled with; on the
    supervisor's kit, the review of each collected dossier revision and what its team kit was last told; and
    the bundles written and read."""
    db.execute(
        """CREATE TABLE kit_identity (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            kit_id TEXT NOT NULL,
            sign_key BLOB NOT NULL,
            box_key BLOB NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE hub_link (
            hub_id TEXT PRIMARY KEY,
            label TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            sign_public BLOB NOT NULL,
            box_public BLOB NOT NULL,
            account TEXT NOT NULL DEFAULT '',
            secret TEXT NOT NULL DEFAULT '',
            portal_url TEXT NOT NULL DEFAULT '',
            enrolled_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE reviews (
            uuid TEXT NOT NULL,
            revision INTEGER NOT NULL,
            kit_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            hub_code TEXT,
            content_sha256 TEXT NOT NULL,
            received_at TEXT NOT NULL,
            state TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            decided_by TEXT,
            decided_at TEXT,
            PRIMARY KEY (uuid, revision)
        )"""
    )
    db.execute("CREATE INDEX reviews_state ON reviews(state, received_at)")
    db.execute(
        """CREATE TABLE relayed (
            uuid TEXT PRIMARY KEY,
            ma_ho_so TEXT NOT NULL,
            status INTEGER NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE bundles (
            bundle_id TEXT PRIMARY KEY,
            direction TEXT NOT NULL,
            kind TEXT NOT NULL,
            peer TEXT NOT NULL,
            dossiers INTEGER NOT NULL,
            at TEXT NOT NULL
        )"""
    )


MIGRATIONS: list[Migration] = [_m001_initial, _m002_security, _m003_outbox, _m004_hub]


def current_version(db: Database) -> int:
    if "schema_migrations" not in db.table_names():
        return 0
    row = db.execute("SELECT MAX(number) FROM schema_migrations").fetchone()
    return row[0] or 0


def migrate(db: Database, steps: list[Migration] | None = None) -> list[int]:
    """Apply the migrations this database has not seen; return their numbers.

    `steps` is another database's own list (the sync server keeps its store with this same mechanism).

    BEGIN IMMEDIATE takes the write lock before reading the version, so two processes opening the same
    kit at once cannot both apply a step.
    """
    applied = []
    for number, step in enumerate(MIGRATIONS if steps is None else steps, start=1):
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            if number > current_version(db):
                step(db)
                db.execute(
                    "INSERT INTO schema_migrations (number, name, applied_at) VALUES (?, ?, ?)",
                    [number, step.__name__, datetime.now(UTC).isoformat(timespec="seconds")],
                )
                applied.append(number)
        except BaseException:
            db.rollback()
            raise
        db.commit()
    return applied
