"""How long to wait before trying again: exponential backoff with jitter, and the server's Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RetryPolicy:
    base: float = 1.0  # seconds before the first retry (on average)
    cap: float = 120.0  # never wait longer than this between two tries of our own choosing
    attempts: int = 8  # tries of one step before the sync stops and says the portal cannot be reached
    # A Retry-After longer than this stops the sync with "come back later" instead of sleeping through it.
    longest_wait: float = 600.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """ "Equal jitter": half the exponential step for sure, half at random, so waits grow but kits that
        lost the network together do not come back together."""
        step = min(self.cap, self.base * 2**attempt)
        return step / 2 + rng.uniform(0, step / 2)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(min(int(text), 86_400))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, min((when - now).total_seconds(), 86_400.0))
