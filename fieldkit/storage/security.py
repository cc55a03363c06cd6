"""The only way the product opens a kit: with a user's name and password, always encrypted.

`init_kit` makes a new encrypted kit and its first administrator; `unlock_kit` checks a password, unwraps the
kit's data key and opens the database (SQLCipher) and the vault (AES-256-GCM) under keys derived from it;
`resume` unlocks a session that locked itself after idle time (or lets another worker take over).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fieldkit.core.clock import Clock, SystemClock
from fieldkit.core.dossier import AuditEntry
from fieldkit.core.errors import UserError
from fieldkit.core.roles import Actor, Role
from fieldkit.core.session import Session
from fieldkit.storage.accounts import Accounts
from fieldkit.storage.audit import AuditLog
from fieldkit.storage.database import sqlcipher_connector
from fieldkit.storage.datadir import prepare_data_dir
from fieldkit.storage.keys import KdfParams, calibrate, random_key, subkey
from fieldkit.storage.kit import DATABASE_NAME, Kit
from fieldkit.storage.vault import AesGcmCodec


@dataclass(frozen=True)
class KitKeys:
    """Subkeys of the data key, one per use."""

    database: bytes
    vault_content: bytes
    vault_names: bytes

    @classmethod
    def from_data_key(cls, data_key: bytes) -> KitKeys:
        return cls(
            subkey(data_key, b"fieldkit/database/v1"),
            subkey(data_key, b"fieldkit/vault-content/v1"),
            subkey(data_key, b"fieldkit/vault-names/v1"),
        )


def open_with_key(data_dir: Path, data_key: bytes, clock: Clock | None = None) -> Kit:
    keys = KitKeys.from_data_key(data_key)
    kit = Kit.open(
        data_dir,
        clock=clock,
        connect=sqlcipher_connector(keys.database),
        codec=AesGcmCodec(keys.vault_content, keys.vault_names),
    )
    kit.data_key = data_key
    return kit


def is_initialised(data_dir: Path) -> bool:
    return Accounts.exists_in(Path(data_dir))


def init_kit(
    data_dir: Path,
    admin: str,
    password: str,
    *,
    clock: Clock | None = None,
    kdf: KdfParams | None = None,
) -> tuple[Kit, Session]:
    """A new encrypted kit with its administrator. `kdf` defaults to argon2id parameters measured on this
    machine to cost at least 0.3 s per guess (tests pass cheaper ones to stay fast)."""
    data_dir = prepare_data_dir(Path(data_dir))
    clock = clock or SystemClock()
    if Accounts.exists_in(data_dir):
        raise UserError("error.init.exists", data_dir=str(data_dir))
    if (data_dir / DATABASE_NAME).exists():
        raise UserError("error.init.plain_kit", data_dir=str(data_dir))
    if os.name == "posix":  # other accounts on the machine have no business in the folder (it is encrypted too)
        os.chmod(data_dir, 0o700)
    now = clock.now()
    accounts = Accounts.new(data_dir, kdf or calibrate())
    data_key = random_key()
    account = accounts.add(admin, Role.ADMIN, password, data_key, now)
    accounts.save()  # first: a crash after it leaves a kit that unlocks and creates its database then
    kit = open_with_key(data_dir, data_key, clock)
    log = AuditLog(kit.db)
    log.append(
        AuditEntry(
            now,
            account.username,
            "kit_initialised",
            reason=f"kdf=argon2id t={accounts.kdf.time_cost}"
            f" m={accounts.kdf.memory_kib}KiB p={accounts.kdf.parallelism}",
        )
    )
    log.append(AuditEntry(now, account.username, "user_added", reason=f"user={account.username} role=admin"))
    return kit, _session(kit, Actor(account.username, account.role))


def unlock_kit(data_dir: Path, username: str, password: str, *, clock: Clock | None = None) -> tuple[Kit, Session]:
    """Check the password and open the kit; a wrong password opens nothing and says so (AuthFailed)."""
    data_dir = Path(data_dir)
    clock = clock or SystemClock()
    accounts = Accounts.load(data_dir)
    account, data_key, missed = accounts.unlock(username, password, clock.now())
    kit = open_with_key(data_dir, data_key, clock)
    log = AuditLog(kit.db)
    now = clock.now()
    if missed:
        log.append(AuditEntry(now, account.username, "login_failed", reason=f"attempts={missed}"))
    log.append(AuditEntry(now, account.username, "login", reason=f"role={account.role.value}"))
    return kit, _session(kit, Actor(account.username, account.role))


def resume(kit: Kit, session: Session, username: str, password: str) -> Session:
    """Unlock a locked session with a password: the same worker, or another one taking over the laptop."""
    now = kit.clock.now()
    accounts = Accounts.load(kit.data_dir)
    account, data_key, missed = accounts.unlock(username, password, now)
    if data_key != kit.data_key:  # an accounts file from another kit
        raise UserError("error.auth.other_kit")
    log = AuditLog(kit.db)
    if missed:
        log.append(AuditEntry(now, account.username, "login_failed", reason=f"attempts={missed}"))
    previous = session.user.username
    action = "unlock" if account.username == previous else "user_switched"
    log.append(AuditEntry(now, account.username, action, reason="" if action == "unlock" else f"from={previous}"))
    session.unlocked(Actor(account.username, account.role), now)
    return session


def _session(kit: Kit, user: Actor) -> Session:
    minutes = kit.settings.get("lock_after_minutes")
    return Session(user, kit.clock.now(), idle_limit=timedelta(minutes=minutes))
