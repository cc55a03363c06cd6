"""A logged-in conversation with one portal: the token is taken from the credential store, renewed before it
expires, and on a 401 renewed once (or the password asked for) before the call is tried again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from fieldkit.core.clock import Clock
from fieldkit.sync.client import PortalClient
from fieldkit.sync.credentials import CredentialStore, StoredLogin
from fieldkit.sync.errors import AuthFailed, AuthRequired

log = logging.getLogger(__name__)
T = TypeVar("T")
# Asked for the password of this username when the token cannot be renewed; None means nobody can answer.
AskPassword = Callable[[str], str | None]


class PortalSession:
    def __init__(
        self,
        client: PortalClient,
        credentials: CredentialStore,
        clock: Clock,
        ask_password: AskPassword | None = None,
        renew_before: timedelta = timedelta(minutes=5),
    ) -> None:
        self.client = client
        self.credentials = credentials
        self.clock = clock
        self.ask_password = ask_password
        self.renew_before = renew_before
        self._renewing = threading.RLock()  # the outbox's lanes share one login
        self._login: StoredLogin | None = None

    @property
    def portal_url(self) -> str:
        return self.client.base_url

    def login(self, username: str, password: str) -> StoredLogin:
        try:
            token = self.client.login(username, password)
        except AuthFailed:
            raise AuthRequired("error.sync.bad_credentials", user=username) from None
        stored = self._keep(StoredLogin(username, token.access_token, token.expires_at))
        log.info("logged in to the portal (token valid until %s)", token.expires_at.isoformat())
        return stored

    def call(self, operation: Callable[[str], T]) -> T:
        """Run `operation(token)`; on a 401 renew the login once and run it again."""
        with self._renewing:
            token = self._token()
        try:
            return operation(token)
        except AuthFailed as failure:
            log.info("portal refused the token (%s); renewing", failure.code)
            with self._renewing:
                # Another lane (or a `fieldkit login` meanwhile) may have renewed it: use that, not a second login.
                self._login = None
                current = self._stored()
                fresh = current.token if current is not None and current.token != token else self._relogin()
            return operation(fresh)

    def _stored(self) -> StoredLogin | None:
        """The login, read from the credential store once (a keyring may be slow, or ask the user)."""
        if self._login is None:
            self._login = self.credentials.load(self.portal_url)
        return self._login

    def _keep(self, stored: StoredLogin) -> StoredLogin:
        self.credentials.save(self.portal_url, stored)
        self._login = stored
        return stored

    def _token(self) -> str:
        stored = self._stored()
        if stored is None:
            raise AuthRequired(portal=self.portal_url)
        left = stored.expires_at - self.clock.now()
        if left > self.renew_before:
            return stored.token
        if left > timedelta(0):
            try:
                token = self.client.refresh(stored.token)
            except AuthFailed:
                return self._relogin()
            return self._keep(StoredLogin(stored.username, token.access_token, token.expires_at)).token
        return self._relogin()

    def _relogin(self) -> str:
        stored = self._stored()
        if stored is None:
            raise AuthRequired(portal=self.portal_url)
        password = self.ask_password(stored.username) if self.ask_password else None
        if not password:
            raise AuthRequired(portal=self.portal_url)
        return self.login(stored.username, password).token
