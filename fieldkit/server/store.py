"""The server's own store: users and tokens, the files it holds, dossiers with every revision, and the
log of status changes the kits read with a cursor.

One SQLite file and a folder of files. Every method takes the store's lock: the web server calls in from
several threads, and SQLite wants one writer.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from fieldkit.core.catalog import base_code
from fieldkit.core.clock import Clock, SystemClock
from fieldkit.core.dates import from_iso, local_date, to_iso
from fieldkit.core.errors import UserError
from fieldkit.core.portal_format import (
    MAX_SEQUENCE,
    ChangePage,
    FileRef,
    FileState,
    Receipt,
    StatusChange,
    is_ma_ho_so,
    ma_ho_so,
)
from fieldkit.core.workflow import PORTAL_CLOSED, PortalStatus
from fieldkit.server.blobs import BlobStore, Bytes
from fieldkit.server.errors import ApiError
from fieldkit.server.passwords import check_password, hash_password, new_token, token_digest
from fieldkit.storage.database import Connector, LockedDatabase, open_database
from fieldkit.storage.datadir import prepare_data_dir

DATABASE_NAME = "sandbox.sqlite"
ROLES = ("worker", "trainer")
SESSION_RECHECK = timedelta(seconds=30)
# A dossier in one of these states takes no new revision: its life at the portal is over.
TAKES_NO_REVISION = PORTAL_CLOSED | {PortalStatus.PROCESSED}


def _m001_server(db: Database) -> None:
    """Users, tokens, files, dossiers and their revisions, status changes, MaHoSo counters."""
    db.execute(
        "CREATE TABLE users (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, "
        "created_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE tokens (digest TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES users(name) "
        "ON DELETE CASCADE, expires_at TEXT NOT NULL)"
    )
    # Counters kept for trainers and fault tests: every byte a client sent for a file, and how many
    # uploads were cut before their chunk arrived whole.
    db.execute(
        """CREATE TABLE blobs (
            sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, complete INTEGER NOT NULL DEFAULT 0,
            bytes_seen INTEGER NOT NULL DEFAULT 0, duplicate_bytes INTEGER NOT NULL DEFAULT 0,
            interrupted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, completed_at TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE dossiers (
            uuid TEXT PRIMARY KEY, ma_ho_so TEXT NOT NULL UNIQUE, revision INTEGER NOT NULL,
            ma_tthc TEXT NOT NULL, status INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '',
            owner TEXT NOT NULL, received_at TEXT NOT NULL, updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE revisions (
            uuid TEXT NOT NULL REFERENCES dossiers(uuid), revision INTEGER NOT NULL,
            content_sha256 TEXT NOT NULL, payload TEXT NOT NULL, received_at TEXT NOT NULL,
            PRIMARY KEY (uuid, revision)
        )"""
    )
    db.execute(
        """CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL, ma_ho_so TEXT NOT NULL,
            status INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '', owner TEXT NOT NULL, at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX changes_owner ON changes(owner, seq)")
    db.execute("CREATE TABLE counters (day TEXT PRIMARY KEY, last INTEGER NOT NULL)")


SERVER_MIGRATIONS = [_m001_server]


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def trainer(self) -> bool:
        return self.role == "trainer"


def shared_connect(path: str) -> sqlite3.Connection:
    """One connection shared by the server's threads, always used under the store's lock."""
    return sqlite3.connect(path, timeout=10, check_same_thread=False)


class ServerStore(LockedDatabase):
    """`connect` opens the database: plain for the training portal; a hub holding real citizens' dossiers
    passes an encrypted one (SQLCipher, as the kit's), which must allow use from several threads."""

    def __init__(self, data_dir: Path, clock: Clock | None = None, connect: Connector = shared_connect) -> None:
        self.data_dir = prepare_data_dir(Path(data_dir))
        self.clock = clock or SystemClock()
        super().__init__(open_database(self.data_dir / DATABASE_NAME, connect, SERVER_MIGRATIONS))
        self.blobs = BlobStore(self.data_dir / "files")
        # token digest -> (user, expires at, when read from the database)
        self._sessions: dict[str, tuple[User, datetime, datetime]] = {}
        self._sessions_lock = threading.Lock()

    @contextmanager
    def _relaxed_tx(self) -> Iterator[Database]:
        """A transaction not worth an fsync: file counters, which the partial file itself makes good after a
        crash. (WAL with synchronous=NORMAL stays consistent; it may only lose the last of these commits.)"""
        with self._lock:
            self.db.execute("PRAGMA synchronous=NORMAL")
            try:
                with self.db.atomic():
                    yield self.db
            finally:
                self.db.execute("PRAGMA synchronous=FULL")

    # -- users and tokens --------------------------------------------------------------------------------

    def add_user(self, name: str, password: str, role: str = "worker") -> bool:
        """Create the user, or set a new password and role for a known one; True when created."""
        if not name.strip() or len(name) > 64:
            raise UserError("error.sync.server.bad_username")
        if len(password) < 8:
            raise UserError("error.sync.server.short_password")
        if role not in ROLES:
            raise UserError("error.sync.server.bad_role", roles=", ".join(ROLES))
        password_hash = hash_password(password)
        with self._tx() as db:
            known = db.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone()
            db["users"].upsert(
                {"name": name, "password_hash": password_hash, "role": role, "created_at": self._now()}, pk="name"
            )
            if known:
                db.execute("DELETE FROM tokens WHERE username = ?", [name])  # a new password ends old sessions
        with self._sessions_lock:
            self._sessions = {k: v for k, v in self._sessions.items() if v[0].name != name}
        return known is None

    def has_users(self) -> bool:
        return self._one("SELECT 1 FROM users LIMIT 1", []) is not None

    def login(self, name: str, password: str, ttl: timedelta) -> tuple[str, datetime]:
        row = self._one("SELECT password_hash FROM users WHERE name = ?", [name])
        if not check_password(password, row[0] if row else None):
            raise ApiError(401, "bad_credentials", "sync.server.bad_credentials")
        return self.issue_token(name, ttl)

    def issue_token(self, name: str, ttl: timedelta) -> tuple[str, datetime]:
        token = new_token()
        expires_at = self.clock.now() + ttl
        with self._tx() as db:
            db.execute("DELETE FROM tokens WHERE expires_at < ?", [self._now()])
            db.execute(
                "INSERT INTO tokens (digest, username, expires_at) VALUES (?, ?, ?)",
                [token_digest(token), name, to_iso(expires_at)],
            )
        return token, expires_at

    def user_for(self, token: str) -> User:
        """Who holds this token. Answered from memory for a while after it was read, without the store's lock
        (the web server asks on every request, and must not wait behind a file being flushed to disk); a token
        revoked by another process (a new password from the command line) stops working within that while."""
        digest = token_digest(token)
        now = self.clock.now()
        with self._sessions_lock:
            known = self._sessions.get(digest)
        if known is None or now - known[2] > SESSION_RECHECK:
            row = self._one(
                "SELECT u.name, u.role, t.expires_at FROM tokens t JOIN users u ON u.name = t.username "
                "WHERE t.digest = ?",
                [digest],
            )
            known = (User(row[0], row[1]), from_iso(row[2]), now) if row else None
            with self._sessions_lock:
                if known is None:
                    self._sessions.pop(digest, None)
                else:
                    self._sessions[digest] = known
        if known is None:
            raise ApiError(401, "unauthorized", "sync.server.unauthorized", headers={"WWW-Authenticate": "Bearer"})
        if known[1] <= now:
            raise ApiError(
                401,
                "token_expired",
                "sync.server.token_expired",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return known[0]

    def revoke(self, token: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM tokens WHERE digest = ?", [token_digest(token)])
        with self._sessions_lock:
            self._sessions.pop(token_digest(token), None)

    # -- files -------------------------------------------------------------------------------------------

    def file_state(self, sha256: str) -> FileState:
        with self.blobs.holding(sha256):  # not halfway through a chunk
            with self._lock:
                declared = self._declared_size(sha256)
            return self.blobs.state(sha256, declared)

    def write_chunk(
        self, sha256: str, offset: int, data: Bytes | list[Bytes], total: int, max_file_bytes: int
    ) -> FileState:
        """Add bytes at `offset` (`data`: the chunk, or the pieces it arrived in). Bytes the server already holds
        are skipped (and counted), a gap is refused.

        The file is held by this thread alone while its bytes are hashed, written and flushed, without the
        store's lock: chunks of other files (another lane of the same kit, another kit) go on meanwhile."""
        if total > max_file_bytes:
            raise ApiError(
                413, "file_too_large", "sync.server.file_too_large", size_mb=_mb(total), limit_mb=_mb(max_file_bytes)
            )
        parts = data if isinstance(data, list) else [data]
        length = sum(len(part) for part in parts)
        with self.blobs.holding(sha256):
            with self._lock:
                declared = self._declared_size(sha256)
            if declared is not None and declared != total and not self.blobs.is_complete(sha256):
                raise ApiError(409, "file_size_conflict", "sync.server.file_size_conflict", size=declared)
            try:
                state, duplicate, completed = self.blobs.write(sha256, offset, parts, total)
            except ApiError as error:
                if error.code == "file_hash_mismatch":  # the bytes are gone: start the file afresh
                    with self._relaxed_tx() as db:
                        db.execute("DELETE FROM blobs WHERE sha256 = ?", [sha256])
                raise
            # The row after the bytes: a crash in between leaves a partial file without one, which the next
            # chunk's row describes (the file itself says how much is held).
            now = self._now()
            with self._relaxed_tx() as db:
                db.execute(
                    "INSERT INTO blobs (sha256, size, complete, bytes_seen, duplicate_bytes, created_at, completed_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET "
                    "bytes_seen = bytes_seen + excluded.bytes_seen, "
                    "duplicate_bytes = duplicate_bytes + excluded.duplicate_bytes, complete = excluded.complete, "
                    "completed_at = COALESCE(excluded.completed_at, completed_at)",
                    [sha256, total, state.complete, length, duplicate, now, now if completed else None],
                )
            return state

    def record_interrupted(self, sha256: str, seen: int) -> None:
        """A chunk whose sender went away before it arrived whole: nothing was written, the bytes are counted."""
        with self._relaxed_tx() as db:
            db.execute(
                "UPDATE blobs SET bytes_seen = bytes_seen + ?, interrupted = interrupted + 1 WHERE sha256 = ?",
                [seen, sha256],
            )

    def _declared_size(self, sha256: str) -> int | None:
        row = self.db.execute("SELECT size FROM blobs WHERE sha256 = ?", [sha256]).fetchone()
        return row[0] if row else None

    # -- dossiers ----------------------------------------------------------------------------------------

    def submit(
        self,
        owner: User,
        envelope: dict[str, Any],
        content_sha: str,
        files: list[FileRef],
        procedures: frozenset[str] | None,
        unit_code: str,
    ) -> tuple[Receipt, bool]:
        """Take a dossier's revision. The same content again gives the same receipt (idempotent)."""
        uuid, revision = envelope["uuid"], envelope["revision"]
        code = envelope["HoSo"]["MaTTHC"]
        if procedures is not None and base_code(code) not in procedures:
            raise ApiError(422, "unknown_procedure", "sync.server.unknown_procedure", code=code)
        with self._tx() as db:
            same = db.execute(
                "SELECT content_sha256 FROM revisions WHERE uuid = ? AND revision = ?", [uuid, revision]
            ).fetchone()
            if same is not None:
                if same[0] != content_sha:
                    raise ApiError(409, "revision_conflict", "sync.server.revision_conflict", revision=revision)
                return self._receipt(uuid, revision), False
            current = db.execute("SELECT revision, status FROM dossiers WHERE uuid = ?", [uuid]).fetchone()
            if current is not None and current[0] > revision:
                raise ApiError(409, "stale_revision", "sync.server.stale_revision", revision=current[0])
            if current is not None and PortalStatus(current[1]) in TAKES_NO_REVISION:
                raise ApiError(409, "dossier_closed", "sync.server.dossier_closed")
            self._check_files(files)
            now = self.clock.now()
            payload = json.dumps(envelope, ensure_ascii=False, sort_keys=True)
            if current is None:
                code_given = self._next_code(unit_code, now)
                # Plain SQL on this path (and below): sqlite-utils reads the table's columns on every insert.
                db.execute(
                    "INSERT INTO dossiers (uuid, ma_ho_so, revision, ma_tthc, status, note, owner, received_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?)",
                    [uuid, code_given, revision, code, int(PortalStatus.NEW), owner.name, to_iso(now), to_iso(now)],
                )
                self._log_change(uuid, PortalStatus.NEW, "", now)
            else:
                # Documents added after "more documents requested": the dossier is registered anew.
                db.execute(
                    "UPDATE dossiers SET revision = ?, ma_tthc = ?, status = ?, note = '', updated_at = ? "
                    "WHERE uuid = ?",
                    [revision, code, int(PortalStatus.NEW), to_iso(now), uuid],
                )
                self._log_change(uuid, PortalStatus.NEW, "", now)
            db.execute(
                "INSERT INTO revisions (uuid, revision, content_sha256, payload, received_at) VALUES (?, ?, ?, ?, ?)",
                [uuid, revision, content_sha, payload, to_iso(now)],
            )
            return self._receipt(uuid, revision), True

    def _check_files(self, files: list[FileRef]) -> None:
        missing = []
        for ref in files:
            declared = self._declared_size(ref.sha256)
            if declared is not None and declared != ref.size:
                raise ApiError(422, "file_size_conflict", "sync.server.file_size_conflict", size=declared)
            if not self.blobs.is_complete(ref.sha256):
                missing.append(ref.sha256)
        if missing:
            error = ApiError(409, "files_missing", "sync.server.files_missing", count=len(missing))
            error.details = {"missing": missing}
            raise error

    def _next_code(self, unit_code: str, now: datetime) -> str:
        day = local_date(now)
        row = self.db.execute("SELECT last FROM counters WHERE day = ?", [day.isoformat()]).fetchone()
        number = (row[0] if row else 0) + 1
        if number > MAX_SEQUENCE:
            raise ApiError(503, "day_full", "sync.server.day_full")
        self.db.execute(
            "INSERT INTO counters (day, last) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET last = excluded.last",
            [day.isoformat(), number],
        )
        return ma_ho_so(unit_code, day, number)

    def _receipt(self, uuid: str, revision: int) -> Receipt:
        row = self.db.execute(
            "SELECT d.ma_ho_so, d.status, d.note, r.received_at FROM dossiers d "
            "JOIN revisions r ON r.uuid = d.uuid AND r.revision = ? WHERE d.uuid = ?",
            [revision, uuid],
        ).fetchone()
        return Receipt(uuid, revision, row[0], PortalStatus(row[1]), from_iso(row[3]), row[2])

    # -- status ------------------------------------------------------------------------------------------

    def set_status(self, dossier: str, status: PortalStatus, note: str = "") -> StatusChange:
        """A trainer (or the province's back office) moves a dossier on; `dossier` is its MaHoSo or UUID."""
        if status in (PortalStatus.MORE_DOCUMENTS, PortalStatus.NOT_ACCEPTED) and not note.strip():
            raise ApiError(422, "note_required", "sync.server.note_required")
        column = "ma_ho_so" if is_ma_ho_so(dossier) else "uuid"
        with self._tx() as db:
            row = db.execute(f"SELECT uuid FROM dossiers WHERE {column} = ?", [dossier]).fetchone()
            if row is None:
                raise ApiError(404, "not_found", "sync.server.dossier_not_found", dossier=dossier)
            now = self.clock.now()
            db.execute(
                "UPDATE dossiers SET status = ?, note = ?, updated_at = ? WHERE uuid = ?",
                [int(status), note.strip(), to_iso(now), row[0]],
            )
            return self._log_change(row[0], status, note.strip(), now)

    def _log_change(self, uuid: str, status: PortalStatus, note: str, now: datetime) -> StatusChange:
        code, owner = self.db.execute("SELECT ma_ho_so, owner FROM dossiers WHERE uuid = ?", [uuid]).fetchone()
        cursor = self.db.execute(
            "INSERT INTO changes (uuid, ma_ho_so, status, note, owner, at) VALUES (?, ?, ?, ?, ?, ?)",
            [uuid, code, int(status), note, owner, to_iso(now)],
        )
        return StatusChange(cursor.lastrowid, uuid, code, status, note, now)

    def changes(self, owner: User, since: str, limit: int) -> ChangePage:
        """Changes to the owner's dossiers after the cursor (a trainer sees all); the cursor is opaque."""
        try:
            after = int(since or 0)
        except ValueError:
            raise ApiError(400, "bad_cursor", "sync.server.bad_cursor") from None
        where, params = ("seq > ?", [after]) if owner.trainer else ("owner = ? AND seq > ?", [owner.name, after])
        with self._lock:
            rows = self.db.execute(
                f"SELECT seq, uuid, ma_ho_so, status, note, at FROM changes WHERE {where} ORDER BY seq LIMIT ?",
                [*params, limit + 1],
            ).fetchall()
        more = len(rows) > limit
        items = tuple(
            StatusChange(seq, uuid, code, PortalStatus(status), note, from_iso(at))
            for seq, uuid, code, status, note, at in rows[:limit]
        )
        cursor = str(items[-1].sequence) if items else str(after)
        return ChangePage(items, cursor, more)

    # -- what the trainer sees ---------------------------------------------------------------------------

    def dossiers(self, verify: bool = False) -> list[dict[str, Any]]:
        """Every dossier held: UUID, revision, MaHoSo, status, and each file's sha256 and size."""
        with self._lock:
            rows = self.db.execute(
                "SELECT d.uuid, d.revision, d.ma_ho_so, d.status, d.note, d.ma_tthc, d.owner, d.received_at, "
                "d.updated_at, r.payload FROM dossiers d JOIN revisions r ON r.uuid = d.uuid AND "
                "r.revision = d.revision ORDER BY d.received_at, d.ma_ho_so"
            ).fetchall()
            stats = {
                row[0]: row[1:]
                for row in self.db.execute(
                    "SELECT sha256, bytes_seen, duplicate_bytes, interrupted FROM blobs"
                ).fetchall()
            }
        listed = []
        for uuid, revision, code, status, note, ma_tthc, owner, received_at, updated_at, payload in rows:
            files = []
            for item in json.loads(payload)["HoSo"]["TaiLieuNop"]:
                sha = item["TepDinhKemId"]
                seen, duplicate, interrupted = stats.get(sha, (0, 0, 0))
                entry = {
                    "sha256": sha,
                    "size": item["KichThuoc"],
                    "MaThanhPhanHoSo": item["MaThanhPhanHoSo"],
                    "present": self.blobs.is_complete(sha),
                    "bytes_seen": seen,
                    "duplicate_bytes": duplicate,
                    "interrupted_chunks": interrupted,
                }
                if verify:
                    entry["verified"] = self.blobs.verify(sha)
                files.append(entry)
            listed.append(
                {
                    "uuid": uuid,
                    "revision": revision,
                    "MaHoSo": code,
                    "MaTTHC": ma_tthc,
                    "TrangThaiHoSo": status,
                    "GhiChu": note,
                    "owner": owner,
                    "received_at": received_at,
                    "updated_at": updated_at,
                    "files": files,
                }
            )
        return listed

    def _now(self) -> str:
        return to_iso(self.clock.now())


def _mb(size: int) -> float:
    return round(size / 2**20, 1)
