"""The outbox against the real training portal on 127.0.0.1: exactly once, in order, set aside when refused."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from fieldkit.core.i18n import Translator
from fieldkit.core.portal_format import submission
from fieldkit.core.workflow import LocalStatus, PortalStatus
from fieldkit.server.config import FaultPlan
from fieldkit.storage.dossier_service import DossierService
from fieldkit.sync.backoff import RetryPolicy
from fieldkit.sync.errors import AuthRequired, NetworkError, SyncBusy
from fieldkit.sync.lock import SyncLock
from fieldkit.sync.outbox import Outbox, SyncProgress, fingerprint
from fieldkit.sync.outbox_store import DELIVERED, OutboxStore
from fieldkit.sync.service import run_locked
from tests.e2e.harness import logged_in, queue_dossiers, scan_pdf

FAST = RetryPolicy(base=0.01, cap=0.05, attempts=4, longest_wait=30)
CHUNK = 64 * 1024


def small(rng):
    return rng.randint(20_000, 200_000)


def outbox(kit, session, waits=None, **options) -> Outbox:
    sleep = (lambda seconds: waits.append(seconds)) if waits is not None else (lambda seconds: None)
    options.setdefault("max_chunk", CHUNK)  # pieces of one size, so the counts below are exact
    options.setdefault("policy", FAST)
    return Outbox(kit, session, actor="tester", chunk_size=CHUNK, sleep=sleep, **options)


def held(portal) -> dict[str, dict]:
    return {item["uuid"]: item for item in portal.store.dossiers(verify=True)}


def test_queued_dossiers_reach_the_portal_once_oldest_first(kit, portal):
    uuids = queue_dossiers(kit, 4, small, seed=1)
    session = logged_in(kit, portal.url)
    report = outbox(kit, session).run()

    assert report.complete and report.remaining == 0
    assert [s.uuid for s in report.sent] == uuids  # oldest first
    on_portal = held(portal)
    assert set(on_portal) == set(uuids)
    for uuid in uuids:
        dossier = kit.dossiers.get(uuid)
        assert dossier.status is LocalStatus.SENT and dossier.sent_revision == 1
        assert dossier.portal_code == on_portal[uuid]["MaHoSo"]
        assert dossier.portal_status is PortalStatus.NEW
        files = on_portal[uuid]["files"]
        assert [(f["sha256"], f["size"]) for f in files] == [(d.sha256, d.size) for d in dossier.documents]
        assert all(f["verified"] and f["duplicate_bytes"] == 0 for f in files)
        actions = [(e.action, e.to_status) for e in kit.dossiers.audit.for_dossier(uuid)]
        assert ("status", "sending") in actions and ("status", "sent") in actions
        entry = OutboxStore(kit.db).get(uuid)
        assert entry.step == DELIVERED and entry.payload is None  # personal data not kept once delivered
    assert report.bytes_sent == report.bytes_needed == sum(d.size for u in uuids for d in kit.dossiers.get(u).documents)

    again = outbox(kit, session).run()  # nothing queued: nothing sent, nothing duplicated
    assert again.sent == [] and len(held(portal)) == 4


def test_a_send_that_arrived_before_the_kit_died_is_not_duplicated(kit, portal):
    """The portal took the dossier, then the kit was killed before recording it: the retry gets the same code."""
    [uuid] = queue_dossiers(kit, 1, small, seed=2)
    session = logged_in(kit, portal.url)
    dossier = kit.dossiers.get(uuid)
    envelope = submission(dossier, kit.citizens.get(dossier.applicant_id), kit.catalog.get(dossier.procedure_code))
    # What a kit killed just after the portal answered leaves: SENDING, the payload frozen, and the portal
    # holding the dossier (sent here by hand, with the files first).
    box = outbox(kit, session)
    sending, entry = dossier.moved(LocalStatus.SENDING, "tester", kit.clock.now())
    kit.dossiers.save(sending, [entry])
    store = OutboxStore(kit.db)
    store.start(uuid, 1, fingerprint(dossier), envelope, session.portal_url, kit.clock.now())
    for doc in dossier.documents:
        data = kit.vault.get(doc.sha256)
        session.call(lambda t, d=doc, data=data: session.client.put_chunk(t, d.sha256, 0, data, d.size))
    first = session.call(lambda t: session.client.put_dossier(t, envelope))

    report = box.run()
    assert report.recovered == 1
    assert [s.portal_code for s in report.sent] == [first.ma_ho_so]
    assert len(held(portal)) == 1 and kit.dossiers.get(uuid).portal_code == first.ma_ho_so


def test_a_file_whose_bytes_all_arrived_before_the_portal_stopped_is_finished(kit, portal):
    """The portal wrote a file's last byte and stopped (killed, or its machine lost power) before checking the
    hash and moving it into place: it holds every byte of an unfinished file. The kit sends the last piece
    again, which makes the portal finish it; before, the kit asked for a piece past the end and gave up."""
    [uuid] = queue_dossiers(kit, 1, lambda rng: 150_000, seed=5)
    session = logged_in(kit, portal.url)
    dossier = kit.dossiers.get(uuid)
    envelope = submission(dossier, kit.citizens.get(dossier.applicant_id), kit.catalog.get(dossier.procedure_code))
    sending, entry = dossier.moved(LocalStatus.SENDING, "tester", kit.clock.now())  # the kit died too
    kit.dossiers.save(sending, [entry])
    OutboxStore(kit.db).start(uuid, 1, fingerprint(dossier), envelope, session.portal_url, kit.clock.now())
    for doc in dossier.documents:  # what the portal's disk holds after the stop: every byte, not yet checked
        (portal.store.blobs.root / "partial" / doc.sha256).write_bytes(kit.vault.get(doc.sha256))

    report = outbox(kit, session).run()
    assert report.complete, report.stopped
    [item] = held(portal).values()
    assert item["uuid"] == uuid and all(f["verified"] for f in item["files"])
    assert report.bytes_sent <= CHUNK * len(dossier.documents)  # only each file's last piece went again


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a device that is always full")
def test_a_portal_whose_disk_is_full_says_so_and_the_queue_waits(kit, portal):
    """The portal's disk fills up mid-sync (a real ENOSPC: its partial file is /dev/full): it answers 507 with a
    long Retry-After, the kit stops and says the portal has no room, and nothing leaves the queue."""
    from fieldkit.sync.errors import PortalFull

    [uuid] = queue_dossiers(kit, 1, small, seed=8)
    session = logged_in(kit, portal.url)
    sha256 = kit.dossiers.get(uuid).documents[0].sha256
    (portal.store.blobs.root / "partial" / sha256).symlink_to("/dev/full")

    waits: list[float] = []
    report = outbox(kit, session, waits, policy=RetryPolicy()).run()  # the default policy would wait 600 s
    assert isinstance(report.stopped, PortalFull) and report.stopped.retry_after == 600
    assert waits == []  # a person must free space: the run stops at once instead of waiting
    assert "hết chỗ lưu trữ" in Translator("vi").describe(report.stopped)
    assert kit.dossiers.get(uuid).status is LocalStatus.QUEUED and held(portal) == {}

    (portal.store.blobs.root / "partial" / sha256).unlink()  # space freed
    assert outbox(kit, session).run().complete and list(held(portal)) == [uuid]


def test_an_edit_after_a_send_that_may_have_arrived_goes_as_a_new_revision(kit, portal):
    [uuid] = queue_dossiers(kit, 1, small, seed=3)
    session = logged_in(kit, portal.url)
    dossier = kit.dossiers.get(uuid)
    envelope = submission(dossier, kit.citizens.get(dossier.applicant_id), kit.catalog.get(dossier.procedure_code))
    for doc in dossier.documents:
        data = kit.vault.get(doc.sha256)
        session.call(lambda t, d=doc, data=data: session.client.put_chunk(t, d.sha256, 0, data, d.size))
    session.call(lambda t: session.client.put_dossier(t, envelope))
    store = OutboxStore(kit.db)
    store.start(uuid, 1, fingerprint(dossier), envelope, session.portal_url, kit.clock.now())
    # The kit died; afterwards the worker took it out of the queue and changed it (revision stays 1 locally).
    service = DossierService(kit, "tester")
    service.unqueue(uuid)
    service.set_values(uuid, {"purpose": "Đi du học"})
    service.queue(uuid)

    report = outbox(kit, session).run()
    assert report.set_aside == [] and len(report.sent) == 1
    assert report.sent[0].revision == 2  # not a 409: the new content went as a new revision
    on_portal = held(portal)[uuid]
    assert on_portal["revision"] == 2
    assert kit.dossiers.get(uuid).sent_revision == 2


def test_a_missing_file_sets_the_dossier_aside_and_the_rest_go_on(kit, portal, tmp_path):
    uuids = queue_dossiers(kit, 3, small, seed=4)
    broken = kit.dossiers.get(uuids[1])
    kit.vault.remove(broken.documents[0].sha256)
    report = outbox(kit, logged_in(kit, portal.url)).run()

    assert [s.uuid for s in report.sent] == [uuids[0], uuids[2]]
    [aside] = report.set_aside
    assert aside.uuid == uuids[1] and aside.code == "missing_file"
    dossier = kit.dossiers.get(uuids[1])
    assert dossier.status is LocalStatus.NEEDS_ATTENTION
    assert "Tờ khai" in dossier.attention_reason and "quét lại" in dossier.attention_reason
    assert uuids[1] not in held(portal)


def test_a_damaged_file_sets_only_its_dossier_aside(kit, portal):
    uuids = queue_dossiers(kit, 5, small, seed=6, max_docs=3)
    broken = kit.dossiers.get(uuids[2])
    stored = kit.vault._path(broken.documents[-1].sha256)
    damaged = bytearray(stored.read_bytes())
    damaged[-1] ^= 0xFF  # one bit flipped on disk: the vault refuses it when the lane reads it
    stored.write_bytes(bytes(damaged))
    report = outbox(kit, logged_in(kit, portal.url)).run()

    assert [s.uuid for s in report.sent] == [u for u in uuids if u != uuids[2]]
    [aside] = report.set_aside
    assert aside.uuid == uuids[2] and aside.code == "damaged_file"
    assert kit.dossiers.get(uuids[2]).status is LocalStatus.NEEDS_ATTENTION
    assert uuids[2] not in held(portal)


def test_a_dossier_the_portal_refuses_is_set_aside_with_the_portals_words(kit, start_portal):
    portal = start_portal(procedures=frozenset({"1.000656"}))  # this portal does not handle 1.004873
    uuids = queue_dossiers(kit, 2, small, seed=5)
    report = outbox(kit, logged_in(kit, portal.url)).run()
    assert report.sent == [] and report.complete
    assert [a.code for a in report.set_aside] == ["unknown_procedure", "unknown_procedure"]
    dossier = kit.dossiers.get(uuids[0])
    assert dossier.status is LocalStatus.NEEDS_ATTENTION
    assert dossier.attention_reason == "Cổng không giải quyết thủ tục 1.004873."


def test_busy_and_failing_servers_are_waited_out(kit, start_portal):
    plan = FaultPlan({"503": 0.15, "429": 0.1, "500": 0.15}, retry_after=2, seed=11)
    portal = start_portal(faults=plan)
    uuids = queue_dossiers(kit, 5, small, seed=6)
    waits: list[float] = []
    session = None
    # Logging in goes through the faults too: retry it the way the outbox would.
    for _ in range(20):
        try:
            session = logged_in(kit, portal.url)
            break
        except NetworkError:
            continue
    report = Outbox(
        kit,
        session,
        actor="tester",
        policy=replace(FAST, attempts=12),
        chunk_size=CHUNK,
        sleep=waits.append,
    ).run()
    assert report.complete, report.stopped
    assert sorted(s.uuid for s in report.sent) == sorted(uuids)
    assert len(held(portal)) == 5
    assert 2 in waits  # Retry-After honoured as given
    assert any(w != 2 for w in waits)  # 500s back off on their own schedule


def test_no_network_stops_the_run_and_loses_nothing(kit, portal):
    uuids = queue_dossiers(kit, 2, small, seed=7)
    session = logged_in(kit, portal.url)
    portal.stop()
    waits: list[float] = []
    box = outbox(kit, session, waits)
    box_lanes = box.lanes
    report = box.run()
    assert isinstance(report.stopped, NetworkError)
    assert report.remaining == 2 and all(kit.dossiers.get(u).status is LocalStatus.QUEUED for u in uuids)
    # Each dossier on the wire tried its step `attempts` times before the run gave up, waiting longer each time.
    assert FAST.attempts - 1 <= len(waits) <= box_lanes * (FAST.attempts - 1)
    assert max(waits) <= FAST.cap and min(waits) >= FAST.base / 2


def test_an_expired_login_stops_and_the_upload_resumes_where_it_stopped(kit, clock, start_portal):
    portal = start_portal(token_ttl=timedelta(minutes=30))
    [uuid] = queue_dossiers(kit, 1, lambda rng: 600_000, seed=8, max_docs=1)
    session = logged_in(kit, portal.url)
    chunks = []

    def expire_after_three_chunks(progress: SyncProgress) -> None:
        chunks.append(progress.bytes_done)
        if len(chunks) == 4:
            clock.advance(hours=1)  # the token dies mid-upload; nobody is there to type the password

    report = outbox(kit, session, progress=expire_after_three_chunks).run()
    assert isinstance(report.stopped, AuthRequired)
    assert kit.dossiers.get(uuid).status is LocalStatus.QUEUED

    session.ask_password = lambda user: "mat-khau-tap-huan"  # the worker types it this time
    resumed = outbox(kit, session).run()
    assert [s.uuid for s in resumed.sent] == [uuid]
    size = kit.dossiers.get(uuid).documents[0].size
    [file] = held(portal)[uuid]["files"]
    assert file["verified"] and file["duplicate_bytes"] == 0
    assert file["bytes_seen"] - size <= CHUNK  # the chunk refused with the dead token is the only one re-sent


def test_cancel_leaves_the_dossier_queued_and_resuming_resends_at_most_one_chunk(kit, portal):
    [uuid] = queue_dossiers(kit, 1, lambda rng: 500_000, seed=9, max_docs=1)
    session = logged_in(kit, portal.url)
    cancel = threading.Event()
    seen: list[SyncProgress] = []

    def cancel_midway(progress: SyncProgress) -> None:
        seen.append(replace(progress))
        if progress.bytes_done >= 3 * CHUNK:
            cancel.set()

    report = outbox(kit, session, progress=cancel_midway, cancel=cancel).run()
    assert report.cancelled and kit.dossiers.get(uuid).status is LocalStatus.QUEUED
    done = [p.bytes_done for p in seen]
    assert done == sorted(done) and seen[0].dossiers_total == 1

    resumed = outbox(kit, session).run()
    assert [s.uuid for s in resumed.sent] == [uuid]
    size = kit.dossiers.get(uuid).documents[0].size
    assert resumed.bytes_sent <= size - 3 * CHUNK + CHUNK
    [file] = held(portal)[uuid]["files"]
    assert file["bytes_seen"] == size and file["verified"]


def test_status_changes_come_back_through_the_cursor(kit, portal):
    uuids = queue_dossiers(kit, 3, small, seed=10)
    session = logged_in(kit, portal.url)
    outbox(kit, session).run()
    codes = {u: kit.dossiers.get(u).portal_code for u in uuids}
    portal.store.set_status(codes[uuids[0]], PortalStatus.ACCEPTED)
    portal.store.set_status(codes[uuids[1]], PortalStatus.MORE_DOCUMENTS, "Thiếu bản sao bản án ly hôn")
    portal.store.set_status(codes[uuids[0]], PortalStatus.PROCESSED)

    report = outbox(kit, session).run()
    assert [(s.uuid, s.portal_status) for s in report.statuses] == [
        (uuids[0], PortalStatus.ACCEPTED),
        (uuids[1], PortalStatus.MORE_DOCUMENTS),
        (uuids[0], PortalStatus.PROCESSED),
    ]
    first, second = kit.dossiers.get(uuids[0]), kit.dossiers.get(uuids[1])
    assert first.portal_status is PortalStatus.PROCESSED and first.status is LocalStatus.SENT
    assert second.status is LocalStatus.NEEDS_ATTENTION and second.portal_note == "Thiếu bản sao bản án ly hôn"
    assert outbox(kit, session).run().statuses == []  # the cursor moved on

    # The team brings the missing paper: a new revision, the same MaHoSo, registered anew at the portal.
    service = DossierService(kit, "tester")
    service.attach_bytes(uuids[1], "BANAN", scan_pdf(80_000, 99), "banan.pdf")
    service.queue(uuids[1])
    report = outbox(kit, session).run()
    [sent] = report.sent
    assert (sent.revision, sent.portal_code, sent.portal_status) == (2, codes[uuids[1]], PortalStatus.NEW)
    again = kit.dossiers.get(uuids[1])
    assert again.status is LocalStatus.SENT and again.portal_status is PortalStatus.NEW
    files = [(f["MaThanhPhanHoSo"], f["sha256"]) for f in held(portal)[uuids[1]]["files"]]
    assert held(portal)[uuids[1]]["revision"] == 2
    assert files == [(d.slot_code, d.sha256) for d in again.documents] and files[-1][0] == "BANAN"


def test_one_sync_at_a_time(kit, portal):
    queue_dossiers(kit, 1, small, seed=12)
    box = outbox(kit, logged_in(kit, portal.url))
    with SyncLock(kit.data_dir), pytest.raises(SyncBusy):
        run_locked(kit, box)
    assert run_locked(kit, box).complete


def test_the_frozen_payload_is_what_goes_even_if_the_citizen_record_changed(kit, portal):
    """A retried revision must be byte-for-byte the one that may have arrived."""
    [uuid] = queue_dossiers(kit, 1, small, seed=13)
    session = logged_in(kit, portal.url)
    box = outbox(kit, session)
    prepared = box._prepare(kit.dossiers.get(uuid))
    assert prepared is not None
    box.recover()  # as if the network dropped right after step 1
    kit.db.execute("UPDATE citizens SET phone = '0999999999'")
    assert len(box.run().sent) == 1
    stored = json.loads(portal.store.db.execute("SELECT payload FROM revisions WHERE uuid = ?", [uuid]).fetchone()[0])
    assert stored["HoSo"]["SoDienThoai"] == "0912345678"


def test_the_queue_goes_in_the_order_dossiers_were_queued(kit, portal):
    """Queued in the same second: the audit log's order decides, not the clock's."""
    uuids = queue_dossiers(kit, 3, small, seed=14)
    service = DossierService(kit, "tester")
    for uuid in (uuids[2], uuids[0]):  # taken out and queued again, without the clock moving
        service.unqueue(uuid)
        service.queue(uuid)
    report = outbox(kit, logged_in(kit, portal.url)).run()
    assert [s.uuid for s in report.sent] == [uuids[1], uuids[2], uuids[0]]


def test_pieces_grow_on_a_quick_link_and_fit_what_the_server_takes(kit, start_portal):
    portal = start_portal(max_chunk_bytes=256 * 1024)  # a hub with a lower limit than the kit expects
    [uuid] = queue_dossiers(kit, 1, lambda rng: 1_500_000, seed=15, max_docs=1)
    box = outbox(kit, logged_in(kit, portal.url), max_chunk=8 * 1024 * 1024)
    report = box.run()
    assert [s.uuid for s in report.sent] == [uuid]
    assert CHUNK < box.chunks.size <= 256 * 1024  # grew from 64 KiB, then kept under the server's limit
    [file] = held(portal)[uuid]["files"]
    assert file["verified"] and file["duplicate_bytes"] == 0


def test_after_a_failure_pieces_go_back_to_their_first_size():
    from fieldkit.sync.chunks import ChunkSize

    mib = 1024 * 1024
    size = ChunkSize(mib, 8 * mib)
    size.sent(2.0)  # a slow piece: no growth
    assert size.size == mib
    for _ in range(5):
        size.sent(0.01)
    assert size.size == 8 * mib
    size.failed()
    size.sent(0.01)
    assert size.size == mib and not size.steady
    size.too_large()
    assert size.ceiling == size.base == size.size == mib // 2
