"""Role checks, consent, retention and the audit trail, tested at the service level (no GUI, no CLI)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fieldkit.core.audit_chain import GENESIS, Break
from fieldkit.core.cccd import Sex
from fieldkit.core.consent import ConsentMissing, consent_text, consent_versions
from fieldkit.core.dossier import AuditEntry
from fieldkit.core.errors import NotFound, UserError
from fieldkit.core.roles import Actor, Permission, PermissionDenied, Role, allowed, require
from fieldkit.core.workflow import PORTAL_CLOSED, LocalStatus, PortalStatus
from fieldkit.storage.audit import AuditLog
from fieldkit.storage.citizen_service import CitizenService
from fieldkit.storage.database import open_database
from fieldkit.storage.dossier_service import DossierService
from fieldkit.storage.migrations import MIGRATIONS, migrate
from fieldkit.storage.retention import RetentionService
from tests.conftest import NOW, an_citizen, give_consent, make_pdf

LAN = Actor("lan", Role.FIELD_WORKER)
MINH = Actor("minh", Role.FIELD_WORKER)
HOA = Actor("hoa", Role.SUPERVISOR)


def new_dossier(kit, worker: Actor, citizen=None, pdf_seed: int = 0, pdf: bytes | None = None):
    citizen = citizen or an_citizen()
    CitizenService(kit, worker.username).save(citizen)
    service = DossierService(kit, worker)
    dossier = service.create("1.004873", citizen.id_number, {"marital_status": "chua_ket_hon", "purpose": "Kết hôn"})
    service.attach_bytes(dossier.uuid, "TOKHAI", pdf or make_pdf(1, pdf_seed), "tk.pdf")
    return service.get(dossier.uuid)


def close_at_portal(kit, uuid: str, status: PortalStatus = PortalStatus.RESULT_RETURNED) -> None:
    """What sync does when the portal reports the dossier's end."""
    service = DossierService(kit, "sync")
    give_consent(service, uuid)
    queued = service.queue(uuid)
    now = kit.clock.now()
    sending, e1 = queued.moved(LocalStatus.SENDING, "sync", now)
    sent, e2 = sending.accepted_by_portal("H14-261122-00001", "sync", now)
    done, e3 = sent.with_portal_status(status, "", "sync", now)
    kit.dossiers.save(done, [e1, e2, e3])


# -- roles -------------------------------------------------------------------------------------------------


def test_a_field_worker_cannot_export_or_purge_another_workers_dossier(kit, tmp_path):
    dossier = new_dossier(kit, LAN)
    assert dossier.assisted_by == "lan"
    with pytest.raises(PermissionDenied) as caught:
        DossierService(kit, MINH).export_document(dossier.uuid, "TOKHAI", tmp_path / "minh.pdf")
    assert caught.value.message.params["permission"].key == "security.permission.export"
    assert not (tmp_path / "minh.pdf").exists()
    DossierService(kit, LAN).export_document(dossier.uuid, "TOKHAI", tmp_path / "lan.pdf")
    DossierService(kit, HOA).export_document(dossier.uuid, "TOKHAI", tmp_path / "hoa.pdf")
    assert (tmp_path / "lan.pdf").read_bytes() == (tmp_path / "hoa.pdf").read_bytes()
    assert (tmp_path / "lan.pdf").read_bytes().startswith(b"%PDF")
    exports = [e.actor for e in kit.dossiers.audit.for_dossier(dossier.uuid) if e.action == "exported"]
    assert exports == ["lan", "hoa"]

    close_at_portal(kit, dossier.uuid)
    kit.clock.advance(days=31)
    with pytest.raises(PermissionDenied):
        RetentionService(kit, MINH).purge_one(RetentionService(kit, HOA).plan()[0])
    assert RetentionService(kit, MINH).plan() == []  # nothing of his to purge
    assert [item.uuid for item in RetentionService(kit, LAN).plan()] == [dossier.uuid]


def test_approving_is_for_supervisors_never_for_ones_own_work():
    assert not allowed(LAN, Permission.APPROVE, owner="lan")
    assert not allowed(LAN, Permission.APPROVE, owner="minh")
    assert allowed(HOA, Permission.APPROVE, owner="lan")
    with pytest.raises(PermissionDenied):
        require(LAN, Permission.APPROVE, owner="lan")
    assert not allowed(HOA, Permission.MANAGE_USERS)
    assert allowed(Actor("x", Role.ADMIN), Permission.MANAGE_USERS)


def test_a_bare_name_has_the_least_privilege(kit, tmp_path):
    dossier = new_dossier(kit, LAN)
    with pytest.raises(PermissionDenied):
        DossierService(kit, "hoa").export_document(dossier.uuid, "TOKHAI", tmp_path / "x.pdf")


# -- consent -------------------------------------------------------------------------------------------------


def test_a_dossier_without_consent_cannot_be_queued(kit):
    dossier = new_dossier(kit, LAN)
    service = DossierService(kit, LAN)
    with pytest.raises(ConsentMissing) as caught:
        service.queue(dossier.uuid)
    assert caught.value.user_error and caught.value.message.params["uuid"] == dossier.uuid[:8]
    assert service.get(dossier.uuid).status is LocalStatus.DRAFT
    text = consent_text("vi", service.procedure_of(dossier).name.vi)
    assert service.procedure_of(dossier).name.vi in text.text
    consent = service.record_consent(dossier.uuid, text)
    assert (consent.version, consent.text_sha256, consent.assisted_by, consent.given_at) == (
        text.version,
        text.sha256,
        "lan",
        NOW,
    )
    assert service.queue(dossier.uuid).status is LocalStatus.QUEUED
    assert service.consent_of(dossier.uuid) == consent
    with pytest.raises(UserError) as caught:
        service.record_consent(dossier.uuid, text)  # after queueing: too late to change the record
    assert caught.value.message.key == "error.consent.too_late"


def test_consent_texts_exist_in_both_languages_with_the_same_versions():
    assert consent_versions("vi") == consent_versions("en") != []
    for lang in ("vi", "en"):
        text = consent_text(lang, "Đăng ký khai sinh")
        assert "Đăng ký khai sinh" in text.text and "{procedure}" not in text.text and len(text.text) > 300
    assert consent_text("vi", "A").sha256 != consent_text("vi", "B").sha256  # per purpose


# -- retention -----------------------------------------------------------------------------------------------


def test_a_finished_dossier_is_purged_after_the_retention_period_leaving_statistics(kit):
    scan = make_pdf(1, 1)
    finished = new_dossier(kit, LAN, pdf=scan)
    other_citizen = an_citizen(id_number="001190012346", full_name="Đỗ Thị Bình", sex=Sex.FEMALE)
    still_open = new_dossier(kit, LAN, other_citizen, pdf_seed=2)
    shared = DossierService(kit, LAN).attach_bytes(still_open.uuid, "BANAN", scan, "same scan.pdf")
    close_at_portal(kit, finished.uuid, PortalStatus.RESULT_RETURNED)
    service = RetentionService(kit, HOA)

    kit.clock.advance(days=29)
    assert service.plan() == []
    kit.clock.advance(days=1)
    [item] = service.plan()  # dry run: nothing changes
    assert (item.uuid, item.files, item.portal_status) == (finished.uuid, 0, 10)
    assert kit.dossiers.get(finished.uuid) and kit.citizens.count() == 2

    report = service.purge()
    assert [i.uuid for i in report.purged] == [finished.uuid]
    with pytest.raises(NotFound):
        kit.dossiers.get(finished.uuid)
    assert kit.citizens.find_one(finished.applicant_id) is None
    assert kit.citizens.find_one(other_citizen.id_number) is not None
    assert kit.vault.get(shared.documents[1].sha256) == scan  # still used by the open dossier
    stats = kit.db.execute("SELECT * FROM purged_dossiers").fetchall()
    columns = [c[0] for c in kit.db.execute("SELECT * FROM purged_dossiers").description]
    record = dict(zip(columns, stats[0], strict=True))
    assert record["procedure_code"] == "1.004873" and record["assisted_by"] == "lan"
    assert record["portal_status"] == 10 and record["consent_version"] == consent_versions("vi")[-1]
    assert "applicant_id" not in record and "declaration" not in record
    [entry] = [e for e in kit.dossiers.audit.for_dossier(finished.uuid) if e.action == "purged"]
    assert entry.actor == "hoa" and entry.reason == "files=0"
    assert service.plan() == []


def test_purge_removes_scans_no_other_dossier_uses(kit):
    dossier = new_dossier(kit, LAN, pdf_seed=5)
    sha256 = dossier.documents[0].sha256
    close_at_portal(kit, dossier.uuid, PortalStatus.WITHDRAWN)
    kit.clock.advance(days=30)
    assert [i.files for i in RetentionService(kit, LAN).plan()] == [1]
    RetentionService(kit, LAN).purge()
    assert not kit.vault.has(sha256) and list(kit.vault.names()) == []


def test_the_retention_period_is_a_setting_and_open_dossiers_are_kept(kit):
    kept = new_dossier(kit, LAN)
    kit.settings.set("retention_days", "0")
    kit.clock.advance(days=400)
    assert RetentionService(kit, HOA).plan() == []
    assert kit.dossiers.get(kept.uuid)
    assert {PortalStatus(3), PortalStatus(7), PortalStatus(10)} <= PORTAL_CLOSED


# -- audit trail ---------------------------------------------------------------------------------------------


def filled_log(kit, count: int = 6) -> AuditLog:
    log = AuditLog(kit.db)
    for n in range(count):
        log.append(AuditEntry(NOW, "lan", "viewed", f"uuid-{n}"))
    return log


def test_an_untouched_log_verifies(kit):
    log = filled_log(kit)
    assert log.verify() == []
    number, head = log.head()
    assert number == len(log.all()) and head != GENESIS


def test_an_edited_entry_is_found(kit):
    log = filled_log(kit)
    target = log.head()[0] - 2
    kit.db.execute("UPDATE audit SET actor = 'minh' WHERE id = ?", [target])
    assert log.verify() == [Break(target, "edited")]


def test_an_entry_edited_and_rehashed_is_still_found(kit):
    from fieldkit.core.audit_chain import entry_hash

    log = filled_log(kit)
    target = log.head()[0] - 2
    row = kit.db.execute(
        "SELECT at, actor, action, dossier_uuid, from_status, to_status, reason, prev_hash FROM audit WHERE id = ?",
        [target],
    ).fetchone()
    forged = [row[0], "minh", *row[2:7]]
    kit.db.execute("UPDATE audit SET actor = 'minh', entry_hash = ? WHERE id = ?", [entry_hash(row[7], forged), target])
    assert log.verify() == [Break(target, "edited")]


def test_a_deleted_entry_is_found(kit):
    log = filled_log(kit)
    target = log.head()[0] - 3
    kit.db.execute("DELETE FROM audit WHERE id = ?", [target])
    assert log.verify() == [Break(target + 1, "deleted")]


def test_entries_cut_from_the_end_are_found(kit):
    log = filled_log(kit)
    last = log.head()[0]
    kit.db.execute("DELETE FROM audit WHERE id >= ?", [last - 1])
    assert log.verify() == [Break(last, "deleted_at_end")]


def test_reordered_entries_are_found(kit):
    log = filled_log(kit)
    a, b = log.head()[0] - 4, log.head()[0] - 2
    rows = {
        i: kit.db.execute(
            "SELECT at, actor, action, dossier_uuid, from_status, to_status, reason, prev_hash, entry_hash "
            "FROM audit WHERE id = ?",
            [i],
        ).fetchone()
        for i in (a, b)
    }
    swap = (
        "UPDATE audit SET at = ?, actor = ?, action = ?, dossier_uuid = ?, from_status = ?, to_status = ?, "
        "reason = ?, prev_hash = ?, entry_hash = ? WHERE id = ?"
    )
    kit.db.execute(swap, [*rows[b], a])
    kit.db.execute(swap, [*rows[a], b])
    kinds = {found.kind for found in log.verify()}
    assert kinds == {"out_of_order"} and {found.entry_id for found in log.verify()} >= {a, b}


def test_audit_entries_of_a_full_workflow_hold_no_personal_data(kit, tmp_path):
    citizen = an_citizen()
    dossier = new_dossier(kit, LAN, citizen)
    DossierService(kit, LAN).view(dossier.uuid)
    DossierService(kit, LAN).export_document(dossier.uuid, "TOKHAI", tmp_path / "x.pdf")
    close_at_portal(kit, dossier.uuid)
    kit.clock.advance(days=31)
    RetentionService(kit, HOA).purge()
    text = repr(kit.db.execute("SELECT * FROM audit").fetchall())
    for personal in (citizen.full_name, citizen.id_number, citizen.permanent_address, citizen.phone, "Nguyen"):
        assert personal not in text
    assert {"viewed", "exported", "consent_recorded", "purged"} <= {e.action for e in AuditLog(kit.db).all()}
    assert AuditLog(kit.db).verify() == []


def test_the_migration_chains_entries_written_before_it(tmp_path):
    db = open_database(tmp_path / "old.db")
    number = next(n for n, step in enumerate(MIGRATIONS, start=1) if step.__name__.endswith("_security"))
    # Undo it and what came after; only it is applied again below (later steps do not touch these tables).
    db.execute("DELETE FROM schema_migrations WHERE number >= ?", [number])
    db.execute("DROP TABLE consents")
    db.execute("DROP TABLE purged_dossiers")
    # Back to the tables as version 1 shipped them, with entries written then.
    db.execute("ALTER TABLE audit DROP COLUMN prev_hash")
    db.execute("ALTER TABLE audit DROP COLUMN entry_hash")
    db.execute("ALTER TABLE dossiers DROP COLUMN closed_at")
    for n in range(3):
        db.execute("INSERT INTO audit (at, actor, action) VALUES (?, 'an', 'status')", [f"2026-01-0{n + 1}T00:00:00"])
    db.conn.commit()
    assert migrate(db, MIGRATIONS[:number]) == [number]
    assert AuditLog(db).verify() == []
    AuditLog(db).append(replace(AuditEntry(NOW, "an", "login"), reason="role=admin"))
    assert AuditLog(db).verify() == []


def test_every_security_text_the_code_uses_exists_in_both_languages():
    import re
    from pathlib import Path

    from fieldkit.core.i18n import load_catalog
    from fieldkit.core.roles import Permission, Role

    source = Path(__file__).resolve().parents[2] / "fieldkit"
    used = set()
    for path in source.rglob("*.py"):
        used |= set(re.findall(r"[\"'](security\.[a-z0-9_.]+)[\"']", path.read_text(encoding="utf-8")))
    used |= {f"security.role.{role.value}" for role in Role}
    used |= {f"security.permission.{p.value}" for p in Permission}
    used |= {f"cli.audit.break.{kind}" for kind in ("edited", "deleted", "out_of_order", "deleted_at_end")}
    for lang in ("vi", "en"):
        assert sorted(used - set(load_catalog(lang))) == []


# The hash recorded with each dossier must keep pointing at the words shown: a shipped text never changes.
# A new wording is a new file (version 2), added here with its hash.
SHIPPED_CONSENT = {
    ("vi", "1"): "1fcdcb448c4519d07109d7509003852cbb377400a24dcc771e0ac984ebd796a3",
    ("en", "1"): "8cd513bd5a742a6249329d42b7912c4e6af28d17561517cd68de0c2df220e4ae",
    # Version 2 cites Law 91/2025/QH15, which replaced Decree 13/2023 on 2026-01-01; nothing else changed.
    ("vi", "2"): "b292ff335a1ddcb708beb0b69199bb172285f3344c10ad5103df2663256522a0",
    ("en", "2"): "8f2f6f3ec835630eefe298fd6d18fb764bf0a93f2a0423261284c5c4db3d8b51",
}


def test_shipped_consent_texts_are_never_edited():
    import hashlib

    from fieldkit.core.resources import resource_path

    for (lang, version), digest in SHIPPED_CONSENT.items():
        text = resource_path("consent", lang, f"{version}.txt").read_bytes()
        assert hashlib.sha256(text).hexdigest() == digest, f"{lang}/{version}.txt was edited: add a new version"
    shipped = {(lang, v) for lang in ("vi", "en") for v in consent_versions(lang)}
    assert shipped == set(SHIPPED_CONSENT)
