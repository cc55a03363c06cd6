"""USB bundles between a team kit that never sees the network and the supervisor's kit: enrolled by public-key
files, merged once however often a bundle is imported, answered with a reply bundle."""

from __future__ import annotations

import pytest

from fieldkit.core.consent import consent_versions
from fieldkit.core.errors import UserError
from fieldkit.core.roles import Actor, PermissionDenied, Role
from fieldkit.core.workflow import LocalStatus, PortalStatus
from fieldkit.hub.bundles import export_dossiers, export_replies, import_dossiers, import_replies
from fieldkit.hub.container import BundleNotForUs, UnknownSender
from fieldkit.hub.enrol import trust_hub_file
from fieldkit.hub.review import ReviewService
from fieldkit.hub.service import hub_config
from fieldkit.hub.store import NO_PASSWORD, account_of, open_hub
from fieldkit.storage.consents import ConsentStore
from fieldkit.storage.dossier_service import DossierService
from fieldkit.storage.identity import PublicIdentity, kit_identity
from fieldkit.storage.reviews import BUNDLE, ReviewStore
from tests.e2e.hub_harness import member_kit, queue_for, supervisor, supervisor_kit


@pytest.fixture
def setup(tmp_path, clock):
    office = supervisor_kit(tmp_path / "supervisor", clock)
    hoa = member_kit(tmp_path / "hoa", "hoa", clock)
    hub = open_hub(office)
    # Public-key files carried both ways on the stick; each side compares the fingerprint on screen.
    kit_file = kit_identity(hoa).public("Máy của Hoa").write(tmp_path / "hoa.key.json")
    hub_file = kit_identity(office).public("Tổ trưởng").write(tmp_path / "truong.key.json")
    identity = PublicIdentity.read(kit_file)
    hub.registry.enrol(identity, "file", clock.now())
    hub.store.open_account(account_of(identity.kit_id), NO_PASSWORD)
    trust_hub_file(hoa, "hoa", PublicIdentity.read(hub_file))
    yield office, hoa, hub, hub_config(office, "vi")
    hub.close()
    hoa.close()
    office.close()


def test_a_bundle_imported_twice_or_overlapping_adds_nothing_twice(setup, tmp_path):
    office, hoa, hub, config = setup
    first = queue_for(hoa, "hoa", 2, village="Thôn Tây")
    monday = export_dossiers(hoa, "hoa", tmp_path / "monday.fkb")
    assert monday.dossiers == tuple(first)

    report = import_dossiers(office, supervisor(), hub, tmp_path / "monday.fkb", config)
    assert [uuid for uuid, _ in report.new] == first and report.refused == []
    assert [r.uuid for r in report.collected] == first and {r.channel for r in report.collected} == {BUNDLE}
    again = import_dossiers(office, supervisor(), hub, tmp_path / "monday.fkb", config)
    assert again.new == [] and again.already == 2 and again.collected == [] and again.seen_before

    later = queue_for(hoa, "hoa", 1, start=5)  # the first two are still unsent: the next bundle overlaps
    tuesday = export_dossiers(hoa, "hoa", tmp_path / "tuesday.fkb")
    assert set(tuesday.dossiers) == set(first + later)
    overlap = import_dossiers(office, supervisor(), hub, tmp_path / "tuesday.fkb", config)
    assert [uuid for uuid, _ in overlap.new] == later and overlap.already == 2
    assert len(ReviewStore(office.db).list()) == 3 and len(hub.store.dossiers()) == 3
    item = ReviewService(office, supervisor(), hub).item(first[0])
    assert item.applicant.date_of_birth is not None  # the bundle carries the whole citizen record
    assert ConsentStore(office.db).get(first[0]).version == consent_versions("vi")[-1]  # as recorded on the kit


def test_the_reply_bundle_tells_the_team_kit_what_became_of_each_dossier(setup, tmp_path):
    office, hoa, hub, config = setup
    uuids = queue_for(hoa, "hoa", 2)
    export_dossiers(hoa, "hoa", tmp_path / "day.fkb")
    import_dossiers(office, supervisor(), hub, tmp_path / "day.fkb", config)
    review = ReviewService(office, supervisor(), hub)
    review.approve(uuids[0])
    review.return_to_member(uuids[1], "Ảnh giấy khai sinh bị mờ")

    _bundle_id, count = export_replies(office, supervisor(), hub, "Máy của Hoa", tmp_path / "reply.fkb")
    assert count == 2
    applied = import_replies(hoa, "hoa", tmp_path / "reply.fkb")
    assert {r.uuid for r in applied.delivered} == set(uuids)
    approved, returned = hoa.dossiers.get(uuids[0]), hoa.dossiers.get(uuids[1])
    assert approved.status is LocalStatus.SENT and approved.portal_code.startswith("HUB-")
    assert returned.status is LocalStatus.NEEDS_ATTENTION and returned.portal_note == "Ảnh giấy khai sinh bị mờ"
    assert import_replies(hoa, "hoa", tmp_path / "reply.fkb").delivered == []  # applying twice changes nothing

    # Hoa fixes the returned one; it goes in the next bundle as revision 2 and waits for review again.
    service = DossierService(hoa, "hoa")
    service.set_values(uuids[1], {"purpose": "Bổ sung ảnh rõ"})
    service.queue(uuids[1])
    export_dossiers(hoa, "hoa", tmp_path / "fixed.fkb")
    fixed = import_dossiers(office, supervisor(), hub, tmp_path / "fixed.fkb", config)
    assert fixed.new == [(uuids[1], 2)]
    assert [(i.uuid, i.review.revision) for i in review.queue()] == [(uuids[1], 2)]
    assert hub.store.current(uuids[1])[2] is PortalStatus.NEW


def test_a_dossier_edited_after_export_goes_as_a_new_revision(setup, tmp_path):
    office, hoa, hub, config = setup
    [uuid] = queue_for(hoa, "hoa", 1)
    export_dossiers(hoa, "hoa", tmp_path / "one.fkb")  # this content may now be out, under revision 1
    service = DossierService(hoa, "hoa")
    service.unqueue(uuid)
    service.set_values(uuid, {"purpose": "Đi du học"})
    service.queue(uuid)
    export_dossiers(hoa, "hoa", tmp_path / "two.fkb")
    assert hoa.dossiers.get(uuid).revision == 2
    import_dossiers(office, supervisor(), hub, tmp_path / "one.fkb", config)
    later = import_dossiers(office, supervisor(), hub, tmp_path / "two.fkb", config)
    assert later.refused == [] and later.new == [(uuid, 2)]
    assert office.dossiers.get(uuid).declaration["purpose"] == "Đi du học"


def test_bundles_go_only_where_they_belong(setup, tmp_path, clock):
    office, hoa, hub, config = setup
    queue_for(hoa, "hoa", 1)
    export_dossiers(hoa, "hoa", tmp_path / "day.fkb")
    stranger = supervisor_kit(tmp_path / "other-supervisor", clock)
    other_hub = open_hub(stranger)
    try:
        with pytest.raises(BundleNotForUs):
            import_dossiers(stranger, supervisor(), other_hub, tmp_path / "day.fkb", hub_config(stranger, "vi"))
        assert other_hub.store.dossiers() == [] and ReviewStore(stranger.db).list() == []
    finally:
        other_hub.close()
        stranger.close()
    hub.registry.revoke(kit_identity(hoa).kit_id, clock.now())
    with pytest.raises(UnknownSender):
        import_dossiers(office, supervisor(), hub, tmp_path / "day.fkb", config)
    with pytest.raises(PermissionDenied):
        import_dossiers(office, Actor("lan", Role.FIELD_WORKER), hub, tmp_path / "day.fkb", config)


def test_nothing_to_send_and_no_supervisor_are_said_plainly(setup, tmp_path, clock):
    _, hoa, _, _ = setup
    with pytest.raises(UserError, match="nothing_to_send"):
        export_dossiers(hoa, "hoa", tmp_path / "empty.fkb")
    alone = member_kit(tmp_path / "alone", "an", clock)
    try:
        queue_for(alone, "an", 1)
        with pytest.raises(UserError, match="no_hub"):
            export_dossiers(alone, "an", tmp_path / "x.fkb")
    finally:
        alone.close()
