"""Typed errors. Each carries a message key and parameters; `i18n.describe` turns it into words.

`user_error` separates the user's mistakes (a wrong ID number, an unknown procedure: the CLI exits 2 and
the GUI shows the message) from failures of the kit itself (exit 1).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Msg:
    """A message not yet in words: a translation key and its parameters (which may be Msgs too)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, key: str, **params: Any) -> Msg:
        return cls(key, params)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with some input, and where: a field name, a document slot, a QR field..."""

    where: str
    message: Msg

    @classmethod
    def of(cls, where: str, key: str, **params: Any) -> Problem:
        return cls(where, Msg(key, params))


class FieldKitError(Exception):
    """Base of every error FieldKit raises on purpose."""

    key = "error.unexpected"
    user_error = False

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.message = Msg(key or self.key, params)
        super().__init__(self.message.key, params)


class UserError(FieldKitError):
    """Something the user can fix; never a traceback."""

    user_error = True


class NotFound(UserError):
    key = "error.not_found"


class ValidationError(UserError):
    """Input that breaks the rules; `problems` says each thing wrong and where."""

    key = "error.validation"

    def __init__(
        self, problems: list[Problem], key: str | None = None, /, labels: dict | None = None, **params: Any
    ) -> None:
        self.problems = list(problems)
        # Names for the problems' locations (a procedure's field labels), so messages say "Mục đích", not "purpose".
        self.labels = labels or {}
        super().__init__(key, count=len(self.problems), **params)


class CatalogError(UserError):
    """A broken procedure catalog file: `problems` name the file and the field."""

    key = "error.catalog"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(count=len(self.problems))


class IllegalTransition(UserError):
    key = "error.illegal_transition"


class DocumentError(UserError):
    """An imported file that cannot be used: missing, unreadable, of a kind the slot does not take."""

    key = "error.document"


class StorageError(FieldKitError):
    """The data directory or database cannot be used (permissions, full disk, corruption)."""

    key = "error.storage"


# A full disk, as the operating system says it (ENOSPC; ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL on
# Windows) and as SQLite and SQLCipher do (SQLITE_FULL).
_DISK_FULL_WINERRORS = {112, 39}
_SQLITE_FULL = 13


def named_failure(error: BaseException) -> FieldKitError | None:
    """The failure of the machine a user can act on, when a library raised it untyped: a full disk, whoever
    noticed it (a file write or SQLite), becomes the message that says to free some space."""
    if isinstance(error, OSError) and (
        error.errno == errno.ENOSPC or getattr(error, "winerror", None) in _DISK_FULL_WINERRORS
    ):
        if error.filename:
            return StorageError("error.disk_full", path=str(error.filename))
        return StorageError("error.disk_full_here")
    if getattr(error, "sqlite_errorcode", None) == _SQLITE_FULL:
        return StorageError("error.disk_full_here")
    return None


class VaultCorruption(StorageError):
    key = "error.vault_corrupt"
