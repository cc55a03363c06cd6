"""The kit's local accounts, in `<data dir>/accounts.json`, beside (not inside) the encrypted database:
they are needed before it can be opened. They hold no citizen data — names of team members, roles, argon2id
parameters and salts, password verifiers, each user's wrapped copy of the data key, and the count of wrong
passwords (kept here so restarting the app does not reset the wait).
"""

from __future__ import annotations

import hmac
import json
import os
import uuid as uuidlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from fieldkit.core.accounts import check_new_password, clean_username, wait_after
from fieldkit.core.dates import from_iso, to_iso
from fieldkit.core.errors import StorageError, UserError
from fieldkit.core.roles import Role
from fieldkit.storage.keys import (
    KdfParams,
    b64,
    derive_from_password,
    random_salt,
    unb64,
    unwrap_key,
    wrap_key,
)
from fieldkit.storage.vault import atomic_write

ACCOUNTS_NAME = "accounts.json"
FORMAT = 1


class AuthFailed(UserError):
    """Wrong user name or password: one message for both, so the message does not tell which names exist."""

    key = "error.auth.failed"


class TooManyAttempts(UserError):
    key = "error.auth.wait"


class AccountDisabled(UserError):
    key = "error.auth.disabled"


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    kdf: KdfParams
    salt: bytes
    verifier: bytes
    wrapped_key: bytes | None  # None once disabled: the password no longer opens anything
    created_at: datetime
    password_changed_at: datetime
    failures: int = 0
    retry_after: datetime | None = None
    # Wrong passwords since the last successful login, reported into the audit log at that login.
    unreported_failures: int = 0

    @property
    def disabled(self) -> bool:
        return self.wrapped_key is None

    def to_json(self) -> dict:
        return {
            "role": self.role.value,
            "kdf": {**self.kdf.to_json(), "salt": b64(self.salt)},
            "password_verifier": b64(self.verifier),
            "wrapped_data_key": b64(self.wrapped_key) if self.wrapped_key else None,
            "disabled": self.disabled,
            "created_at": to_iso(self.created_at),
            "password_changed_at": to_iso(self.password_changed_at),
            "failed_attempts": self.failures,
            "retry_after": to_iso(self.retry_after) if self.retry_after else None,
            "unreported_failures": self.unreported_failures,
        }

    @classmethod
    def from_json(cls, username: str, data: dict) -> Account:
        wrapped = data.get("wrapped_data_key")
        return cls(
            username=username,
            role=Role(data["role"]),
            kdf=KdfParams.from_json(data["kdf"]),
            salt=unb64(data["kdf"]["salt"]),
            verifier=unb64(data["password_verifier"]),
            wrapped_key=unb64(wrapped) if wrapped and not data.get("disabled") else None,
            created_at=from_iso(data["created_at"]),
            password_changed_at=from_iso(data["password_changed_at"]),
            failures=int(data.get("failed_attempts", 0)),
            retry_after=from_iso(data["retry_after"]) if data.get("retry_after") else None,
            unreported_failures=int(data.get("unreported_failures", 0)),
        )


@dataclass
class Accounts:
    path: Path
    kit_id: str
    kdf: KdfParams  # what new passwords on this kit cost (measured when the kit was made)
    users: dict[str, Account] = field(default_factory=dict)

    # -- file --------------------------------------------------------------------------------------------

    @classmethod
    def path_in(cls, data_dir: Path) -> Path:
        return Path(data_dir) / ACCOUNTS_NAME

    @classmethod
    def exists_in(cls, data_dir: Path) -> bool:
        return cls.path_in(data_dir).exists()

    @classmethod
    def new(cls, data_dir: Path, kdf: KdfParams) -> Accounts:
        return cls(cls.path_in(data_dir), str(uuidlib.uuid4()), kdf)

    @classmethod
    def load(cls, data_dir: Path) -> Accounts:
        path = cls.path_in(data_dir)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UserError("error.kit.not_initialised", data_dir=str(data_dir)) from None
        except (OSError, ValueError) as exc:
            raise StorageError("error.accounts.unreadable", path=str(path)) from exc
        try:
            if data.get("format") != FORMAT:
                raise ValueError("unknown format")
            users = {name: Account.from_json(name, entry) for name, entry in data["users"].items()}
            return cls(path, data["kit_id"], KdfParams.from_json(data["kdf"]), users)
        except (KeyError, TypeError, ValueError) as exc:
            raise StorageError("error.accounts.unreadable", path=str(path)) from exc

    def save(self) -> None:
        data = {
            "format": FORMAT,
            "about": "FieldKit local accounts. No citizen data. Losing every password loses the kit's data.",
            "kit_id": self.kit_id,
            "kdf": self.kdf.to_json(),
            "users": {name: account.to_json() for name, account in sorted(self.users.items())},
        }
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        atomic_write(self.path, text.encode("utf-8"), self.path.parent / ".tmp")
        if os.name == "posix":  # nothing secret, but nobody else on the machine needs to read it
            os.chmod(self.path, 0o600)

    # -- accounts ----------------------------------------------------------------------------------------

    def get(self, username: str) -> Account:
        account = self.users.get(username)
        if account is None:
            raise UserError("error.user.unknown", name=username)
        return account

    def active_admins(self) -> list[str]:
        return [a.username for a in self.users.values() if a.role is Role.ADMIN and not a.disabled]

    def add(self, username: str, role: Role, password: str, data_key: bytes, now: datetime) -> Account:
        name = clean_username(username)
        if name in self.users:
            raise UserError("error.user.exists", name=name)
        check_new_password(password)
        account = self._with_password(name, role, password, data_key, now, created_at=now)
        self.users[name] = account
        return account

    def set_password(self, username: str, password: str, data_key: bytes, now: datetime) -> Account:
        """Re-wrap the data key under the new password (also re-enables a disabled account)."""
        check_new_password(password)
        current = self.get(username)
        account = self._with_password(username, current.role, password, data_key, now, current.created_at)
        self.users[username] = account
        return account

    def set_role(self, username: str, role: Role) -> Account:
        account = self.get(username)
        if account.role is Role.ADMIN and role is not Role.ADMIN and self.active_admins() == [username]:
            raise UserError("error.user.last_admin")
        self.users[username] = replace(account, role=role)
        return self.users[username]

    def disable(self, username: str) -> Account:
        """Forget the user's wrapped key: their password no longer opens the kit, even with a copy of the code."""
        account = self.get(username)
        if self.active_admins() == [username]:
            raise UserError("error.user.last_admin")
        self.users[username] = replace(account, wrapped_key=None)
        return self.users[username]

    def _with_password(
        self, name: str, role: Role, password: str, data_key: bytes, now: datetime, created_at: datetime
    ) -> Account:
        salt = random_salt()
        secrets = derive_from_password(password, salt, self.kdf)
        return Account(
            username=name,
            role=role,
            kdf=self.kdf,
            salt=salt,
            verifier=secrets.verifier,
            wrapped_key=wrap_key(secrets.kek, data_key, _label(self.kit_id, name)),
            created_at=created_at,
            password_changed_at=now,
        )

    # -- signing in --------------------------------------------------------------------------------------

    def unlock(self, username: str, password: str, now: datetime) -> tuple[Account, bytes, int]:
        """(account, data key, wrong passwords since the last login) for the right password.

        Every refusal costs the same argon2id run, so timing does not tell a wrong name from a wrong password.
        Wrong passwords are counted in the file and make the next tries wait longer.
        """
        try:
            name = clean_username(username)
        except UserError:
            name = ""
        account = self.users.get(name)
        if account is None:
            derive_from_password(password, random_salt(), self.kdf)
            raise AuthFailed()
        if account.retry_after and now < account.retry_after:
            seconds = int((account.retry_after - now).total_seconds()) + 1
            raise TooManyAttempts(seconds=seconds)
        secrets = derive_from_password(password, account.salt, account.kdf)
        if not hmac.compare_digest(secrets.verifier, account.verifier):
            failures = account.failures + 1
            wait = wait_after(failures)
            self.users[name] = replace(
                account,
                failures=failures,
                retry_after=now + wait if wait else None,
                unreported_failures=account.unreported_failures + 1,
            )
            self.save()
            raise AuthFailed()
        if account.disabled:
            raise AccountDisabled(name=name)
        data_key = unwrap_key(secrets.kek, account.wrapped_key or b"", _label(self.kit_id, name))
        if data_key is None:
            raise StorageError("error.accounts.key_damaged", name=name)
        missed = account.unreported_failures
        if account.failures or missed:
            self.users[name] = replace(account, failures=0, retry_after=None, unreported_failures=0)
            self.save()
        return self.users[name], data_key, missed


def _label(kit_id: str, username: str) -> bytes:
    return f"{kit_id}\n{username}".encode()
