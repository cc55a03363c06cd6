"""Who may do what on a kit: field worker, supervisor, administrator.

The checks live here and are called by the services (storage), so every way in (CLI, GUI, sync) meets the
same rules; the GUI only hides what the rules would refuse anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from fieldkit.core.errors import Msg, UserError


class Role(Enum):
    FIELD_WORKER = "field_worker"  # files dossiers for the citizens they visit
    SUPERVISOR = "supervisor"  # reviews, approves and reports for the team
    ADMIN = "admin"  # manages accounts on this kit

    @property
    def label(self) -> Msg:
        return Msg.of(f"security.role.{self.value}")


class Permission(Enum):
    APPROVE = "approve"  # a supervisor's review before the portal
    PURGE = "purge"  # erase a dossier's scans and personal fields
    EXPORT = "export"  # a plain copy of a citizen's papers leaves the kit
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"


# Permissions over every dossier on the kit; a field worker holds some of them over their own dossiers only.
_ANY_DOSSIER: dict[Role, frozenset[Permission]] = {
    Role.FIELD_WORKER: frozenset(),
    Role.SUPERVISOR: frozenset({Permission.APPROVE, Permission.PURGE, Permission.EXPORT, Permission.VIEW_AUDIT}),
    Role.ADMIN: frozenset(Permission),
}
_OWN_DOSSIER: dict[Role, frozenset[Permission]] = {
    # Approving one's own work defeats the review, so it is never an "own dossier" permission.
    Role.FIELD_WORKER: frozenset({Permission.PURGE, Permission.EXPORT}),
    Role.SUPERVISOR: _ANY_DOSSIER[Role.SUPERVISOR],
    Role.ADMIN: _ANY_DOSSIER[Role.ADMIN],
}


@dataclass(frozen=True)
class Actor:
    """The person doing something: their account name (what `Dossier.assisted_by` holds) and role."""

    username: str
    role: Role = Role.FIELD_WORKER

    def __str__(self) -> str:
        return self.username


class PermissionDenied(UserError):
    key = "error.permission.denied"


def as_actor(actor: Actor | str) -> Actor:
    """Services accept a bare name for scripts and tests; it carries the least privilege."""
    return actor if isinstance(actor, Actor) else Actor(actor, Role.FIELD_WORKER)


def allowed(actor: Actor, permission: Permission, owner: str | None = None) -> bool:
    """May `actor` do this, to a dossier assisted by `owner` (None: not about one dossier)?"""
    if permission in _ANY_DOSSIER[actor.role]:
        return True
    return owner is not None and owner == actor.username and permission in _OWN_DOSSIER[actor.role]


def require(actor: Actor, permission: Permission, owner: str | None = None) -> None:
    if not allowed(actor, permission, owner):
        raise PermissionDenied(role=actor.role.label, permission=Msg.of(f"security.permission.{permission.value}"))


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise UserError("error.role.unknown", role=text, known=", ".join(r.value for r in Role)) from None
