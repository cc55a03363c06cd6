"""A signed-in session: who is at the keyboard, and whether the kit has locked itself after idle time.

The GUI calls `touch` on every user action and `is_locked` from a timer; unlocking again needs the password
(`storage.security.resume`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fieldkit.core.roles import Actor

DEFAULT_IDLE_MINUTES = 10


@dataclass
class Session:
    user: Actor
    started_at: datetime
    idle_limit: timedelta = timedelta(minutes=DEFAULT_IDLE_MINUTES)
    last_activity: datetime | None = None
    locked: bool = False

    def __post_init__(self) -> None:
        if self.last_activity is None:
            self.last_activity = self.started_at

    def touch(self, now: datetime) -> None:
        """The user did something: the idle time starts again (a locked session stays locked)."""
        if not self.is_locked(now):
            self.last_activity = now

    def is_locked(self, now: datetime) -> bool:
        assert self.last_activity is not None
        if not self.locked and now - self.last_activity >= self.idle_limit:
            self.locked = True
        return self.locked

    def lock(self) -> None:
        self.locked = True

    def unlocked(self, user: Actor, now: datetime) -> None:
        """Called once the password was checked: possibly another worker taking over a shared laptop."""
        self.user = user
        self.locked = False
        self.last_activity = now
