"""Slowing down password guessing at the portal's login: after a few wrong passwords in a row for one account,
that account's logins are refused for a while, longer each time (1, 2, 4… minutes, at most 15).

A correct password during the pause is refused too (otherwise guessing would simply go on), and a correct one
after it clears the count. Kept in memory: a restarted training portal starts afresh, which is fine for what it
guards (an online guesser), and nothing about the account is written anywhere.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from fieldkit.core.clock import Clock
from fieldkit.server.errors import ApiError


@dataclass
class _Account:
    failures: int = 0
    pauses: int = 0  # pauses so far: each one doubles the next
    until: datetime | None = None


class LoginThrottle:
    def __init__(
        self,
        clock: Clock,
        allowed: int = 5,
        first_pause: timedelta = timedelta(minutes=1),
        longest_pause: timedelta = timedelta(minutes=15),
    ) -> None:
        self.clock = clock
        self.allowed = allowed
        self.first_pause = first_pause
        self.longest_pause = longest_pause
        self._accounts: dict[str, _Account] = {}
        self._lock = threading.Lock()

    def check(self, name: str) -> None:
        """Raise 429 `too_many_logins` (with Retry-After) while the account is paused."""
        with self._lock:
            account = self._accounts.get(_key(name))
            until = account.until if account else None
        if until is None:
            return
        seconds = (until - self.clock.now()).total_seconds()
        if seconds > 0:
            raise ApiError(
                429,
                "too_many_logins",
                "sync.server.too_many_logins",
                headers={"Retry-After": str(math.ceil(seconds))},
                minutes=math.ceil(seconds / 60),
            )

    MOST_ACCOUNTS = 10_000  # names tracked at once: a guesser inventing names must not fill the memory

    def failed(self, name: str) -> None:
        with self._lock:
            if len(self._accounts) >= self.MOST_ACCOUNTS:
                self._forget_unpaused()
            account = self._accounts.setdefault(_key(name), _Account())
            account.failures += 1
            if account.failures >= self.allowed:
                pause = min(self.first_pause * (2**account.pauses), self.longest_pause)
                account.until = self.clock.now() + pause
                account.pauses += 1
                account.failures = 0

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._accounts.pop(_key(name), None)

    def _forget_unpaused(self) -> None:
        """Drop the accounts not paused now (called under the lock); their few failures are forgiven."""
        now = self.clock.now()
        self._accounts = {k: a for k, a in self._accounts.items() if a.until is not None and a.until > now}


def _key(name: str) -> str:
    return name.strip().casefold()
