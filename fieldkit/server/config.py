"""What a sync server is configured with; the training portal and the hub differ only here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from fieldkit.core.clock import Clock, SystemClock

MiB = 1024 * 1024


@dataclass(frozen=True)
class FaultPlan:
    """Answers the server gives instead of the real one, for fault tests and training (off by default).

    `rates` maps a kind ("500", "503", "429", "garbage", "huge") to the chance of it on each request.
    """

    rates: dict[str, float] = field(default_factory=dict)
    retry_after: int = 1
    seed: int | None = None

    @property
    def active(self) -> bool:
        return any(rate > 0 for rate in self.rates.values())


FAULT_KINDS = ("500", "503", "429", "garbage", "huge")


def parse_faults(spec: str) -> FaultPlan:
    """`500=0.1,503=0.05,429=0.05,garbage=0.02,huge=0.01,retry_after=1,seed=7`."""
    rates: dict[str, float] = {}
    retry_after, seed = 1, None
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"{part!r} is not NAME=VALUE")
        if name == "retry_after":
            retry_after = int(value)
        elif name == "seed":
            seed = int(value)
        elif name in FAULT_KINDS:
            rate = float(value)
            if not 0 <= rate <= 1:
                raise ValueError(f"{name}: {rate} is not a chance between 0 and 1")
            rates[name] = rate
        else:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULT_KINDS)}, retry_after, seed")
    return FaultPlan(rates, retry_after, seed)


@dataclass(frozen=True)
class ServerConfig:
    # MaDinhDanhDonVi: the first part of every MaHoSo this server gives.
    unit_code: str = "000.00.00.H99"
    title: str = "FieldKit portal sandbox"
    token_ttl: timedelta = timedelta(hours=8)
    max_chunk_bytes: int = 8 * MiB
    max_json_bytes: int = 2 * MiB
    max_file_bytes: int = 60 * MiB  # one province's published limit (DOMAIN.md)
    max_files_per_dossier: int = 100
    changes_page: int = 500
    # Base procedure codes this server accepts (None: any well-formed code).
    procedures: frozenset[str] | None = None
    lang: str = "vi"
    faults: FaultPlan = field(default_factory=FaultPlan)
    clock: Clock = field(default_factory=SystemClock)
