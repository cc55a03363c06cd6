"""Opening a kit's SQLite database: WAL, foreign keys, durable commits, and the schema brought up to date."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from fieldkit.core.errors import StorageError
from fieldkit.storage.migrations import Migration, migrate

# Opens a DB-API connection; the security layer passes one that opens SQLCipher with the kit's key.
Connector = Callable[[str], sqlite3.Connection]


def plain_connect(path: str) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=10)


def open_database(path: Path, connect: Connector = plain_connect, steps: list[Migration] | None = None) -> Database:
    """`steps`: another schema's migrations (the sync server's store); the kit's own by default."""
    try:
        conn = connect(str(path))
        db = Database(conn)
        with db.ensure_autocommit_on():
            db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit the user was told about survives a power cut, not only a crash.
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=10000")
        migrate(db, steps)
    except sqlite3.DatabaseError as exc:
        raise StorageError("error.database", path=str(path), reason=str(exc)) from exc
    return db
