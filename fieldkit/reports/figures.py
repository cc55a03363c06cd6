"""The figures a supervisor reports for a day, a week or a month, as plain data a chart or a table can draw:
dossiers by team member, by procedure, by village and by stage or portal status; the share sent online; the
median time from capture to the portal's receipt (and to its acceptance); the dossiers still waiting, and why.

Counted from the supervisor's kit: every dossier captured in the period (by its capture date in Vietnam),
collected from team kits or filed on this kit, including those purged since (their statistics record stays).
No personal data unless a named list is asked for (`named=True`): names, ID numbers and notes written by
people then appear; the figures never hold them otherwise.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fieldkit.core.dates import from_iso, local_date
from fieldkit.core.errors import NotFound, UserError
from fieldkit.core.i18n import Translator
from fieldkit.core.intake import is_hub_code
from fieldkit.core.workflow import PORTAL_NEEDS_ACTION, PortalStatus
from fieldkit.storage.kit import Kit

MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise UserError("error.report.period_order")
        if (self.end - self.start).days >= MAX_DAYS:
            raise UserError("error.report.period_long", days=MAX_DAYS)

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def day_period(day: date) -> Period:
    return Period(day, day)


def week_period(day: date) -> Period:
    """Monday to Sunday, the week that holds `day`."""
    start = day - timedelta(days=day.weekday())
    return Period(start, start + timedelta(days=6))


def month_period(day: date) -> Period:
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period(start, following - timedelta(days=1))


@dataclass(frozen=True)
class Group:
    """One bar of a chart: dossiers of a team member, a procedure or a village."""

    key: str
    label: str
    dossiers: int
    at_portal: int
    waiting: int
    returned: int

    @property
    def share_online(self) -> float:
        return self.at_portal / self.dossiers if self.dossiers else 0.0


@dataclass(frozen=True)
class StatusCount:
    key: str  # "portal.N" at the portal, else the stage: pending_review, returned, approved, queued, draft...
    label: str
    dossiers: int
    portal_status: int | None = None


@dataclass(frozen=True)
class WaitingItem:
    uuid: str
    team_member: str
    procedure: str
    reason: str  # a stage key (`report.reason.*`)
    reason_label: str
    since: datetime
    note: str = ""  # words a person wrote: only in a named report


@dataclass(frozen=True)
class NamedRow:
    uuid: str
    ma_ho_so: str
    citizen: str
    id_number: str
    procedure: str
    team_member: str
    village: str
    stage: str


@dataclass(frozen=True)
class Figures:
    period: Period
    dossiers: int
    at_portal: int
    median_hours_to_portal: float | None
    median_hours_to_accepted: float | None
    by_member: tuple[Group, ...]
    by_procedure: tuple[Group, ...]
    by_village: tuple[Group, ...]
    by_status: tuple[StatusCount, ...]
    waiting: tuple[WaitingItem, ...]
    named: tuple[NamedRow, ...] | None = None

    @property
    def share_online(self) -> float:
        return self.at_portal / self.dossiers if self.dossiers else 0.0


@dataclass
class _Row:
    uuid: str
    procedure: str
    member: str
    village: str
    local: str
    portal_code: str | None
    portal_status: int | None
    note: str
    created_at: datetime
    updated_at: datetime
    applicant: str = ""
    review: str | None = None
    review_note: str = ""

    @property
    def at_portal(self) -> bool:
        return self.portal_status is not None and not is_hub_code(self.portal_code)

    def stage(self) -> str:
        if self.at_portal:
            return "portal_action" if PortalStatus(self.portal_status) in PORTAL_NEEDS_ACTION else "at_portal"
        if self.review in ("pending", "returned"):
            return "pending_review" if self.review == "pending" else "returned"
        if self.local in ("queued", "sending"):
            return "approved" if self.review == "approved" else "queued"
        if self.local == "needs_attention":
            return "needs_attention"
        if self.local == "sent":  # at the hub, not yet at the portal (a team kit's own view)
            return "at_hub"
        return "draft"


def figures(kit: Kit, period: Period, tr: Translator, named: bool = False) -> Figures:
    rows = [row for row in _rows(kit) if period.holds(local_date(row.created_at))]
    to_portal, to_accepted = _milestones(kit, {row.uuid for row in rows})
    hours_portal = [_hours(row.created_at, to_portal[row.uuid]) for row in rows if row.uuid in to_portal]
    hours_accepted = [_hours(row.created_at, to_accepted[row.uuid]) for row in rows if row.uuid in to_accepted]
    unknown = tr("report.unknown")
    waiting = tuple(
        WaitingItem(
            row.uuid,
            row.member,
            row.procedure,
            row.stage(),
            tr(f"report.stage.{row.stage()}"),
            row.updated_at,
            (row.review_note or row.note) if named else "",
        )
        for row in sorted(rows, key=lambda r: r.updated_at)
        if row.stage() not in ("at_portal",)
    )
    return Figures(
        period=period,
        dossiers=len(rows),
        at_portal=sum(row.at_portal for row in rows),
        median_hours_to_portal=_median(hours_portal),
        median_hours_to_accepted=_median(hours_accepted),
        by_member=_groups(rows, lambda r: r.member, lambda key: key or unknown),
        by_procedure=_groups(rows, lambda r: r.procedure, lambda key: _procedure_name(kit, key, tr)),
        by_village=_groups(rows, lambda r: r.village, lambda key: key or unknown),
        by_status=_statuses(rows, tr),
        waiting=waiting,
        named=_named(kit, rows, tr) if named else None,
    )


def _rows(kit: Kit) -> list[_Row]:
    reviews = {
        uuid: (state, note)
        for uuid, state, note in kit.db.execute(
            "SELECT r.uuid, r.state, r.note FROM reviews r WHERE r.revision = "
            "(SELECT MAX(revision) FROM reviews WHERE uuid = r.uuid)"
        ).fetchall()
    }
    rows = [
        _Row(*row[:7], row[7] or row[8], from_iso(row[9]), from_iso(row[10]), row[11])
        for row in kit.db.execute(
            "SELECT uuid, procedure_code, assisted_by, village, status, portal_code, portal_status, portal_note, "
            "attention_reason, created_at, updated_at, applicant_id FROM dossiers"
        ).fetchall()
    ]
    rows += [
        # Purged after their retention period: the statistics record keeps what the figures need.
        _Row(
            uuid, proc, member, village, status, None, portal_status, "", from_iso(created), from_iso(closed or created)
        )
        for uuid, proc, member, village, status, portal_status, created, closed in kit.db.execute(
            "SELECT uuid, procedure_code, assisted_by, village, status, portal_status, created_at, closed_at "
            "FROM purged_dossiers"
        ).fetchall()
    ]
    for row in rows:
        if row.uuid in reviews:
            row.review, row.review_note = reviews[row.uuid]
    return rows


def _milestones(kit: Kit, uuids: set[str]) -> tuple[dict[str, datetime], dict[str, datetime]]:
    """When the portal first gave each dossier its MaHoSo, and when it first said "accepted" (TrangThaiHoSo 2)."""
    receipt: dict[str, datetime] = {}
    accepted: dict[str, datetime] = {}
    for uuid, action, at in kit.db.execute(
        "SELECT dossier_uuid, action, at FROM audit WHERE dossier_uuid IS NOT NULL AND "
        "((action = 'status' AND to_status = 'sent') OR (action = 'portal_status' AND reason = ?)) ORDER BY id",
        [f"TrangThaiHoSo={int(PortalStatus.ACCEPTED)}"],
    ):
        if uuid not in uuids:
            continue
        target = receipt if action == "status" else accepted
        target.setdefault(uuid, from_iso(at))
    return receipt, accepted


def _hours(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 3600)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _groups(rows: Iterable[_Row], key_of, label_of) -> tuple[Group, ...]:
    grouped: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        grouped[key_of(row)].append(row)
    groups = [
        Group(
            key,
            label_of(key),
            len(members),
            sum(r.at_portal for r in members),
            sum(not r.at_portal for r in members),
            sum(r.stage() == "returned" for r in members),
        )
        for key, members in grouped.items()
    ]
    return tuple(sorted(groups, key=lambda g: (-g.dossiers, g.label)))


def _statuses(rows: list[_Row], tr: Translator) -> tuple[StatusCount, ...]:
    counts: Counter[str] = Counter()
    for row in rows:
        counts[f"portal.{row.portal_status}" if row.at_portal else row.stage()] += 1
    items = []
    for key, count in counts.items():
        if key.startswith("portal."):
            status = PortalStatus(int(key.split(".")[1]))
            items.append(StatusCount(key, tr.msg(status.label), count, int(status)))
        else:
            items.append(StatusCount(key, tr(f"report.stage.{key}"), count))
    return tuple(sorted(items, key=lambda s: (s.portal_status is None, s.portal_status or 0, s.key)))


def _procedure_name(kit: Kit, code: str, tr: Translator) -> str:
    try:
        return f"{code} {kit.catalog.get(code).name.in_language(tr.lang)}"
    except NotFound:
        return code


def _named(kit: Kit, rows: list[_Row], tr: Translator) -> tuple[NamedRow, ...]:
    named = []
    for row in sorted(rows, key=lambda r: (r.member, r.created_at)):
        citizen = kit.citizens.find_one(row.applicant) if row.applicant else None
        named.append(
            NamedRow(
                row.uuid,
                row.portal_code or "",
                citizen.full_name if citizen else "",
                citizen.id_number if citizen else "",
                row.procedure,
                row.member,
                row.village,
                tr(f"report.stage.{row.stage()}")
                if not row.at_portal
                else tr.msg(PortalStatus(row.portal_status).label),
            )
        )
    return tuple(named)
