"""What a field worker does with a dossier: start it, fill it, attach papers, check it, queue it.

Each operation loads the dossier, applies a core change, and saves it with its audit entries in one
transaction. What was typed is kept even when it is not valid yet: a draft never loses work. Role checks
(`core.roles`) are made here, so every way in meets them; a dossier is queued only with the citizen's consent.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fieldkit.core.catalog import Procedure
from fieldkit.core.consent import Consent, ConsentMissing, ConsentText
from fieldkit.core.dates import local_date
from fieldkit.core.declaration import check_value
from fieldkit.core.dossier import (
    DEFAULT_MAX_FILE_BYTES,
    AuditEntry,
    DocumentRef,
    Dossier,
    Place,
    dossier_problems,
)
from fieldkit.core.errors import Problem, UserError, ValidationError
from fieldkit.core.roles import Actor, Permission, as_actor, require
from fieldkit.core.workflow import EDITABLE, LocalStatus
from fieldkit.storage.audit import AuditLog
from fieldkit.storage.citizen_service import OVERRIDABLE
from fieldkit.storage.consents import ConsentStore
from fieldkit.storage.documents import inspect_bytes, read_document
from fieldkit.storage.kit import Kit

# Dossiers still only on this kit, being filled in: the ones that may be thrown away.
DISCARDABLE = frozenset({LocalStatus.DRAFT, LocalStatus.READY})


class DossierService:
    def __init__(self, kit: Kit, actor: Actor | str) -> None:
        self.kit = kit
        self.user = as_actor(actor)
        self.actor = self.user.username  # what audit entries and `Dossier.assisted_by` hold

    # -- reading -----------------------------------------------------------------------------------------

    def get(self, uuid: str) -> Dossier:
        return self.kit.dossiers.get(uuid)

    def view(self, uuid: str) -> Dossier:
        """A dossier opened for a person to read: recorded in the audit log."""
        dossier = self.get(uuid)
        AuditLog(self.kit.db).append(AuditEntry(self.kit.clock.now(), self.actor, "viewed", dossier.uuid))
        return dossier

    def consent_of(self, uuid: str) -> Consent | None:
        return ConsentStore(self.kit.db).get(self.get(uuid).uuid)

    def procedure_of(self, dossier: Dossier) -> Procedure:
        return self.kit.catalog.get(dossier.procedure_code)

    def max_file_bytes(self) -> int:
        mb = self.kit.settings.get("max_file_mb")
        return int(mb * 1024 * 1024) if mb else DEFAULT_MAX_FILE_BYTES

    def problems(self, dossier: Dossier) -> list[Problem]:
        applicant = self.kit.citizens.find_one(dossier.applicant_id)
        problems = dossier_problems(
            dossier, self.procedure_of(dossier), applicant, self._today(), self.max_file_bytes()
        )
        # ID-digit mismatches were shown and accepted when the citizen was saved.
        return [p for p in problems if p.message.key not in OVERRIDABLE]

    # -- changing ----------------------------------------------------------------------------------------

    def create(
        self,
        procedure_code: str,
        applicant_id: str,
        values: dict[str, str] | None = None,
        place: Place | None = None,
    ) -> Dossier:
        procedure = self.kit.catalog.get(procedure_code)
        applicant = self.kit.citizens.get(applicant_id)
        now = self.kit.clock.now()
        prefilled = {
            spec.name: str(applicant.to_dict()[spec.prefill] or "")
            for spec in procedure.fields
            if spec.prefill and applicant.to_dict()[spec.prefill]
        }
        dossier = replace(
            Dossier.new(procedure.code, applicant.id_number, self.actor, now, place),
            declaration=self._checked_values(procedure, {**prefilled, **(values or {})}),
        )
        entry = AuditEntry(now, self.actor, "created", dossier.uuid, None, dossier.status.value)
        self.kit.dossiers.save(dossier, [entry])
        return dossier

    def set_values(self, uuid: str, values: dict[str, str]) -> Dossier:
        dossier = self.get(uuid)
        merged = {**dossier.declaration, **self._checked_values(self.procedure_of(dossier), values)}
        merged = {name: value for name, value in merged.items() if value != ""}
        return self._save_edit(dossier.with_declaration(merged, self.kit.clock.now()))

    def set_applicant(self, uuid: str, applicant_id: str) -> Dossier:
        """The wizard's citizen step may be revisited: the dossier follows the chosen citizen."""
        dossier = self.get(uuid)
        if dossier.applicant_id == applicant_id:
            return dossier
        applicant = self.kit.citizens.get(applicant_id)
        return self._save_edit(dossier.edited(self.kit.clock.now(), applicant_id=applicant.id_number))

    def attach_file(self, uuid: str, slot_code: str, path: Path, dpi: int | None = None) -> Dossier:
        data, _ = read_document(path)
        return self.attach_bytes(uuid, slot_code, data, path.name, dpi)

    def attach_bytes(self, uuid: str, slot_code: str, data: bytes, filename: str, dpi: int | None = None) -> Dossier:
        dossier = self.get(uuid)
        slot = self.procedure_of(dossier).slot(slot_code)
        if slot is None:
            raise UserError(
                "error.slot_unknown",
                slot=slot_code,
                known=", ".join(s.code for s in self.procedure_of(dossier).slots),
            )
        info = inspect_bytes(data, filename)
        sha256 = self.kit.vault.put(data)  # before the row that refers to it: a crash leaves an orphan file only
        doc = DocumentRef(slot.code, sha256, len(data), info.media_type, info.pages, filename, dpi)
        updated = dossier.with_documents((*dossier.documents, doc), self.kit.clock.now())
        return self._save_edit(updated)

    def remove_document(self, uuid: str, slot_code: str, index: int = 0) -> Dossier:
        dossier = self.get(uuid)
        in_slot = dossier.documents_for(slot_code)
        if not -len(in_slot) <= index < len(in_slot):  # -1 is the last one added
            raise UserError("error.document.not_attached", slot=slot_code)
        target = in_slot[index]
        remaining = tuple(d for d in dossier.documents if d is not target)
        return self._save_edit(dossier.with_documents(remaining, self.kit.clock.now()))

    def record_consent(self, uuid: str, text: ConsentText) -> Consent:
        """The citizen agreed to the text shown (read to them by the worker, who is recorded as assisting)."""
        dossier = self.get(uuid)
        if dossier.status not in EDITABLE:
            raise UserError("error.consent.too_late", status=dossier.status.label)
        now = self.kit.clock.now()
        consent = Consent(dossier.uuid, text.version, text.lang, text.sha256, now, self.actor)
        with self.kit.db.atomic():
            ConsentStore(self.kit.db).save(consent)
            AuditLog(self.kit.db).append(
                AuditEntry(now, self.actor, "consent_recorded", dossier.uuid, reason=f"v{text.version} {text.lang}")
            )
        return consent

    def export_document(self, uuid: str, slot_code: str, destination: Path, index: int = 0) -> Path:
        """A plain copy of a paper out of the vault: the dossier's own worker, or a supervisor."""
        dossier = self.get(uuid)
        require(self.user, Permission.EXPORT, owner=dossier.assisted_by)
        in_slot = dossier.documents_for(slot_code)
        if not 0 <= index < len(in_slot):
            raise UserError("error.document.not_attached", slot=slot_code)
        written = self.kit.vault.export(in_slot[index].sha256, destination)
        AuditLog(self.kit.db).append(
            AuditEntry(self.kit.clock.now(), self.actor, "exported", dossier.uuid, reason=slot_code)
        )
        return written

    def queue(self, uuid: str) -> Dossier:
        """Check the dossier and put it in the outbox; the problems say what is missing if it cannot go."""
        dossier = self.get(uuid)
        if dossier.status is LocalStatus.QUEUED:
            return dossier
        if dossier.status is LocalStatus.NEEDS_ATTENTION:
            dossier = self._move(dossier, LocalStatus.DRAFT, "")
        problems = self.problems(dossier)
        if problems:
            raise ValidationError(problems, "error.not_ready", labels=self.procedure_of(dossier).where_labels())
        if ConsentStore(self.kit.db).get(dossier.uuid) is None:
            raise ConsentMissing(uuid=dossier.uuid[:8])
        if dossier.status is LocalStatus.DRAFT:
            dossier = self._move(dossier, LocalStatus.READY, "")
        return self._move(dossier, LocalStatus.QUEUED, "")

    def unqueue(self, uuid: str) -> Dossier:
        """Take a dossier back out of the outbox to change it."""
        return self._move(self.get(uuid), LocalStatus.DRAFT, "")

    def discard(self, uuid: str) -> Dossier:
        """Throw away a dossier started by mistake: its declaration, papers and consent go (scans no other dossier
        uses are erased from the vault); the citizen's record stays for next time, and the audit log keeps that
        it happened. Only a dossier the portal never saw: once queued it may be on its way."""
        dossier = self.get(uuid)
        require(self.user, Permission.PURGE, owner=dossier.assisted_by)
        handed_over = self.kit.db.execute("SELECT 1 FROM outbox WHERE dossier_uuid = ?", [dossier.uuid]).fetchone()
        if dossier.status not in DISCARDABLE or dossier.portal_code or handed_over:
            raise UserError("error.dossier.not_discardable", uuid=dossier.uuid[:8], status=dossier.status.label)
        files = self.kit.dossiers.files_only_in(dossier.uuid)
        with self.kit.db.atomic():
            self.kit.db.execute("DELETE FROM dossiers WHERE uuid = ?", [dossier.uuid])  # documents, consent cascade
            AuditLog(self.kit.db).append(
                AuditEntry(self.kit.clock.now(), self.actor, "discarded", dossier.uuid, reason=f"files={len(files)}")
            )
        # After the commit: a crash here leaves encrypted files nobody refers to, removed by the next purge.
        for sha256 in files:
            self.kit.vault.remove(sha256)
        return dossier

    # -- helpers -----------------------------------------------------------------------------------------

    def _checked_values(self, procedure: Procedure, values: dict[str, str]) -> dict[str, str]:
        """Canonical form of the valid values, the raw text of the rest; unknown names are a mistake."""
        unknown = [name for name in values if procedure.field(name) is None]
        if unknown:
            known = ", ".join(f.name for f in procedure.fields)
            raise ValidationError(
                [Problem.of(name, "problem.field.unknown_known", name=name, known=known) for name in unknown]
            )
        checked = {}
        for name, raw in values.items():
            stored, problems = check_value(procedure.field(name), raw, self._today())
            checked[name] = stored if not problems else (raw or "").strip()
        return checked

    def _save_edit(self, after: Dossier) -> Dossier:
        """An edit makes a ready or returned dossier a draft again, to be checked anew before queueing."""
        entries = []
        if after.status in (LocalStatus.READY, LocalStatus.NEEDS_ATTENTION):
            after, entry = after.moved(LocalStatus.DRAFT, self.actor, self.kit.clock.now(), "edited")
            entries.append(entry)
        entries.append(
            AuditEntry(self.kit.clock.now(), self.actor, "edited", after.uuid, reason=f"rev{after.revision}")
        )
        self.kit.dossiers.save(after, entries)
        return after

    def _move(self, dossier: Dossier, target: LocalStatus, reason: str) -> Dossier:
        moved, entry = dossier.moved(target, self.actor, self.kit.clock.now(), reason)
        self.kit.dossiers.save(moved, [entry])
        return moved

    def _today(self):
        return local_date(self.kit.clock.now())
