"""Collecting: each dossier revision the hub took from a team kit (over the network or from a USB bundle) joins
the supervisor's kit, waiting for review: its papers in the encrypted vault, the dossier READY, a review record,
and the hub's copy of the files dropped. Idempotent by (UUID, revision): collecting twice adds nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from fieldkit.core.citizen import Citizen
from fieldkit.core.consent import Consent
from fieldkit.core.dates import from_iso
from fieldkit.core.dossier import AuditEntry, Dossier
from fieldkit.core.errors import NotFound
from fieldkit.core.intake import from_submission
from fieldkit.core.portal_format import FormatError, files_of
from fieldkit.core.workflow import LocalStatus
from fieldkit.hub.store import HeldRevision, Hub, kit_of
from fieldkit.storage.consents import ConsentStore
from fieldkit.storage.kit import Kit
from fieldkit.storage.reviews import NETWORK, PENDING, Review, ReviewStore
from fieldkit.storage.vault import sha256_of

log = logging.getLogger(__name__)

# The consent version recorded for a dossier collected over the network: the portal's format carries no consent,
# but a team kit refuses to queue a dossier without one (a bundle carries the record itself).
CONSENT_ON_TEAM_KIT = "team-kit"
# A dossier the supervisor is sending now is left alone; its new revision is collected after.
_BUSY = frozenset({LocalStatus.QUEUED, LocalStatus.SENDING})


@dataclass(frozen=True)
class Extras:
    """What a bundle carries beside the portal's payload: the citizen's full record and the consent record."""

    citizen: dict[str, Any] | None = None
    consent: dict[str, Any] | None = None


def collect(
    kit: Kit,
    hub: Hub,
    actor: str,
    only: set[tuple[str, int]] | None = None,
    channel: str = NETWORK,
    extras: dict[str, Extras] | None = None,
) -> list[Review]:
    """Move what the hub holds and the kit has not reviewed yet into the kit (`only`: just these revisions)."""
    reviews = ReviewStore(kit.db)
    collected: list[Review] = []
    done_files: set[str] = set()
    waiting_files: set[str] = set()
    for held in hub.store.held_revisions():
        shas = {ref.sha256 for ref in files_of(held.envelope)}
        if reviews.get(held.uuid, held.revision) is not None:
            done_files |= shas
            continue
        if only is not None and (held.uuid, held.revision) not in only:
            waiting_files |= shas
            continue
        review = receive(kit, hub, held, actor, channel, (extras or {}).get(held.uuid))
        if review is None:
            waiting_files |= shas
        else:
            collected.append(review)
            done_files |= shas
    hub.store.drop_files(done_files - waiting_files)
    return collected


def receive(kit: Kit, hub: Hub, held: HeldRevision, actor: str, channel: str, extras: Extras | None) -> Review | None:
    """One revision into the kit, or None when it must wait (the supervisor is sending the dossier now)."""
    try:
        incoming, applicant = from_submission(held.envelope)
    except FormatError as error:  # the server checked it; a hub store edited by hand is not trusted either
        log.warning("hub holds an unreadable dossier %s: %s", held.uuid, error)
        return None
    existing = _find(kit, incoming.uuid)
    if existing is not None and (existing.status in _BUSY or existing.revision > incoming.revision):
        return None
    files = {}
    for doc in incoming.documents:
        if doc.sha256 in files or kit.vault.has(doc.sha256):
            continue
        try:
            data = hub.store.file_bytes(doc.sha256)
        except OSError:
            log.warning("file of dossier %s missing at the hub; collected later", held.uuid)
            return None
        if sha256_of(data) != doc.sha256:
            log.warning("file of dossier %s damaged at the hub", held.uuid)
            return None
        files[doc.sha256] = data
    for data in files.values():  # before the rows that refer to them: a crash leaves orphan files only
        kit.vault.put(data)
    now = kit.clock.now()
    dossier = _merged(incoming, existing)
    review = Review(
        held.uuid, held.revision, kit_of(held.account), channel, held.ma_ho_so, held.content_sha256, now, PENDING
    )
    entry = AuditEntry(
        now,
        actor,
        "collected",
        dossier.uuid,
        existing.status.value if existing else None,
        dossier.status.value,
        reason=f"rev{dossier.revision} kit={review.kit_id[:8]} {channel}",
    )
    with kit.db.atomic():  # takes the write lock first: collectors in other processes wait
        if ReviewStore(kit.db).get(held.uuid, held.revision) is not None:
            return None  # collected meanwhile by another process (the hub's, or a review screen's)
        kit.citizens.save(_applicant(kit, applicant, extras), now)
        kit.dossiers.save(dossier, [entry])
        consents = ConsentStore(kit.db)
        if consents.get(dossier.uuid) is None:
            consents.save(_consent(dossier, extras))
        ReviewStore(kit.db).add(review)
    log.info("collected dossier %s rev %d via %s", dossier.uuid, dossier.revision, channel)
    return review


def _find(kit: Kit, uuid: str) -> Dossier | None:
    try:
        found = kit.dossiers.get(uuid)
    except NotFound:
        return None
    return found if found.uuid == uuid else None


def _merged(incoming: Dossier, existing: Dossier | None) -> Dossier:
    """The new content; what the portal already said of an earlier revision (its MaHoSo, status) stays."""
    if existing is None:
        return incoming
    return replace(
        incoming,
        sent_revision=existing.sent_revision,
        portal_code=existing.portal_code,
        portal_status=existing.portal_status,
        portal_note=existing.portal_note,
    )


def _applicant(kit: Kit, applicant: Citizen, extras: Extras | None) -> Citizen:
    """The fullest record known: the bundle's, then what the kit knew, filled in by the payload."""
    if extras is not None and extras.citizen:
        try:
            carried = Citizen.from_dict(extras.citizen)
            if carried.id_number == applicant.id_number:
                applicant = carried.updated_from(applicant)
        except (KeyError, TypeError, ValueError):
            log.warning("a bundle carried an unreadable citizen record; the payload's is used")
    known = kit.citizens.find_one(applicant.id_number)
    return known.updated_from(applicant) if known else applicant


def _consent(dossier: Dossier, extras: Extras | None) -> Consent:
    carried = extras.consent if extras is not None and extras.consent else None
    if carried:
        try:
            return Consent(
                dossier.uuid,
                str(carried["version"]),
                str(carried["lang"]),
                str(carried["text_sha256"]),
                from_iso(str(carried["given_at"])),
                str(carried["assisted_by"]),
            )
        except (KeyError, TypeError, ValueError):
            log.warning("a bundle carried an unreadable consent record for %s", dossier.uuid)
    return Consent(dossier.uuid, CONSENT_ON_TEAM_KIT, "", "", dossier.created_at, dossier.assisted_by)
