"""How big a piece of a file goes in one request.

Pieces start at the configured size (1 MiB) and double while the link keeps up, to the server's limit: on a
fast link fewer requests carry the same bytes. After any failure they go back to the configured size and stay
there for the run, so on a link that cuts, a cut costs at most one small piece.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MiB = 1024 * 1024
SMALLEST = 64 * 1024


@dataclass
class ChunkSize:
    base: int = MiB
    ceiling: int = 8 * MiB
    # A piece sent faster than this shows a link with room: the next may be twice as big.
    quick_seconds: float = 0.25
    size: int = field(init=False)
    steady: bool = field(default=True, init=False)

    def __post_init__(self) -> None:
        self.ceiling = max(self.ceiling, self.base)
        self.size = self.base

    def sent(self, seconds: float) -> None:
        if self.steady and seconds < self.quick_seconds:
            self.size = min(self.size * 2, self.ceiling)

    def failed(self) -> None:
        self.steady = False
        self.size = self.base

    def too_large(self) -> None:
        """The server refused a piece this big (its limit is lower than we were told): halve, and stay under."""
        self.ceiling = min(self.ceiling, max(SMALLEST, self.size // 2))
        self.base = min(self.base, self.ceiling)
        self.size = self.ceiling
