"""The supervisor's side of the end of day, in the kit's database (migration 4): one review record per collected
dossier revision, what each team kit was last told about a dossier, the bundles written and read; and on a team
kit, the hub it is enrolled with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from fieldkit.core.dates import from_iso, to_iso
from fieldkit.core.workflow import PortalStatus
from fieldkit.storage.identity import PublicIdentity

# Review states of one collected revision.
PENDING, APPROVED, RETURNED, SUPERSEDED = "pending", "approved", "returned", "superseded"
NETWORK, BUNDLE = "network", "bundle"


@dataclass(frozen=True)
class Review:
    uuid: str
    revision: int
    kit_id: str
    channel: str  # network | bundle
    hub_code: str | None  # the MaHoSo the hub gave the team kit
    content_sha256: str
    received_at: datetime
    state: str
    note: str = ""
    decided_by: str | None = None
    decided_at: datetime | None = None


_REVIEW_COLUMNS = (
    "uuid",
    "revision",
    "kit_id",
    "channel",
    "hub_code",
    "content_sha256",
    "received_at",
    "state",
    "note",
    "decided_by",
    "decided_at",
)


def _review(row: tuple) -> Review:
    values = dict(zip(_REVIEW_COLUMNS, row, strict=True))
    values["received_at"] = from_iso(values["received_at"])
    values["decided_at"] = from_iso(values["decided_at"]) if values["decided_at"] else None
    return Review(**values)


class ReviewStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, uuid: str, revision: int) -> Review | None:
        row = self.db.execute(
            f"SELECT {', '.join(_REVIEW_COLUMNS)} FROM reviews WHERE uuid = ? AND revision = ?", [uuid, revision]
        ).fetchone()
        return _review(row) if row else None

    def latest(self, uuid: str) -> Review | None:
        row = self.db.execute(
            f"SELECT {', '.join(_REVIEW_COLUMNS)} FROM reviews WHERE uuid = ? ORDER BY revision DESC LIMIT 1", [uuid]
        ).fetchone()
        return _review(row) if row else None

    def list(self, states: tuple[str, ...] | None = None) -> list[Review]:
        where, params = "", []
        if states:
            where = f"WHERE state IN ({', '.join('?' for _ in states)})"
            params = list(states)
        rows = self.db.execute(
            f"SELECT {', '.join(_REVIEW_COLUMNS)} FROM reviews {where} ORDER BY received_at, rowid", params
        ).fetchall()
        return [_review(row) for row in rows]

    def add(self, review: Review) -> None:
        """Record a newly collected revision (inside the caller's transaction); older pending ones are superseded."""
        self.db.execute(
            "UPDATE reviews SET state = ? WHERE uuid = ? AND revision < ? AND state = ?",
            [SUPERSEDED, review.uuid, review.revision, PENDING],
        )
        row = {name: getattr(review, name) for name in _REVIEW_COLUMNS}
        row["received_at"] = to_iso(review.received_at)
        row["decided_at"] = to_iso(review.decided_at) if review.decided_at else None
        self.db["reviews"].insert(row, pk=("uuid", "revision"), replace=True)

    def decide(self, uuid: str, revision: int, state: str, actor: str, now: datetime, note: str = "") -> None:
        self.db.execute(
            "UPDATE reviews SET state = ?, note = ?, decided_by = ?, decided_at = ? WHERE uuid = ? AND revision = ?",
            [state, note, actor, to_iso(now), uuid, revision],
        )

    # -- what each team kit was last told ----------------------------------------------------------------

    def relayed(self, uuid: str) -> tuple[str, PortalStatus, str] | None:
        row = self.db.execute("SELECT ma_ho_so, status, note FROM relayed WHERE uuid = ?", [uuid]).fetchone()
        return (row[0], PortalStatus(row[1]), row[2]) if row else None

    def set_relayed(self, uuid: str, ma_ho_so: str, status: PortalStatus, note: str, now: datetime) -> None:
        self.db["relayed"].upsert(
            {"uuid": uuid, "ma_ho_so": ma_ho_so, "status": int(status), "note": note, "at": to_iso(now)}, pk="uuid"
        )

    # -- bundles -----------------------------------------------------------------------------------------

    def log_bundle(self, bundle_id: str, direction: str, kind: str, peer: str, dossiers: int, now: datetime) -> None:
        self.db["bundles"].insert(
            {
                "bundle_id": bundle_id,
                "direction": direction,
                "kind": kind,
                "peer": peer,
                "dossiers": dossiers,
                "at": to_iso(now),
            },
            pk="bundle_id",
            replace=True,
        )

    def bundle_seen(self, bundle_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM bundles WHERE bundle_id = ?", [bundle_id]).fetchone() is not None


@dataclass(frozen=True)
class HubLink:
    """On a team kit: the supervisor's hub it sends to (its public keys, and this kit's account there)."""

    hub: PublicIdentity
    url: str
    account: str
    secret: str  # this kit's password at the hub; only its scrypt hash ever left the kit
    portal_url: str  # where the kit sent before it was enrolled (the portal directly)
    enrolled_at: datetime


class HubLinkStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self) -> HubLink | None:
        row = self.db.execute(
            "SELECT hub_id, label, sign_public, box_public, url, account, secret, portal_url, enrolled_at "
            "FROM hub_link ORDER BY enrolled_at DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        hub_id, label, sign, box, url, account, secret, portal_url, enrolled_at = row
        return HubLink(
            PublicIdentity(hub_id, label, sign, box), url, account, secret, portal_url, from_iso(enrolled_at)
        )

    def save(self, link: HubLink) -> None:
        """One hub at a time: enrolling with another replaces the link."""
        with self.db.atomic():
            self.db.execute("DELETE FROM hub_link")
            self.db["hub_link"].insert(
                {
                    "hub_id": link.hub.kit_id,
                    "label": link.hub.label,
                    "sign_public": link.hub.sign_public,
                    "box_public": link.hub.box_public,
                    "url": link.url,
                    "account": link.account,
                    "secret": link.secret,
                    "portal_url": link.portal_url,
                    "enrolled_at": to_iso(link.enrolled_at),
                }
            )
