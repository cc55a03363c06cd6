"""The hub's stores, inside the supervisor's kit folder and encrypted under keys derived from its data key:

- `HubStore`: the sync server's own store (the training portal's, unchanged protocol), whose accounts are the
  enrolled kits only. It adds what a hub does beyond a portal: accounts made at enrolment, the portal's answers
  relayed to the team kits (the portal's MaHoSo replaces the hub's own), received files dropped once collected.
- `KitRegistry`: the kits enrolled with this hub (their public keys) and the pairing codes on offer.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlite_utils import Database

from fieldkit.core.clock import Clock
from fieldkit.core.dates import from_iso, to_iso
from fieldkit.core.errors import UserError
from fieldkit.core.portal_format import FileRef, Receipt, StatusChange
from fieldkit.core.workflow import PortalStatus
from fieldkit.server.store import ServerStore, User, shared_connect
from fieldkit.storage.database import LockedDatabase, open_database
from fieldkit.storage.identity import PublicIdentity
from fieldkit.storage.keys import subkey
from fieldkit.storage.kit import Kit

HUB_FOLDER = "hub"
REGISTRY_NAME = "registry.sqlite"
ACCOUNT_PREFIX = "kit-"
# A kit account's password hash that no password matches: a kit enrolled by file sends by bundle only.
NO_PASSWORD = "!"


def account_of(kit_id: str) -> str:
    return ACCOUNT_PREFIX + kit_id


def kit_of(account: str) -> str:
    return account.removeprefix(ACCOUNT_PREFIX)


def shared_sqlcipher(key: bytes) -> Callable[[str], sqlite3.Connection]:
    """One encrypted connection shared by the server's threads (each store uses it under its own lock)."""

    def connect(path: str) -> sqlite3.Connection:
        conn = sqlcipher3.connect(path, timeout=10, check_same_thread=False)
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn

    return connect


@dataclass(frozen=True)
class HeldRevision:
    """A dossier revision the hub took from a team kit, as the collector reads it."""

    uuid: str
    revision: int
    account: str
    content_sha256: str
    envelope: dict[str, Any]
    ma_ho_so: str
    received_at: datetime


class HubStore(ServerStore):
    def __init__(
        self,
        data_dir: Path,
        clock: Clock | None = None,
        connect=None,
        on_revision: Callable[[str, int], None] | None = None,
    ) -> None:
        super().__init__(data_dir, clock, connect or shared_connect)
        # Told of every new revision (the hub's collector then moves it into the supervisor's kit).
        self.on_revision = on_revision

    def submit(self, owner: User, envelope, content_sha, files: list[FileRef], procedures, unit_code, notify=True):
        """`notify=False`: the caller collects the revision itself (a bundle import, with what the bundle carries)."""
        receipt, created = super().submit(owner, envelope, content_sha, files, procedures, unit_code)
        if created and notify and self.on_revision is not None:
            self.on_revision(receipt.uuid, receipt.revision)
        return receipt, created

    # -- accounts of enrolled kits -----------------------------------------------------------------------

    def open_account(self, account: str, password_hash: str) -> None:
        """The kit's account, with the scrypt hash its kit sent (the password itself never travelled)."""
        with self._tx() as db:
            db["users"].upsert(
                {"name": account, "password_hash": password_hash, "role": "worker", "created_at": self._now()},
                pk="name",
            )
            db.execute("DELETE FROM tokens WHERE username = ?", [account])

    def close_account(self, account: str) -> None:
        """A revoked kit: its password opens nothing and its tokens end now."""
        with self._tx() as db:
            db.execute("UPDATE users SET password_hash = ? WHERE name = ?", [NO_PASSWORD, account])
            db.execute("DELETE FROM tokens WHERE username = ?", [account])

    def has_account(self, account: str) -> bool:
        return self._one("SELECT 1 FROM users WHERE name = ?", [account]) is not None

    def owner(self, account: str) -> User:
        return User(account, "worker")

    # -- what the collector reads ------------------------------------------------------------------------

    def held_revisions(self) -> list[HeldRevision]:
        with self._lock:
            rows = self.db.execute(
                "SELECT d.uuid, d.revision, d.owner, r.content_sha256, r.payload, d.ma_ho_so, r.received_at "
                "FROM dossiers d JOIN revisions r ON r.uuid = d.uuid AND r.revision = d.revision "
                "ORDER BY r.received_at, r.rowid"
            ).fetchall()
        return [
            HeldRevision(uuid, revision, owner, sha, json.loads(payload), code, from_iso(at))
            for uuid, revision, owner, sha, payload, code, at in rows
        ]

    def file_bytes(self, sha256: str) -> bytes:
        with self._lock:
            return self.blobs.path(sha256).read_bytes()

    def drop_files(self, sha256s: set[str]) -> int:
        """Delete received files once they are in the supervisor's (encrypted) vault: no scan stays plain on disk."""
        dropped = 0
        for sha in sha256s:
            # The file's own lock first, as a chunk's writer takes them: never half-way through its chunk.
            with self.blobs.holding(sha), self._tx() as db:
                path = self.blobs.path(sha)
                if path.exists():
                    path.unlink()
                    dropped += 1
                db.execute("DELETE FROM blobs WHERE sha256 = ?", [sha])
        return dropped

    # -- answers going back to the team kits -------------------------------------------------------------

    def current(self, uuid: str) -> tuple[int, str, PortalStatus, str] | None:
        """(revision, MaHoSo, status, note) of the dossier as the team kit sees it."""
        row = self._one("SELECT revision, ma_ho_so, status, note FROM dossiers WHERE uuid = ?", [uuid])
        return (row[0], row[1], PortalStatus(row[2]), row[3]) if row else None

    def relay(self, uuid: str, ma_ho_so: str, status: PortalStatus, note: str) -> StatusChange:
        """Tell the team kit (through its changes cursor) what became of its dossier: the portal's MaHoSo and
        status, or the supervisor's return with a note."""
        with self._tx() as db:
            now = self.clock.now()
            db.execute(
                "UPDATE dossiers SET ma_ho_so = ?, status = ?, note = ?, updated_at = ? WHERE uuid = ?",
                [ma_ho_so, int(status), note, to_iso(now), uuid],
            )
            return self._log_change(uuid, status, note, now)

    def receipts_for(self, account: str) -> list[tuple[Receipt, str]]:
        """Every dossier this kit's account holds here, as receipts with the content hash of their revision:
        what a reply bundle carries back to a kit that never sees the network."""
        with self._lock:
            rows = self.db.execute(
                "SELECT d.uuid, d.revision, d.ma_ho_so, d.status, d.note, d.received_at, r.content_sha256 "
                "FROM dossiers d JOIN revisions r ON r.uuid = d.uuid AND r.revision = d.revision "
                "WHERE d.owner = ? ORDER BY d.received_at, d.uuid",
                [account],
            ).fetchall()
        return [
            (Receipt(uuid, revision, code, PortalStatus(status), from_iso(at), note), sha)
            for uuid, revision, code, status, note, at, sha in rows
        ]


# -- enrolled kits and pairing codes ----------------------------------------------------------------------


def _m001_registry(db: Database) -> None:
    """Kits enrolled with this hub (public keys, account, the last audit head each reported) and the one-time
    pairing codes on offer (the key derived from each code, never the code)."""
    db.execute(
        """CREATE TABLE kits (
            kit_id TEXT PRIMARY KEY, label TEXT NOT NULL DEFAULT '', sign_public BLOB NOT NULL,
            box_public BLOB NOT NULL, account TEXT NOT NULL, channel TEXT NOT NULL, enrolled_at TEXT NOT NULL,
            revoked_at TEXT, audit_head INTEGER, audit_hash TEXT, last_seen TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE pairing (
            pairing_id TEXT PRIMARY KEY, mac_key BLOB NOT NULL, expires_at TEXT NOT NULL,
            used_at TEXT, failures INTEGER NOT NULL DEFAULT 0
        )"""
    )


REGISTRY_MIGRATIONS = [_m001_registry]


@dataclass(frozen=True)
class EnrolledKit:
    identity: PublicIdentity
    account: str
    channel: str  # network (paired by code) | file (public-key file)
    enrolled_at: datetime
    revoked_at: datetime | None
    audit_head: int | None
    audit_hash: str | None
    last_seen: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


_KIT_COLUMNS = (
    "kit_id, label, sign_public, box_public, account, channel, enrolled_at, revoked_at, audit_head, audit_hash, "
    "last_seen"
)


class KitRegistry(LockedDatabase):
    def __init__(self, path: Path, connect, clock: Clock) -> None:
        super().__init__(open_database(path, connect, REGISTRY_MIGRATIONS))
        self.clock = clock

    def kits(self) -> list[EnrolledKit]:
        with self._lock:
            rows = self.db.execute(f"SELECT {_KIT_COLUMNS} FROM kits ORDER BY enrolled_at, kit_id").fetchall()
        return [_enrolled(row) for row in rows]

    def find(self, kit_id: str) -> EnrolledKit | None:
        with self._lock:
            row = self.db.execute(f"SELECT {_KIT_COLUMNS} FROM kits WHERE kit_id = ?", [kit_id]).fetchone()
        return _enrolled(row) if row else None

    def lookup(self, text: str) -> EnrolledKit:
        """By kit id, a prefix of it (6+ characters), or its label."""
        matches = [k for k in self.kits() if k.identity.kit_id == text or k.identity.label == text] or [
            k for k in self.kits() if len(text) >= 6 and k.identity.kit_id.startswith(text)
        ]
        if len(matches) != 1:
            raise UserError("error.hub.kit_unknown", kit=text)
        return matches[0]

    def enrol(self, identity: PublicIdentity, channel: str, now: datetime) -> EnrolledKit:
        """Record the kit and its keys; enrolling again (a new pairing) replaces its keys and lifts a revocation."""
        with self._tx() as db:
            db["kits"].upsert(
                {
                    "kit_id": identity.kit_id,
                    "label": identity.label,
                    "sign_public": identity.sign_public,
                    "box_public": identity.box_public,
                    "account": account_of(identity.kit_id),
                    "channel": channel,
                    "enrolled_at": to_iso(now),
                    "revoked_at": None,
                },
                pk="kit_id",
            )
        found = self.find(identity.kit_id)
        assert found is not None
        return found

    def revoke(self, kit_id: str, now: datetime) -> None:
        with self._tx() as db:
            db.execute("UPDATE kits SET revoked_at = ? WHERE kit_id = ?", [to_iso(now), kit_id])

    def seen(self, kit_id: str, audit_head: tuple[int, str] | None, now: datetime) -> None:
        """The kit was heard from; its audit head, written here, exposes a chain rebuilt on the kit later."""
        with self._tx() as db:
            if audit_head is None:
                db.execute("UPDATE kits SET last_seen = ? WHERE kit_id = ?", [to_iso(now), kit_id])
            else:
                db.execute(
                    "UPDATE kits SET last_seen = ?, audit_head = ?, audit_hash = ? WHERE kit_id = ?",
                    [to_iso(now), audit_head[0], audit_head[1], kit_id],
                )

    # -- pairing codes -----------------------------------------------------------------------------------

    def offer_pairing(self, pairing_id: str, mac_key: bytes, expires_at: datetime) -> None:
        """One code on offer at a time: a new one withdraws the others."""
        with self._tx() as db:
            db.execute("DELETE FROM pairing")
            db["pairing"].insert(
                {"pairing_id": pairing_id, "mac_key": mac_key, "expires_at": to_iso(expires_at)}, pk="pairing_id"
            )

    def open_pairings(self, now: datetime) -> list[tuple[str, bytes]]:
        with self._lock:
            rows = self.db.execute(
                "SELECT pairing_id, mac_key, expires_at FROM pairing WHERE used_at IS NULL AND failures < ?",
                [MAX_PAIRING_FAILURES],
            ).fetchall()
        return [(pid, key) for pid, key, expires in rows if from_iso(expires) > now]

    def pairing_failed(self) -> None:
        with self._tx() as db:
            db.execute("UPDATE pairing SET failures = failures + 1 WHERE used_at IS NULL")

    def pairing_used(self, pairing_id: str, now: datetime) -> bool:
        """Spend the code; False when another kit spent it first."""
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE pairing SET used_at = ? WHERE pairing_id = ? AND used_at IS NULL", [to_iso(now), pairing_id]
            )
            return cursor.rowcount == 1


# Wrong pairing attempts before the code is burnt (each costs a guesser a round trip and a scrypt run).
MAX_PAIRING_FAILURES = 5


def _enrolled(row: tuple) -> EnrolledKit:
    kit_id, label, sign, box, account, channel, enrolled_at, revoked_at, head, head_hash, last_seen = row
    return EnrolledKit(
        PublicIdentity(kit_id, label, sign, box),
        account,
        channel,
        from_iso(enrolled_at),
        from_iso(revoked_at) if revoked_at else None,
        head,
        head_hash,
        from_iso(last_seen) if last_seen else None,
    )


@dataclass
class Hub:
    """The hub's two stores, opened from the supervisor's unlocked kit."""

    store: HubStore
    registry: KitRegistry

    def close(self) -> None:
        self.store.close()
        self.registry.close()

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_hub(kit: Kit, on_revision: Callable[[str, int], None] | None = None) -> Hub:
    """The supervisor kit's hub stores, encrypted (SQLCipher) under keys derived from the kit's data key."""
    if kit.data_key is None:
        raise UserError("error.kit.not_encrypted")
    folder = kit.data_dir / HUB_FOLDER
    store = HubStore(
        folder, kit.clock, shared_sqlcipher(subkey(kit.data_key, b"fieldkit/hub-database/v1")), on_revision
    )
    registry = KitRegistry(
        folder / REGISTRY_NAME, shared_sqlcipher(subkey(kit.data_key, b"fieldkit/hub-registry/v1")), kit.clock
    )
    return Hub(store, registry)
