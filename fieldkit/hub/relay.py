"""The portal's answers go back to the team kits: what the supervisor's kit learnt from the portal (its MaHoSo,
TrangThaiHoSo and note) for a dossier collected from a team kit is written into the hub's changes log, which the
team kit reads on its next sync (or receives in a reply bundle)."""

from __future__ import annotations

import logging

from fieldkit.core.errors import NotFound
from fieldkit.hub.store import Hub
from fieldkit.storage.kit import Kit
from fieldkit.storage.reviews import ReviewStore

log = logging.getLogger(__name__)


def relay_statuses(kit: Kit, hub: Hub) -> int:
    """Relay what changed since the team kits were last told; returns how many dossiers changed."""
    reviews = ReviewStore(kit.db)
    relayed = 0
    for uuid in sorted({review.uuid for review in reviews.list()}):
        try:
            dossier = kit.dossiers.get(uuid)
        except NotFound:
            continue  # purged after its retention period; the team kit was told before
        if dossier.portal_code is None or dossier.portal_status is None or dossier.sent_revision != dossier.revision:
            continue  # this revision is not at the portal yet: the hub's own answer stands
        target = (dossier.portal_code, dossier.portal_status, dossier.portal_note)
        held = hub.store.current(uuid)
        if held is None or held[0] != dossier.revision or held[1:] == target:
            continue  # the team kit has sent another revision since, or already knows
        hub.store.relay(uuid, *target)
        with kit.db.atomic():
            reviews.set_relayed(uuid, *target, kit.clock.now())
        relayed += 1
    if relayed:
        log.info("relayed %d portal answers to team kits", relayed)
    return relayed
