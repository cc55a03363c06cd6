"""Where the login is kept: the operating system's keyring (username and token, never the password),
or, on a machine with no keyring, this session's memory only, so the user is asked again next time.

A small interface on purpose: the security work may change how credentials are obtained (accounts on the
kit, a key that unlocks them) without touching the outbox.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import keyring
import keyring.backends.fail
import keyring.backends.null
from keyring.errors import KeyringError

from fieldkit.core.dates import from_iso, to_iso
from fieldkit.sync.client import normalise_url
from fieldkit.sync.errors import KeyringUnavailable

log = logging.getLogger(__name__)

SERVICE = "FieldKit sync"


@dataclass(frozen=True)
class StoredLogin:
    username: str
    token: str
    expires_at: datetime


class CredentialStore(Protocol):
    # False: nothing survives this process, the user gives the password each session.
    persistent: bool

    def load(self, portal_url: str) -> StoredLogin | None: ...

    def save(self, portal_url: str, login: StoredLogin) -> None: ...

    def forget(self, portal_url: str) -> None: ...


class SessionCredentials:
    """This process's memory: for a headless box without a keyring, and for a login given on the command line."""

    persistent = False

    def __init__(self) -> None:
        self._logins: dict[str, StoredLogin] = {}

    def load(self, portal_url: str) -> StoredLogin | None:
        return self._logins.get(normalise_url(portal_url))

    def save(self, portal_url: str, login: StoredLogin) -> None:
        self._logins[normalise_url(portal_url)] = login

    def forget(self, portal_url: str) -> None:
        self._logins.pop(normalise_url(portal_url), None)


class KeyringCredentials:
    """One keyring entry per portal address, holding the username, the token and its expiry as JSON."""

    persistent = True

    def load(self, portal_url: str) -> StoredLogin | None:
        try:
            raw = keyring.get_password(SERVICE, normalise_url(portal_url))
        except KeyringError as exc:
            raise KeyringUnavailable() from exc
        if not raw:
            return None
        try:
            data = json.loads(raw)
            return StoredLogin(data["username"], data["token"], from_iso(data["expires_at"]))
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable keyring entry for the portal; ignoring it")
            return None

    def save(self, portal_url: str, login: StoredLogin) -> None:
        value = json.dumps({"username": login.username, "token": login.token, "expires_at": to_iso(login.expires_at)})
        try:
            keyring.set_password(SERVICE, normalise_url(portal_url), value)
        except KeyringError as exc:
            raise KeyringUnavailable() from exc

    def forget(self, portal_url: str) -> None:
        try:
            keyring.delete_password(SERVICE, normalise_url(portal_url))
        except keyring.errors.PasswordDeleteError:
            pass  # nothing kept: already forgotten
        except KeyringError as exc:
            raise KeyringUnavailable() from exc


def keyring_available() -> bool:
    """False on a headless box where keyring found no backend (or only the one that silently drops secrets)."""
    backend = keyring.get_keyring()
    return not isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring)


def open_credentials() -> CredentialStore:
    return KeyringCredentials() if keyring_available() else SessionCredentials()
