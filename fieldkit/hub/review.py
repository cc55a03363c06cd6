"""The supervisor's review queue: each collected dossier with its papers; approve it (it joins the supervisor's
outbox and goes to the portal exactly once) or return it to the team member with a note (their kit shows it as
needing attention on its next sync or reply bundle). Edits by the supervisor are audited.

Plain Python for the GUI to call through its task runner; every check of who may do what is made here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fieldkit.core.catalog import Procedure
from fieldkit.core.citizen import Citizen
from fieldkit.core.consent import Consent, ConsentMissing
from fieldkit.core.dossier import AuditEntry, DocumentRef, Dossier
from fieldkit.core.errors import NotFound, Problem, UserError, ValidationError
from fieldkit.core.roles import Actor, Permission, require
from fieldkit.core.workflow import LocalStatus, PortalStatus
from fieldkit.hub.collect import collect
from fieldkit.hub.relay import relay_statuses
from fieldkit.hub.store import Hub
from fieldkit.storage.audit import AuditLog
from fieldkit.storage.consents import ConsentStore
from fieldkit.storage.dossier_service import DossierService
from fieldkit.storage.kit import Kit
from fieldkit.storage.reviews import APPROVED, PENDING, RETURNED, Review, ReviewStore

# What the portal does when a team member's papers are wanted again: the team kit shows the note and lets
# the worker add documents and send a new revision.
RETURNED_STATUS = PortalStatus.MORE_DOCUMENTS


class OwnWork(UserError):
    """A supervisor reviewing a dossier they helped file themselves: the review would be no review."""

    key = "error.review.own_work"


@dataclass(frozen=True)
class ReviewItem:
    """One dossier revision in the queue, with what a review screen shows of it."""

    review: Review
    dossier: Dossier
    applicant: Citizen | None
    procedure: Procedure | None
    consent: Consent | None
    kit_label: str
    problems: tuple[Problem, ...]

    @property
    def uuid(self) -> str:
        return self.dossier.uuid

    @property
    def documents(self) -> tuple[DocumentRef, ...]:
        return self.dossier.documents

    @property
    def team_member(self) -> str:
        return self.dossier.assisted_by

    @property
    def received_at(self) -> datetime:
        return self.review.received_at


class ReviewService:
    def __init__(self, kit: Kit, actor: Actor, hub: Hub | None = None) -> None:
        self.kit = kit
        self.user = actor
        self.hub = hub
        self.reviews = ReviewStore(kit.db)

    # -- reading -----------------------------------------------------------------------------------------

    def refresh(self) -> int:
        """Collect what the hub received and relay the portal's answers to the team kits; new items' count."""
        require(self.user, Permission.APPROVE)
        if self.hub is None:
            return 0
        collected = collect(self.kit, self.hub, self.user.username)
        relay_statuses(self.kit, self.hub)
        return len(collected)

    def queue(self, states: tuple[str, ...] = (PENDING,)) -> list[ReviewItem]:
        """Items in these states, the one waiting longest first (no personal data is read into the audit log)."""
        require(self.user, Permission.APPROVE)
        items = []
        for review in self.reviews.list(states):
            try:
                items.append(self._item(review))
            except NotFound:
                continue  # purged since (retention): nothing left to review
        return items

    def item(self, uuid: str) -> ReviewItem:
        """One dossier opened for review: recorded in the audit log as a view."""
        require(self.user, Permission.APPROVE)
        review = self._latest(uuid)
        item = self._item(review)
        AuditLog(self.kit.db).append(AuditEntry(self.kit.clock.now(), self.user.username, "viewed", review.uuid))
        return item

    def documents(self, uuid: str) -> list[tuple[bytes, str]]:
        """All of a dossier's papers (bytes, media type), for the review screen's page previews: one view."""
        item = self.item(uuid)
        return [(self.kit.vault.get(doc.sha256), doc.media_type) for doc in item.documents]

    def document(self, uuid: str, index: int) -> bytes:
        """The bytes of a dossier's paper, for the review screen's viewer."""
        item = self.item(uuid)
        if not 0 <= index < len(item.documents):
            raise UserError("error.document.not_attached", slot=str(index))
        return self.kit.vault.get(item.documents[index].sha256)

    # -- deciding ----------------------------------------------------------------------------------------

    def approve(self, uuid: str) -> Dossier:
        """Into the supervisor's outbox: `fieldkit sync` (or the hub's forwarding) sends it to the portal."""
        review, dossier = self._deciding(uuid)
        service = DossierService(self.kit, self.user)
        problems = self._problems(service, dossier)
        if problems:
            raise ValidationError(problems, "error.not_ready", labels=service.procedure_of(dossier).where_labels())
        if ConsentStore(self.kit.db).get(dossier.uuid) is None:
            raise ConsentMissing(uuid=dossier.uuid[:8])
        now = self.kit.clock.now()
        entries = []
        if dossier.status is LocalStatus.DRAFT:
            dossier, entry = dossier.moved(LocalStatus.READY, self.user.username, now)
            entries.append(entry)
        dossier, entry = dossier.moved(LocalStatus.QUEUED, self.user.username, now, "approved")
        entries += [
            entry,
            AuditEntry(now, self.user.username, "review_approved", dossier.uuid, reason=f"rev{review.revision}"),
        ]
        with self.kit.db.atomic():
            self.kit.dossiers.save(dossier, entries)
            self.reviews.decide(review.uuid, review.revision, APPROVED, self.user.username, now)
        return dossier

    def return_to_member(self, uuid: str, note: str) -> Dossier:
        """Back to the team member with the supervisor's note; they send a new revision."""
        note = " ".join((note or "").split())
        if not note:
            raise UserError("error.review.note_required")
        review, dossier = self._deciding(uuid)
        now = self.kit.clock.now()
        entries = []
        if dossier.status is LocalStatus.READY:
            dossier, entry = dossier.moved(LocalStatus.DRAFT, self.user.username, now, "returned")
            entries.append(entry)
        entries.append(AuditEntry(now, self.user.username, "review_returned", dossier.uuid, reason=note))
        if self.hub is not None:
            held = self.hub.store.current(dossier.uuid)
            if held is not None and held[0] == review.revision:
                self.hub.store.relay(dossier.uuid, held[1], RETURNED_STATUS, note)
        with self.kit.db.atomic():
            self.kit.dossiers.save(dossier, entries)
            self.reviews.decide(review.uuid, review.revision, RETURNED, self.user.username, now, note)
        return dossier

    def edit(self, uuid: str, values: dict[str, str]) -> Dossier:
        """Correct the declaration before approving (the fields changed are named in the audit log)."""
        review, _ = self._deciding(uuid)
        with self.kit.db.atomic():
            dossier = DossierService(self.kit, self.user).set_values(review.uuid, values)
            AuditLog(self.kit.db).append(
                AuditEntry(
                    self.kit.clock.now(),
                    self.user.username,
                    "review_edited",
                    dossier.uuid,
                    reason="fields=" + ",".join(sorted(values)),
                )
            )
        return dossier

    # -- helpers -----------------------------------------------------------------------------------------

    def _latest(self, uuid: str) -> Review:
        dossier = self.kit.dossiers.get(uuid)  # a prefix works, as everywhere
        review = self.reviews.latest(dossier.uuid)
        if review is None:
            raise NotFound("error.review.not_collected", uuid=uuid)
        return review

    def _deciding(self, uuid: str) -> tuple[Review, Dossier]:
        review = self._latest(uuid)
        dossier = self.kit.dossiers.get(review.uuid)
        require(self.user, Permission.APPROVE, owner=dossier.assisted_by)
        if dossier.assisted_by == self.user.username:
            raise OwnWork()
        if review.state != PENDING or dossier.status not in (LocalStatus.READY, LocalStatus.DRAFT):
            raise UserError("error.review.decided", state=review.state)
        return review, dossier

    def _problems(self, service: DossierService, dossier: Dossier) -> list[Problem]:
        """The dossier's own problems. The applicant's record was checked on the team member's kit; this kit
        holds only what the portal receives of it (no date of birth over the network), so it is not judged."""
        return [p for p in service.problems(dossier) if not p.where.startswith("applicant")]

    def _item(self, review: Review) -> ReviewItem:
        dossier = self.kit.dossiers.get(review.uuid)
        try:
            procedure = self.kit.catalog.get(dossier.procedure_code)
        except NotFound:
            procedure = None
        label = ""
        if self.hub is not None:
            enrolled = self.hub.registry.find(review.kit_id)
            label = enrolled.identity.label if enrolled else ""
        service = DossierService(self.kit, self.user)
        problems = tuple(self._problems(service, dossier)) if procedure is not None else ()
        return ReviewItem(
            review,
            dossier,
            self.kit.citizens.find_one(dossier.applicant_id),
            procedure,
            ConsentStore(self.kit.db).get(dossier.uuid),
            label,
            problems,
        )
