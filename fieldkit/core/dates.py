"""Dates and times as FieldKit reads and writes them.

Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact and needs no
time-zone database (Windows has none by default).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")

_DMY = re.compile(r"^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{4})$")


def parse_date(text: str) -> date:
    """Read a date typed or printed the Vietnamese way: ddmmyyyy, dd/mm/yyyy, dd-mm-yyyy, or ISO."""
    value = text.strip()
    for pattern, order in ((_COMPACT, "dmy"), (_DMY, "dmy"), (_ISO, "ymd")):
        found = pattern.match(value)
        if found:
            a, b, c = (int(g) for g in found.groups())
            year, month, day = (c, b, a) if order == "dmy" else (a, b, c)
            return date(year, month, day)  # ValueError for 31/02/2020
    raise ValueError(f"not a date: {text!r}")


def format_date(value: date) -> str:
    """dd/mm/yyyy, as on Vietnamese forms."""
    return value.strftime("%d/%m/%Y")


def to_iso(moment: datetime) -> str:
    """Timestamps are stored as ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def to_portal(moment: datetime) -> str:
    """The portal's yyyyMMddHHmmss in Vietnam's time."""
    return moment.astimezone(VIETNAM_TZ).strftime("%Y%m%d%H%M%S")


def from_portal(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM_TZ)


def local_date(moment: datetime) -> date:
    """The calendar day in Vietnam: what 'today' means to a commune team."""
    return moment.astimezone(VIETNAM_TZ).date()
