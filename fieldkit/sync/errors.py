"""What can stop a sync, typed so each is handled in one place: retry (network), wait (busy), ask (auth),
set the dossier aside (refused), or stop and say so (TLS, not a portal)."""

from __future__ import annotations

import math
from typing import Any

from fieldkit.core.errors import FieldKitError, UserError


class SyncError(FieldKitError):
    key = "error.sync"


class NetworkError(SyncError):
    """Transient: no route, timeout, connection cut. Retried with backoff."""

    key = "error.sync.network"


class ServerBusy(NetworkError):
    """429 or 503: the server asks us to come back later (Retry-After, in seconds, when it says)."""

    key = "error.sync.busy"

    def __init__(self, status: int, retry_after: float | None, **params: Any) -> None:
        super().__init__(status=status, **params)
        self.status = status
        self.retry_after = retry_after


class PortalFull(ServerBusy):
    """507: the portal has no room to store what is sent. Someone there must free space, so the wait it asks
    for is long: the run stops (the queue stays) rather than waiting."""

    key = "error.sync.portal_full"

    def __init__(self, retry_after: float | None) -> None:
        super().__init__(507, retry_after)


class LoginPaused(ServerBusy):
    """429 `too_many_logins`: too many wrong passwords for this account; the portal takes none for a while."""

    key = "error.sync.login_paused"

    def __init__(self, retry_after: float | None) -> None:
        super().__init__(429, retry_after, minutes=max(1, math.ceil((retry_after or 60) / 60)))


class ServerFailure(NetworkError):
    """A 5xx: the server failed; it may work on the next try."""

    key = "error.sync.server_failure"

    def __init__(self, status: int) -> None:
        super().__init__(status=status)
        self.status = status


class BadResponse(NetworkError):
    """An answer that is not the protocol: a Wi-Fi login page, a truncated or oversized body."""

    key = "error.sync.bad_response"


class TlsError(UserError):
    """The server's certificate is not trusted: never retried, never ignored."""

    key = "error.sync.tls"


class AuthRequired(UserError):
    """No valid login and no way to renew it here: the user must log in again."""

    key = "error.sync.login_needed"


class AuthFailed(SyncError):
    """A 401 from the server: the token expired or is unknown (the session renews it once)."""

    key = "error.sync.login_needed"

    def __init__(self, code: str) -> None:
        super().__init__(code=code)
        self.code = code


class PortalRefused(SyncError):
    """A 4xx with the protocol's error body: `code` says what, `text` is the portal's own words."""

    key = "error.sync.refused"

    def __init__(self, status: int, code: str, text: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(status=status, code=code, text=text)
        self.status = status
        self.code = code
        self.text = text
        self.details = details or {}


class NotAPortal(UserError):
    """The address answers, but not with FieldKit's sync protocol (a wrong URL, an old server)."""

    key = "error.sync.not_a_portal"


class SyncBusy(UserError):
    """Another sync of this kit is running (the watcher, or a second window)."""

    key = "error.sync.already_running"


class Cancelled(SyncError):
    """The user pressed cancel: shown as nothing, the queue stays as it was."""

    key = "error.sync.cancelled"


class KeyringUnavailable(UserError):
    key = "error.sync.no_keyring"
