"""The supervisor's end of day on 127.0.0.1: team kits enrol with the hub and send to it like to a portal; the
supervisor reviews, approves (to the training portal, exactly once) or returns with a note; the portal's answers
and the supervisor's notes reach the team kits on their next sync."""

from __future__ import annotations

import json

import pytest

from fieldkit.core.errors import UserError
from fieldkit.core.roles import Actor, PermissionDenied, Role
from fieldkit.core.workflow import LocalStatus, PortalStatus
from fieldkit.hub.enrol import enrol_with_hub, set_destination
from fieldkit.hub.pairing import read_qr_payload
from fieldkit.hub.review import OwnWork, ReviewService
from fieldkit.hub.service import forward
from fieldkit.hub.store import account_of
from fieldkit.storage.dossier_service import DossierService
from fieldkit.storage.reviews import PENDING, RETURNED, ReviewStore
from fieldkit.sync.client import PortalClient
from fieldkit.sync.credentials import SessionCredentials
from fieldkit.sync.errors import AuthRequired
from fieldkit.sync.outbox import Outbox
from fieldkit.sync.session import PortalSession
from tests.e2e.harness import logged_in
from tests.e2e.hub_harness import LiveHub, member_kit, queue_for, supervisor, supervisor_kit


@pytest.fixture
def office(tmp_path, clock):
    kit = supervisor_kit(tmp_path / "supervisor", clock)
    hub = LiveHub(kit)
    yield kit, hub
    hub.stop()
    kit.close()


@pytest.fixture
def lan(tmp_path, clock):
    kit = member_kit(tmp_path / "lan", "lan", clock)
    yield kit
    kit.close()


def hub_session(kit, link) -> PortalSession:
    session = PortalSession(PortalClient(link.url, clock=kit.clock), SessionCredentials(), kit.clock)
    session.login(link.account, link.secret)
    return session


def send(kit, session, actor="lan"):
    return Outbox(kit, session, actor=actor, sleep=lambda s: None).run()


def test_a_kit_enrolled_by_code_sends_to_the_hub_like_to_a_portal(office, lan):
    kit, hub = office
    offer = hub.offer()
    scanned = read_qr_payload(offer.qr_payload())  # what the team kit reads from the hub's screen
    link = enrol_with_hub(lan, "lan", scanned.url, scanned.code, "Máy của Lan", fingerprint=scanned.fingerprint)
    assert link.hub.fingerprint == hub.identity.fingerprint
    assert lan.settings.get("portal_url") == hub.url  # the hub is the kit's destination now
    enrolled = hub.hub.registry.find(lan_id(lan))
    assert enrolled is not None and enrolled.audit_head is not None

    uuids = queue_for(lan, "lan", 3)
    report = send(lan, hub_session(lan, link))
    assert report.complete and sorted(s.uuid for s in report.sent) == sorted(uuids)  # two lanes: any order
    hub.settle()
    queue = ReviewService(kit, supervisor(), hub.hub).queue()
    assert sorted(item.uuid for item in queue) == sorted(uuids)
    for item in queue:
        assert item.dossier.status is LocalStatus.READY and item.team_member == "lan"
        assert item.kit_label == "Máy của Lan" and item.review.channel == "network"
        assert item.applicant is not None and item.applicant.full_name.startswith("Nguyễn Văn")
        assert kit.vault.get(item.documents[0].sha256)[:5] == b"%PDF-"  # in the supervisor's encrypted vault
    assert not any((kit.data_dir / "hub" / "files").glob("??/*"))  # the hub's plain copies are gone
    # Nothing readable of the citizens or their papers anywhere under the supervisor's folder, hub included.
    scan = lan.vault.get(lan.dossiers.get(uuids[0]).documents[0].sha256)
    secrets = [queue[0].applicant.full_name.encode(), queue[0].applicant.id_number.encode(), scan[1000:1064]]
    for path in kit.data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(secret in content for secret in secrets), path

    again = send(lan, hub_session(lan, link))  # nothing twice
    assert again.sent == [] and len(ReviewStore(kit.db).list()) == 3


def lan_id(kit):
    from fieldkit.storage.identity import kit_identity

    return kit_identity(kit).kit_id


def test_only_enrolled_kits_can_send_and_a_code_works_once(office, lan, tmp_path, clock):
    _kit, hub = office
    stranger = PortalSession(PortalClient(hub.url, clock=clock), SessionCredentials(), clock)
    with pytest.raises(AuthRequired):
        stranger.login(account_of("not-enrolled-kit"), "any-password-at-all")
    offer = hub.offer()
    with pytest.raises(UserError, match="pairing_refused"):
        enrol_with_hub(lan, "lan", hub.url, "00000000" if offer.code != "00000000" else "11111111", "Lan")
    link = enrol_with_hub(lan, "lan", hub.url, offer.code, "Lan")
    other = member_kit(tmp_path / "minh", "minh", clock)
    try:
        with pytest.raises(UserError, match=r"pairing_used|pairing_refused"):
            enrol_with_hub(other, "minh", hub.url, offer.code, "Minh")
    finally:
        other.close()
    session = hub_session(lan, link)
    hub.hub.registry.revoke(lan_id(lan), clock.now())
    hub.hub.store.close_account(link.account)
    queue_for(lan, "lan", 1)
    report = send(lan, session)
    assert isinstance(report.stopped, AuthRequired) and report.remaining == 1  # nothing lost, nothing sent


def test_wrong_codes_burn_the_offer(office, lan):
    _, hub = office
    offer = hub.offer()
    wrong = f"{(int(offer.code) + 1) % 10**8:08d}"
    for _ in range(5):
        with pytest.raises(UserError):
            enrol_with_hub(lan, "lan", hub.url, wrong, "Lan")
    with pytest.raises(UserError):  # the right code no longer works either: a guesser gets five tries
        enrol_with_hub(lan, "lan", hub.url, offer.code, "Lan")


def test_review_approve_return_forward_and_answers_flow_back(office, lan, start_portal):
    kit, hub = office
    portal = start_portal()
    link = enrol_with_hub(lan, "lan", hub.url, hub.offer().code, "Lan")
    uuids = queue_for(lan, "lan", 3)
    send(lan, hub_session(lan, link))
    hub.settle()
    review = ReviewService(kit, supervisor(), hub.hub)

    with pytest.raises(PermissionDenied):
        ReviewService(kit, Actor("lan", Role.FIELD_WORKER), hub.hub).approve(uuids[0])
    review.approve(uuids[0])
    review.edit(uuids[1], {"purpose": "Đi du học"})
    review.approve(uuids[1])
    review.return_to_member(uuids[2], "Thiếu trang 2 của tờ khai")
    with pytest.raises(UserError):
        review.approve(uuids[2])

    session = logged_in(kit, portal.url)
    outbox = Outbox(kit, session, actor="truong", sleep=lambda s: None)
    done = forward(kit, outbox, hub.hub)
    assert sorted(s.uuid for s in done.sync.sent) == sorted(uuids[:2]) and done.relayed == 2
    on_portal = {item["uuid"]: item for item in portal.store.dossiers(verify=True)}
    assert set(on_portal) == set(uuids[:2])
    assert all(f["verified"] for item in on_portal.values() for f in item["files"])
    actions = [e.action for e in kit.dossiers.audit.for_dossier(uuids[1])]
    assert "review_edited" in actions and "review_approved" in actions

    portal.store.set_status(on_portal[uuids[0]]["MaHoSo"], PortalStatus.ACCEPTED, "")
    again = forward(kit, Outbox(kit, session, actor="truong", sleep=lambda s: None), hub.hub)
    assert again.sync.sent == [] and again.relayed == 1  # nothing sent twice; the acceptance goes back

    pulled = send(lan, hub_session(lan, link))
    first, second, third = (lan.dossiers.get(u) for u in uuids)
    assert first.portal_code == on_portal[uuids[0]]["MaHoSo"] and first.portal_status is PortalStatus.ACCEPTED
    assert second.portal_code == on_portal[uuids[1]]["MaHoSo"]
    assert third.status is LocalStatus.NEEDS_ATTENTION and third.portal_note == "Thiếu trang 2 của tờ khai"
    assert {s.uuid for s in pulled.statuses} == set(uuids)

    # The member fixes the returned dossier and sends it again: a new revision waits for review.
    service = DossierService(lan, "lan")
    service.set_values(uuids[2], {"purpose": "Kết hôn với người nước ngoài"})
    service.queue(uuids[2])
    resent = send(lan, hub_session(lan, link))
    assert [s.revision for s in resent.sent] == [2]
    hub.settle()
    pending = review.queue()
    assert [(i.uuid, i.review.revision, i.review.state) for i in pending] == [(uuids[2], 2, PENDING)]
    assert ReviewStore(kit.db).get(uuids[2], 1).state == RETURNED


def test_the_supervisor_cannot_approve_their_own_work(office, lan):
    kit, hub = office
    own = queue_for(kit, "truong", 1)[0]
    # A dossier the supervisor filed and that reached the review queue by some path is still refused.
    from fieldkit.storage.reviews import Review

    ReviewStore(kit.db).add(Review(own, 1, "self", "network", None, "0" * 64, kit.clock.now(), PENDING))
    DossierService(kit, "truong").unqueue(own)
    with pytest.raises(OwnWork):
        ReviewService(kit, supervisor(), hub.hub).approve(own)


def test_the_destination_is_a_setting(office, lan):
    _, hub = office
    lan.settings.set("portal_url", "https://dvc.example.gov.vn")
    enrol_with_hub(lan, "lan", hub.url, hub.offer().code, "Lan")
    assert lan.settings.get("portal_url") == hub.url
    assert set_destination(lan, "lan", "portal") == "https://dvc.example.gov.vn"
    assert set_destination(lan, "lan", "hub") == hub.url


def test_the_command_line_enrols_and_syncs_to_the_hub_with_no_password_asked(office, run_cli, memory_keyring):
    from fieldkit.storage.security import unlock_kit
    from tests.conftest import ADMIN, ADMIN_PASSWORD

    kit, hub = office
    code, out, err = run_cli("hub", "enrol", "--hub", hub.url, "--code", hub.offer().code, "--name", "Máy bàn")
    assert code == 0, err
    assert hub.identity.fingerprint in out
    opened = unlock_kit(run_cli.data_dir, ADMIN, ADMIN_PASSWORD)[0]
    with opened:
        uuids = queue_for(opened, ADMIN, 2)
    memory_keyring.entries.clear()  # a login gone (expired, another machine): the kit logs in by itself
    code, out, err = run_cli("sync", "--once", "--json")
    assert code == 0, err
    assert sorted(json.loads(line)["uuid"] for line in out.splitlines() if '"event": "sent"' in line) == sorted(uuids)
    hub.settle()
    assert sorted(i.uuid for i in ReviewService(kit, supervisor(), hub.hub).queue()) == sorted(uuids)
