"""USB bundles, both ways, for kits that never see the office network.

- A team kit writes its unsent (queued) dossiers with their files, sealed for the supervisor and signed by
  itself (`export_dossiers`). Each dossier's payload is frozen in the outbox's record for its revision, as a
  network send freezes it, so a later send of changed content goes as a new revision, never as other content
  under the same one.
- The supervisor's kit checks a bundle (from an enrolled kit, every byte as signed) and merges it through the
  hub's own store, exactly as if the kit had sent over the network: idempotent by (UUID, revision), files by
  sha256; then the dossiers join the review queue (`import_dossiers`).
- The supervisor answers with a reply bundle for one kit (`export_replies`): every dossier of that kit the hub
  holds, with its MaHoSo, status and note; the team kit applies it (`import_replies`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError as ModelError

from fieldkit.core.dates import to_iso
from fieldkit.core.dossier import AuditEntry, Dossier
from fieldkit.core.errors import NotFound, UserError
from fieldkit.core.portal_format import FormatError, Receipt, content_sha256, files_of, read_receipt, submission
from fieldkit.core.roles import Actor, Permission, require
from fieldkit.core.workflow import LocalStatus
from fieldkit.hub.collect import Extras, collect
from fieldkit.hub.container import BundleTampered, Header, open_sealed, read_header, seal
from fieldkit.hub.relay import relay_statuses
from fieldkit.hub.store import Hub
from fieldkit.server.config import ServerConfig
from fieldkit.server.errors import ApiError
from fieldkit.server.schemas import DossierIn
from fieldkit.storage.audit import AuditLog
from fieldkit.storage.consents import ConsentStore
from fieldkit.storage.identity import PublicIdentity, kit_identity
from fieldkit.storage.kit import Kit
from fieldkit.storage.reviews import BUNDLE, HubLinkStore, Review, ReviewStore
from fieldkit.storage.vault import sha256_of
from fieldkit.sync.outbox import fingerprint
from fieldkit.sync.outbox_store import CONFLICT, DELIVERED, MAY_HAVE_ARRIVED, SENDING, OutboxStore

log = logging.getLogger(__name__)


def wire_form(envelope: dict[str, Any]) -> dict[str, Any]:
    """The payload as the sync server reads it (its defaults filled in): what its content hash is taken over."""
    return DossierIn.model_validate(envelope).model_dump(mode="json")


# -- team kit -> supervisor ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exported:
    bundle_id: str
    dossiers: tuple[str, ...]
    files: int
    bytes: int


def export_dossiers(kit: Kit, actor: str, path: Path) -> Exported:
    """Every queued dossier of this kit, sealed for the supervisor it is enrolled with."""
    link = HubLinkStore(kit.db).get()
    if link is None:
        raise UserError("error.bundle.no_hub")
    now = kit.clock.now()
    store = OutboxStore(kit.db)
    destination = f"bundle:{link.hub.kit_id}"
    entries, files = [], {}
    for queued in kit.dossiers.list(status=LocalStatus.QUEUED):
        dossier, envelope = _frozen(kit, store, queued, destination, actor)
        consent = ConsentStore(kit.db).get(dossier.uuid)
        entries.append(
            {
                "envelope": envelope,
                "citizen": kit.citizens.get(dossier.applicant_id).to_dict(),
                "consent": None
                if consent is None
                else {
                    "version": consent.version,
                    "lang": consent.lang,
                    "text_sha256": consent.text_sha256,
                    "given_at": to_iso(consent.given_at),
                    "assisted_by": consent.assisted_by,
                },
            }
        )
        for ref in files_of(envelope):
            files[ref.sha256] = ref.size
    if not entries:
        raise UserError("error.bundle.nothing_to_send")
    manifest = {
        "dossiers": entries,
        "files": [{"sha256": sha, "size": size} for sha, size in files.items()],
        "audit_head": list(AuditLog(kit.db).head()),
    }

    def contents() -> Iterator[bytes]:
        for sha in files:
            yield kit.vault.get(sha)

    bundle_id = seal(path, "dossiers", kit_identity(kit), link.hub, manifest, contents(), now)
    uuids = tuple(entry["envelope"]["uuid"] for entry in entries)
    with kit.db.atomic():
        ReviewStore(kit.db).log_bundle(bundle_id, "out", "dossiers", link.hub.kit_id, len(uuids), now)
        AuditLog(kit.db).append(
            AuditEntry(now, actor, "bundle_exported", reason=f"bundle={bundle_id[:8]} dossiers={len(uuids)}")
        )
    log.info("bundle %s written: %d dossiers, %d files", bundle_id[:8], len(uuids), len(files))
    return Exported(bundle_id, uuids, len(files), Path(path).stat().st_size)


def _frozen(kit: Kit, store: OutboxStore, dossier: Dossier, destination: str, actor: str):
    """The payload for this dossier's revision, frozen in the outbox's record the way a network send does."""
    now = kit.clock.now()
    content = fingerprint(dossier)
    previous = store.get(dossier.uuid)
    same = previous is not None and previous.revision == dossier.revision
    if same and previous.step in MAY_HAVE_ARRIVED and (previous.step == CONFLICT or previous.fingerprint != content):
        # Other content may already be out under this revision (an earlier bundle, a cut send): a new one.
        dossier = replace(dossier, revision=dossier.revision + 1)
        entry = AuditEntry(now, actor, "revision", dossier.uuid, reason=f"rev{dossier.revision}")
        kit.dossiers.save(dossier, [entry])
        same = False
    if same and previous.fingerprint == content and previous.payload is not None and previous.step == SENDING:
        return dossier, previous.payload
    envelope = submission(dossier, kit.citizens.get(dossier.applicant_id), kit.catalog.get(dossier.procedure_code))
    store.start(dossier.uuid, dossier.revision, content, envelope, destination, now)
    return dossier, envelope


@dataclass
class Imported:
    bundle_id: str
    kit_id: str
    kit_label: str
    dossiers: int = 0
    new: list[tuple[str, int]] = field(default_factory=list)
    already: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (uuid, the server's error code)
    collected: list[Review] = field(default_factory=list)
    seen_before: bool = False


def import_dossiers(kit: Kit, actor: Actor, hub: Hub, path: Path, config: ServerConfig) -> Imported:
    """Check and merge a team kit's bundle; nothing is merged unless every byte is as its kit signed it."""
    require(actor, Permission.APPROVE)

    def enrolled_sender(header: Header) -> PublicIdentity | None:
        found = hub.registry.find(header.sender)
        return found.identity if found is not None and found.active else None

    header, sender, manifest, stream = open_sealed(path, kit_identity(kit), enrolled_sender)
    with stream:
        if header.kind != "dossiers":
            raise UserError("error.bundle.wrong_kind")
        report = Imported(header.bundle_id, sender.kit_id, sender.label)
        report.seen_before = ReviewStore(kit.db).bundle_seen(header.bundle_id)
        for item in _list(manifest, "files"):
            if not isinstance(item, dict):
                raise BundleTampered()
            sha, size = item.get("sha256"), item.get("size")
            if not isinstance(sha, str) or not isinstance(size, int) or not 0 <= size <= config.max_file_bytes:
                raise BundleTampered()
            data = stream.read_exactly(size)
            if sha256_of(data) != sha:
                raise BundleTampered()
            if not hub.store.file_state(sha).complete and size:
                hub.store.write_chunk(sha, 0, data, size, config.max_file_bytes)
    owner = hub.store.owner(hub.registry.find(sender.kit_id).account)
    extras: dict[str, Extras] = {}
    for entry in _list(manifest, "dossiers"):
        uuid = str(entry.get("envelope", {}).get("uuid", ""))[:36] if isinstance(entry, dict) else ""
        try:
            envelope = wire_form(entry["envelope"])
            receipt, created = hub.store.submit(
                owner,
                envelope,
                content_sha256(envelope),
                files_of(envelope),
                config.procedures,
                config.unit_code,
                notify=False,
            )
        except (ModelError, KeyError, TypeError, FormatError):
            report.refused.append((uuid, "invalid_dossier"))
            continue
        except ApiError as refusal:
            report.refused.append((uuid, refusal.code))
            continue
        report.dossiers += 1
        if created:
            report.new.append((receipt.uuid, receipt.revision))
        else:
            report.already += 1
        extras[receipt.uuid] = Extras(entry.get("citizen"), entry.get("consent"))
    head = manifest.get("audit_head")
    valid_head = isinstance(head, list) and len(head) == 2 and isinstance(head[0], int) and isinstance(head[1], str)
    now = kit.clock.now()
    hub.registry.seen(sender.kit_id, (head[0], head[1][:64]) if valid_head else None, now)
    wanted = {(uuid, rev) for uuid, rev in report.new} | {
        (held.uuid, held.revision) for held in hub.store.held_revisions() if held.uuid in extras
    }
    report.collected = collect(kit, hub, actor.username, only=wanted, channel=BUNDLE, extras=extras)
    with kit.db.atomic():
        ReviewStore(kit.db).log_bundle(header.bundle_id, "in", "dossiers", sender.kit_id, report.dossiers, now)
        AuditLog(kit.db).append(
            AuditEntry(
                now,
                actor.username,
                "bundle_imported",
                reason=f"bundle={header.bundle_id[:8]} kit={sender.kit_id[:8]} dossiers={report.dossiers} "
                f"new={len(report.new)} refused={len(report.refused)}",
            )
        )
    return report


# -- supervisor -> team kit ---------------------------------------------------------------------------------


def export_replies(kit: Kit, actor: Actor, hub: Hub, kit_ref: str, path: Path) -> tuple[str, int]:
    """What became of every dossier this kit sent: MaHoSo, status, the supervisor's or the portal's note."""
    require(actor, Permission.APPROVE)
    enrolled = hub.registry.lookup(kit_ref)
    relay_statuses(kit, hub)  # the portal's latest answers first
    receipts = [
        {**receipt.to_json(), "content_sha256": sha} for receipt, sha in hub.store.receipts_for(enrolled.account)
    ]
    now = kit.clock.now()
    bundle_id = seal(path, "replies", kit_identity(kit), enrolled.identity, {"receipts": receipts}, iter(()), now)
    with kit.db.atomic():
        ReviewStore(kit.db).log_bundle(bundle_id, "out", "replies", enrolled.identity.kit_id, len(receipts), now)
        AuditLog(kit.db).append(
            AuditEntry(
                now,
                actor.username,
                "bundle_exported",
                reason=f"bundle={bundle_id[:8]} replies={len(receipts)} kit={enrolled.identity.kit_id[:8]}",
            )
        )
    return bundle_id, len(receipts)


@dataclass
class Applied:
    bundle_id: str
    delivered: list[Receipt] = field(default_factory=list)  # queued dossiers the hub holds: now sent
    updated: list[Receipt] = field(default_factory=list)  # a new MaHoSo, status or note


def import_replies(kit: Kit, actor: str, path: Path) -> Applied:
    link = HubLinkStore(kit.db).get()
    if link is None:
        raise UserError("error.bundle.no_hub")
    header, _, manifest, stream = open_sealed(
        path, kit_identity(kit), lambda h: link.hub if h.sender == link.hub.kit_id else None
    )
    stream.close()
    if header.kind != "replies":
        raise UserError("error.bundle.wrong_kind")
    applied = Applied(header.bundle_id)
    for item in _list(manifest, "receipts"):
        try:
            receipt = read_receipt(item)
        except FormatError:
            raise BundleTampered() from None
        outcome = apply_receipt(kit, actor, receipt, str(item.get("content_sha256", "")))
        if outcome == "delivered":
            applied.delivered.append(receipt)
        elif outcome == "updated":
            applied.updated.append(receipt)
    now = kit.clock.now()
    with kit.db.atomic():
        ReviewStore(kit.db).log_bundle(header.bundle_id, "in", "replies", link.hub.kit_id, len(applied.updated), now)
        AuditLog(kit.db).append(
            AuditEntry(now, actor, "bundle_imported", reason=f"bundle={header.bundle_id[:8]} replies")
        )
    return applied


def apply_receipt(kit: Kit, actor: str, receipt: Receipt, content_sha: str) -> str | None:
    """A queued dossier whose very content the hub holds becomes sent; a sent one takes the new code and status."""
    try:
        dossier = kit.dossiers.get(receipt.uuid)
    except NotFound:
        return None
    if dossier.uuid != receipt.uuid:
        return None
    now = kit.clock.now()
    entries: list[AuditEntry] = []
    outcome = None
    store = OutboxStore(kit.db)
    if dossier.status is LocalStatus.QUEUED and dossier.revision == receipt.revision:
        frozen = store.get(dossier.uuid)
        if (
            frozen is None
            or frozen.revision != receipt.revision
            or frozen.payload is None
            or content_sha256(wire_form(frozen.payload)) != content_sha
        ):
            return None  # the hub holds other content than the kit's now: it goes again as a new revision
        sending, entry = dossier.moved(LocalStatus.SENDING, actor, now)
        dossier, accepted = sending.accepted_by_portal(receipt.ma_ho_so, actor, now)
        entries += [entry, accepted]
        outcome = "delivered"
    if dossier.sent_revision == 0 or dossier.portal_code is None:
        return None
    if dossier.portal_code != receipt.ma_ho_so:
        dossier = replace(dossier, portal_code=receipt.ma_ho_so)  # the portal's code replaces the hub's
        outcome = outcome or "updated"
    if (dossier.portal_status, dossier.portal_note) != (receipt.status, receipt.note):
        dossier, entry = dossier.with_portal_status(receipt.status, receipt.note, actor, now)
        entries.append(entry)
        outcome = outcome or "updated"
    if outcome is None:
        return None
    with kit.db.atomic():
        kit.dossiers.save(dossier, entries)
        if outcome == "delivered":
            store.mark(dossier.uuid, DELIVERED, now)
    return outcome


def bundle_kind(path: Path) -> str:
    return read_header(path).kind


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise BundleTampered()
    return value
