import pytest

from fieldkit.core.cccd import Sex
from fieldkit.core.dossier import Place, PlaceKind
from fieldkit.core.errors import DocumentError, IllegalTransition, UserError, ValidationError
from fieldkit.core.workflow import LocalStatus, PortalStatus
from fieldkit.storage.citizen_service import CitizenService
from fieldkit.storage.dossier_service import DossierService
from tests.conftest import an_citizen, give_consent, make_pdf


@pytest.fixture
def service(kit):
    CitizenService(kit, "an").save(an_citizen())
    return DossierService(kit, "an")


def start(service, **values):
    values = {"marital_status": "chua_ket_hon", "purpose": "Để đăng ký kết hôn", **values}
    dossier = service.create("1.004873.000.00.00.H14", "001090012345", values, Place(PlaceKind.HELP_DESK, "Thôn 3"))
    give_consent(service, dossier.uuid)
    return dossier


def test_a_complete_dossier_goes_to_the_queue_with_its_audit_trail(service, kit, pdf_bytes):
    dossier = start(service)
    assert dossier.procedure_code == "1.004873" and dossier.place.village == "Thôn 3"
    with pytest.raises(ValidationError) as caught:
        service.queue(dossier.uuid)
    assert [p.where for p in caught.value.problems] == ["documents.TOKHAI"]
    assert caught.value.labels["documents.TOKHAI"].vi.startswith("Tờ khai")
    service.attach_bytes(dossier.uuid, "TOKHAI", pdf_bytes, "tokhai.pdf")
    queued = service.queue(dossier.uuid)
    assert queued.status is LocalStatus.QUEUED
    trail = [(e.action, e.from_status, e.to_status) for e in kit.dossiers.audit.for_dossier(dossier.uuid)]
    assert trail == [
        ("created", None, "draft"),
        ("consent_recorded", None, None),
        ("edited", None, None),
        ("status", "draft", "ready"),
        ("status", "ready", "queued"),
    ]
    assert all(e.actor == "an" for e in kit.dossiers.audit.for_dossier(dossier.uuid))


def test_what_was_typed_is_kept_even_when_wrong(service):
    dossier = start(service, purpose="", copies="hai")
    assert dossier.declaration["copies"] == "hai"
    problems = {p.where: p.message.key for p in service.problems(dossier)}
    assert problems == {
        "purpose": "problem.required",
        "copies": "problem.number.format",
        "documents.TOKHAI": "problem.document.missing",
    }
    fixed = service.set_values(dossier.uuid, {"copies": "2", "purpose": "Vay vốn"})
    assert fixed.declaration["copies"] == "2"


def test_unknown_field_names_and_slots_are_mistakes(service, pdf_bytes):
    with pytest.raises(ValidationError) as caught:
        start(service, purpos="x")
    assert caught.value.problems[0].message.params["name"] == "purpos"
    dossier = start(service)
    with pytest.raises(UserError) as caught:
        service.attach_bytes(dossier.uuid, "GIAYKHAISINH", pdf_bytes, "x.pdf")
    assert "TOKHAI" in caught.value.message.params["known"]


def test_broken_files_never_reach_the_vault(service, kit, tmp_path):
    dossier = start(service)
    for data, key in (
        (b"", "error.document.empty"),
        (b"GIF89a....", "error.document.kind"),
        (b"\x00\x00\x00\x24ftypheic\x00\x00\x00\x00mif1heic", "error.document.heic"),  # an iPhone photo
        (b"%PDF-1.4\n garbage", "error.document.pdf_broken"),
    ):
        with pytest.raises(DocumentError) as caught:
            service.attach_bytes(dossier.uuid, "TOKHAI", data, "x.pdf")
        assert caught.value.message.key == key
    with pytest.raises(DocumentError):
        service.attach_file(dossier.uuid, "TOKHAI", tmp_path / "missing.pdf")
    assert list(kit.vault.names()) == []


def test_alternative_documents_satisfy_a_group(kit):
    CitizenService(kit, "an").save(an_citizen())
    service = DossierService(kit, "an")
    dossier = service.create(
        "1.001193",
        "001090012345",
        {
            "child_full_name": "Nguyễn Minh Khang",
            "child_date_of_birth": "01/11/2026",
            "child_sex": "nam",
            "child_place_of_birth": "Trạm y tế xã Phong Hiền",
            "child_ethnicity": "Kinh",
            "child_nationality": "Việt Nam",
            "relationship": "Cha",
        },
    )
    service.attach_bytes(dossier.uuid, "TOKHAI", make_pdf(1, 1), "tk.pdf")
    assert [p.where for p in service.problems(service.get(dossier.uuid))] == ["documents.bang_chung_sinh"]
    service.attach_bytes(dossier.uuid, "CAMDOAN", make_pdf(1, 2), "cd.pdf")
    assert service.problems(service.get(dossier.uuid)) == []


def test_size_limit_is_a_setting(service, kit, pdf_bytes):
    dossier = start(service)
    service.attach_bytes(dossier.uuid, "TOKHAI", pdf_bytes, "tk.pdf")
    kit.settings.set("max_file_mb", "0.5")
    assert service.problems(service.get(dossier.uuid)) == []
    big = make_pdf(40, 3)
    assert len(big) > 0.5 * 2**20
    service.attach_bytes(dossier.uuid, "BANAN", big, "banan.pdf")
    [problem] = service.problems(service.get(dossier.uuid))
    assert problem.message.key == "problem.document.too_big"


def test_editing_a_queued_dossier_needs_unqueue_and_then_checks_again(service, pdf_bytes):
    dossier = start(service)
    service.attach_bytes(dossier.uuid, "TOKHAI", pdf_bytes, "tk.pdf")
    service.queue(dossier.uuid)
    with pytest.raises(IllegalTransition):
        service.set_values(dossier.uuid, {"purpose": "Khác"})
    assert service.unqueue(dossier.uuid).status is LocalStatus.DRAFT
    service.remove_document(dossier.uuid, "TOKHAI")
    with pytest.raises(ValidationError):
        service.queue(dossier.uuid)


def test_returned_by_portal_then_fixed_is_a_new_revision(service, kit, pdf_bytes):
    dossier = start(service)
    service.attach_bytes(dossier.uuid, "TOKHAI", pdf_bytes, "tk.pdf")
    queued = service.queue(dossier.uuid)
    now = kit.clock.now()
    sending, e1 = queued.moved(LocalStatus.SENDING, "sync", now)
    sent, e2 = sending.accepted_by_portal("H14-261122-00001", "sync", now)
    back, e3 = sent.with_portal_status(PortalStatus.MORE_DOCUMENTS, "Bổ sung bản án", "sync", now)
    kit.dossiers.save(back, [e1, e2, e3])
    fixed = service.attach_bytes(dossier.uuid, "BANAN", make_pdf(1, 9), "banan.pdf")
    assert fixed.revision == 2 and fixed.status is LocalStatus.DRAFT and fixed.portal_code == "H14-261122-00001"
    assert service.queue(dossier.uuid).status is LocalStatus.QUEUED


def test_citizen_found_not_duplicated_and_differences_need_update(kit):
    citizens = CitizenService(kit, "an")
    assert citizens.save(an_citizen()).created
    assert not citizens.save(an_citizen()).created
    moved = an_citizen(permanent_address="Thôn 2, xã Quảng Thọ")
    with pytest.raises(UserError) as caught:
        citizens.save(moved)
    assert caught.value.message.key == "error.citizen_differs"
    result = citizens.save(moved, update=True)
    assert result.changed == ("permanent_address",) and kit.citizens.count() == 1


def test_id_mismatch_is_refused_unless_the_worker_accepts_it(kit):
    citizens = CitizenService(kit, "an")
    odd = an_citizen(sex=Sex.FEMALE)
    with pytest.raises(ValidationError) as caught:
        citizens.save(odd)
    assert caught.value.problems[0].message.key == "problem.id.sex_mismatch"
    citizens.save(odd, accept_mismatch=True)
    [entry] = [e for e in kit.dossiers.audit.all() if e.action == "citizen_mismatch_accepted"]
    assert "Nguyễn" not in entry.reason and "001090012345" not in entry.reason


def test_a_draft_started_by_mistake_can_be_thrown_away(service, kit, pdf_bytes):
    from fieldkit.core.roles import Actor, PermissionDenied, Role
    from fieldkit.storage.audit import AuditLog

    mistake, kept = start(service), start(service)
    service.attach_bytes(mistake.uuid, "TOKHAI", pdf_bytes, "tokhai.pdf")  # the same scan in both dossiers
    service.attach_bytes(kept.uuid, "TOKHAI", pdf_bytes, "tokhai.pdf")
    own = make_pdf(1, seed=7)
    service.attach_bytes(mistake.uuid, "BANAN", own, "ban-an.pdf")  # a scan only the mistake has
    only_mistake = kit.dossiers.get(mistake.uuid).documents[-1].sha256
    with pytest.raises(PermissionDenied):  # another field worker's dossier
        DossierService(kit, Actor("lan", Role.FIELD_WORKER)).discard(mistake.uuid)

    service.discard(mistake.uuid)
    assert [d.uuid for d in kit.dossiers.list()] == [kept.uuid]
    assert not kit.vault.has(only_mistake) and kit.vault.get(kit.dossiers.get(kept.uuid).documents[0].sha256)
    assert kit.citizens.get("001090012345").full_name == "Nguyễn Văn An"  # declared once, kept for next time
    assert [e.action for e in kit.dossiers.audit.for_dossier(mistake.uuid)][-1] == "discarded"
    assert AuditLog(kit.db).verify() == []

    queued = service.queue(kept.uuid)
    with pytest.raises(UserError) as caught:  # it may be on its way to the portal
        service.discard(queued.uuid)
    assert caught.value.message.key == "error.dossier.not_discardable"
    service.unqueue(kept.uuid)
    kit.db.execute(  # a dossier once handed to the outbox stays, even taken back out of the queue
        "INSERT INTO outbox (dossier_uuid, revision, step, fingerprint, updated_at) "
        "VALUES (?, 1, 'sending', '', '2026-01-01T00:00:00+00:00')",
        [kept.uuid],
    )
    with pytest.raises(UserError):
        service.discard(kept.uuid)
