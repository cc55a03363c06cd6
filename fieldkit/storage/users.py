"""Managing a kit's accounts: add, change a password, change a role, disable. Administrators manage every
account; anyone changes their own password. Each change is written to the audit log (names and roles only)."""

from __future__ import annotations

from fieldkit.core.dossier import AuditEntry
from fieldkit.core.errors import UserError
from fieldkit.core.roles import Actor, Permission, Role, require
from fieldkit.storage.accounts import Account, Accounts
from fieldkit.storage.audit import AuditLog
from fieldkit.storage.kit import Kit


class UserService:
    def __init__(self, kit: Kit, actor: Actor) -> None:
        if kit.data_key is None:
            raise UserError("error.kit.not_encrypted")
        self.kit = kit
        self.actor = actor
        self.accounts = Accounts.load(kit.data_dir)

    def list(self) -> list[Account]:
        return sorted(self.accounts.users.values(), key=lambda a: a.username)

    def add(self, username: str, role: Role, password: str) -> Account:
        require(self.actor, Permission.MANAGE_USERS)
        account = self.accounts.add(username, role, password, self._data_key(), self.kit.clock.now())
        self._save("user_added", f"user={account.username} role={role.value}")
        return account

    def set_password(self, username: str, password: str) -> Account:
        """Your own password, or anyone's for an administrator (which also re-enables a disabled account)."""
        name = username or self.actor.username
        if name != self.actor.username:
            require(self.actor, Permission.MANAGE_USERS)
        before = self.accounts.get(name)
        account = self.accounts.set_password(name, password, self._data_key(), self.kit.clock.now())
        self._save("password_changed", f"user={name}" + (" enabled" if before.disabled else ""))
        return account

    def set_role(self, username: str, role: Role) -> Account:
        require(self.actor, Permission.MANAGE_USERS)
        before = self.accounts.get(username)
        account = self.accounts.set_role(username, role)
        self._save("role_changed", f"user={username} {before.role.value}->{role.value}")
        return account

    def disable(self, username: str) -> Account:
        require(self.actor, Permission.MANAGE_USERS)
        account = self.accounts.disable(username)
        self._save("user_disabled", f"user={username}")
        return account

    def _data_key(self) -> bytes:
        assert self.kit.data_key is not None
        return self.kit.data_key

    def _save(self, action: str, reason: str) -> None:
        # The accounts file first: if the audit entry then failed, the change is still real and visible.
        self.accounts.save()
        AuditLog(self.kit.db).append(AuditEntry(self.kit.clock.now(), self.actor.username, action, reason=reason))
