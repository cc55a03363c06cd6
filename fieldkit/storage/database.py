"""Opening a kit's SQLite database: WAL, foreign keys, durable commits, and the schema brought up to date.

Every kit the product opens is SQLCipher-encrypted (`sqlcipher_connector`); the plain connector remains for
library use and tests of the storage layer.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlite_utils import Database

from fieldkit.core.errors import StorageError
from fieldkit.storage.migrations import Migration, migrate

# Opens a DB-API connection (sqlite3, or sqlcipher3's connection of the same shape).
Connector = Callable[[str], sqlite3.Connection]

# sqlcipher3 is a fork of the sqlite3 module with exceptions of its own: catch both families.
DATABASE_ERRORS = (sqlite3.DatabaseError, sqlcipher3.DatabaseError)
INTEGRITY_ERRORS = (sqlite3.IntegrityError, sqlcipher3.IntegrityError)

SQLITE_HEADER = b"SQLite format 3\x00"


class KitDatabase(Database):
    """sqlite-utils' Database whose transactions take the write lock when they begin.

    Several connections share a kit (the app's database thread, the sync thread, a `fieldkit` command in a
    terminal). A deferred transaction that reads and then writes cannot wait for another writer: SQLite
    refuses the upgrade at once ("database is locked") because its snapshot is stale. BEGIN IMMEDIATE waits
    (busy_timeout) for the lock instead, so concurrent writers queue up rather than fail.
    """

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        if self.conn.in_transaction:  # nested: a savepoint inside the transaction that holds the lock
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        self.conn.execute("COMMIT")


class LockedDatabase:
    """A database whose one connection serves a server's threads: every use of it under one lock."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self.db.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[Database]:
        with self._lock, self.db.atomic():
            yield self.db

    def _one(self, sql: str, params: list[Any]) -> tuple | None:
        with self._lock:
            return self.db.execute(sql, params).fetchone()


def plain_connect(path: str) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=10)


def sqlcipher_connector(key: bytes) -> Connector:
    """Connections to a SQLCipher 4 database under a raw 256-bit key: no PBKDF2 on open (the key already
    comes from argon2id and HKDF). Pages of the database and of its WAL are encrypted and authenticated."""
    if len(key) != 32:
        raise ValueError("SQLCipher raw keys are 32 bytes")

    def connect(path: str) -> sqlite3.Connection:
        conn = sqlcipher3.connect(path, timeout=10)
        # A wrong key is reported by FieldKit in the user's language, not by SQLCipher on stderr.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the key is checked here
        return conn

    return connect


def is_plain_sqlite(path: Path) -> bool:
    """An unencrypted SQLite file starts with its well-known header; a SQLCipher file looks random."""
    try:
        with path.open("rb") as fh:
            return fh.read(16) == SQLITE_HEADER
    except OSError:
        return False


def open_database(path: Path, connect: Connector = plain_connect, steps: list[Migration] | None = None) -> Database:
    """`steps`: another schema's migrations (the sync server's store); the kit's own by default."""
    try:
        conn = connect(str(path))
        db = KitDatabase(conn)
        with db.ensure_autocommit_on():
            db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit the user was told about survives a power cut, not only a crash.
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=10000")
        # Deleted rows (a purge) are overwritten, not left in free pages; sorts and temp tables stay in memory.
        db.execute("PRAGMA secure_delete=ON")
        db.execute("PRAGMA temp_store=MEMORY")
        migrate(db, steps)
    except DATABASE_ERRORS as exc:
        raise StorageError("error.database", path=str(path), reason=str(exc)) from exc
    return db
