"""The training portal's API over real HTTP on 127.0.0.1: login, chunked files, idempotent dossiers,
status cursor, trainer moves, limits and compression."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from datetime import timedelta

import pytest
import requests

from fieldkit.core.portal_format import MA_HO_SO_PATTERN
from fieldkit.core.workflow import PortalStatus
from tests.e2e.harness import PASSWORD, TRAINER, TRAINER_PASSWORD, USER

UUID = "6daffac2-1111-4111-8111-111111111111"


def login(portal, user=USER, password=PASSWORD) -> dict[str, str]:
    response = requests.post(f"{portal.url}/v1/login", json={"username": user, "password": password}, timeout=5)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def upload(portal, auth, data: bytes, chunk: int = 100_000) -> str:
    sha = hashlib.sha256(data).hexdigest()
    for start in range(0, len(data), chunk):
        part = data[start : start + chunk]
        response = put_chunk(portal, auth, sha, start, part, len(data))
        assert response.status_code == 200, response.text
    return sha


def put_chunk(portal, auth, sha, start, part, total):
    headers = {**auth, "Content-Range": f"bytes {start}-{start + len(part) - 1}/{total}"}
    return requests.put(f"{portal.url}/v1/files/{sha}", data=part, headers=headers, timeout=5)


def envelope(files: list[tuple[str, int]], revision: int = 1, owner: str = "Nguyễn Văn An", uuid: str = UUID):
    return {
        "uuid": uuid,
        "revision": revision,
        "HoSo": {
            "MaTTHC": "1.004873",
            "ChuHoSo": owner,
            "DinhDanhCHS": [{"LoaiDinhDanh": 1, "SoDinhDanh": "001090012345"}],
            "NgayTao": "20261122100000",
            "NgayCapNhat": "20261122100000",
            "TaiLieuNop": [
                {"TepDinhKemId": sha, "TenTepDinhKem": "a.pdf", "MaThanhPhanHoSo": "TOKHAI", "KichThuoc": size}
                for sha, size in files
            ],
        },
    }


def put_dossier(portal, auth, body, uuid=UUID):
    return requests.put(f"{portal.url}/v1/dossiers/{uuid}", json=body, headers=auth, timeout=5)


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_health_needs_no_login_and_says_the_servers_limits(portal):
    body = requests.get(f"{portal.url}/v1/health", timeout=5).json()
    assert body["status"] == "ok" and body["max_chunk_bytes"] > 0 and re.match(r"^\d{14}$", body["time"])


def test_login_gives_a_token_that_expires(portal, clock):
    assert requests.post(f"{portal.url}/v1/login", json={"username": USER, "password": "sai"}).status_code == 401
    assert requests.post(f"{portal.url}/v1/login", json={"username": "ai", "password": PASSWORD}).status_code == 401
    auth = login(portal)
    sha = "0" * 64
    assert requests.get(f"{portal.url}/v1/files/{sha}", headers=auth).status_code == 200
    assert error_code(requests.get(f"{portal.url}/v1/files/{sha}")) == "unauthorized"
    clock.advance(hours=9)
    expired = requests.get(f"{portal.url}/v1/files/{sha}", headers=auth)
    assert expired.status_code == 401 and error_code(expired) == "token_expired"
    assert "Bearer" in expired.headers["WWW-Authenticate"]
    assert requests.post(f"{portal.url}/v1/token/refresh", headers=auth).status_code == 401


def test_password_guessing_is_paused_longer_each_time(portal, clock):
    """Five wrong passwords in a row pause that account's logins (the right one too), 1 minute, then 2; other
    accounts go on; a right password after the pause clears the count."""

    def attempt(password, user=USER):
        return requests.post(f"{portal.url}/v1/login", json={"username": user, "password": password}, timeout=5)

    for _ in range(5):
        assert attempt("đoán-sai").status_code == 401
    paused = attempt(PASSWORD)
    assert paused.status_code == 429 and error_code(paused) == "too_many_logins"
    assert 55 <= int(paused.headers["Retry-After"]) <= 60
    assert "1 phút" in paused.json()["error"]["message"]
    assert attempt(TRAINER_PASSWORD, TRAINER).status_code == 200  # only the guessed account waits
    assert attempt(PASSWORD, " " + USER.upper()).status_code == 429  # however the name is typed

    clock.advance(seconds=61)
    for _ in range(5):
        attempt("đoán-sai")
    again = attempt(PASSWORD)
    assert again.status_code == 429 and 115 <= int(again.headers["Retry-After"]) <= 120  # twice as long

    clock.advance(seconds=121)
    assert attempt(PASSWORD).status_code == 200
    for _ in range(4):  # the count started again after the right password
        assert attempt("đoán-sai").status_code == 401
    assert attempt(PASSWORD).status_code == 200


def test_a_token_is_renewed_while_it_is_valid(portal):
    auth = login(portal)
    renewed = requests.post(f"{portal.url}/v1/token/refresh", headers=auth)
    assert renewed.status_code == 200
    fresh = {"Authorization": f"Bearer {renewed.json()['access_token']}"}
    assert requests.get(f"{portal.url}/v1/files/{'0' * 64}", headers=fresh).status_code == 200
    assert requests.get(f"{portal.url}/v1/files/{'0' * 64}", headers=auth).status_code == 401  # the old one ended


def test_files_resume_from_what_the_server_holds_and_are_checked(portal, pdf_bytes):
    auth = login(portal)
    data = pdf_bytes * 5
    sha = hashlib.sha256(data).hexdigest()
    state = requests.get(f"{portal.url}/v1/files/{sha}", headers=auth).json()
    assert (state["received"], state["complete"]) == (0, False)
    assert put_chunk(portal, auth, sha, 0, data[:1000], len(data)).json()["received"] == 1000
    gap = put_chunk(portal, auth, sha, 5000, data[5000:6000], len(data))
    assert gap.status_code == 409 and gap.json()["error"]["details"]["received"] == 1000
    # A chunk the server partly holds (its answer was lost): the known part is skipped, not written twice.
    assert put_chunk(portal, auth, sha, 500, data[500:3000], len(data)).json()["received"] == 3000
    last = put_chunk(portal, auth, sha, 3000, data[3000:], len(data)).json()
    assert last == {"sha256": sha, "size": len(data), "received": len(data), "complete": True}
    [row] = portal.store.db.execute("SELECT duplicate_bytes FROM blobs").fetchall()
    assert row[0] == 500


def test_a_file_whose_bytes_do_not_match_its_hash_is_refused_and_dropped(portal, pdf_bytes):
    auth = login(portal)
    sha = hashlib.sha256(pdf_bytes).hexdigest()
    damaged = bytearray(pdf_bytes)
    damaged[100] ^= 0xFF
    response = put_chunk(portal, auth, sha, 0, bytes(damaged), len(damaged))
    assert response.status_code == 422 and error_code(response) == "file_hash_mismatch"
    state = requests.get(f"{portal.url}/v1/files/{sha}", headers=auth).json()
    assert state["received"] == 0  # dropped: the next upload starts clean
    assert put_chunk(portal, auth, sha, 0, pdf_bytes, len(pdf_bytes)).json()["complete"]


@pytest.mark.parametrize(
    "content_range",
    ["bytes 0-9/5", "bytes 5-2/10", "items 0-1/2", "bytes 0-9999999999/99999999999"],
)
def test_bad_content_ranges_are_refused(portal, content_range):
    auth = login(portal)
    response = requests.put(
        f"{portal.url}/v1/files/{'a' * 64}", data=b"x" * 10, headers={**auth, "Content-Range": content_range}
    )
    assert response.status_code in (400, 413) and error_code(response) in ("bad_content_range", "request_too_large")


def test_the_same_dossier_again_is_the_same_dossier(portal, pdf_bytes):
    auth = login(portal)
    sha = upload(portal, auth, pdf_bytes)
    body = envelope([(sha, len(pdf_bytes))])
    first = put_dossier(portal, auth, body)
    assert first.status_code == 201 and re.match(MA_HO_SO_PATTERN, first.json()["MaHoSo"])
    assert first.json()["MaHoSo"].startswith("000.00.00.H99-261122-")
    reordered = json.loads(json.dumps(body, sort_keys=True))
    again = put_dossier(portal, auth, reordered)
    assert again.status_code == 200 and again.json() == first.json()
    other = put_dossier(portal, auth, envelope([(sha, len(pdf_bytes))], owner="Trần Thị Bình"))
    assert other.status_code == 409 and error_code(other) == "revision_conflict"
    newer = put_dossier(portal, auth, envelope([(sha, len(pdf_bytes))], revision=2, owner="Trần Thị Bình"))
    assert newer.status_code == 201 and newer.json()["MaHoSo"] == first.json()["MaHoSo"]
    assert len(portal.store.dossiers()) == 1
    other_uuid = UUID.replace("1111", "2222")
    assert put_dossier(portal, auth, envelope([(sha, len(pdf_bytes))], 3, uuid=other_uuid), other_uuid).ok
    stale = put_dossier(portal, auth, envelope([(sha, len(pdf_bytes))], 2, uuid=other_uuid), other_uuid)
    assert stale.status_code == 409 and error_code(stale) == "stale_revision"


def test_files_go_before_the_dossier_that_refers_to_them(portal, pdf_bytes):
    auth = login(portal)
    sha = hashlib.sha256(pdf_bytes).hexdigest()
    response = put_dossier(portal, auth, envelope([(sha, len(pdf_bytes))]))
    assert response.status_code == 409 and error_code(response) == "files_missing"
    assert response.json()["error"]["details"]["missing"] == [sha]


def test_dossier_codes_count_up_per_day(portal, pdf_bytes, clock):
    auth = login(portal)
    sha = upload(portal, auth, pdf_bytes)
    codes = []
    for n in range(3):
        uuid = f"6daffac2-1111-4111-8111-11111111111{n}"
        auth = login(portal)  # hours pass between them
        codes.append(put_dossier(portal, auth, envelope([(sha, len(pdf_bytes))], uuid=uuid), uuid).json()["MaHoSo"])
        clock.advance(hours=10)
    # 10:00, 20:00 and (the next day in Vietnam) 06:00
    assert codes == ["000.00.00.H99-261122-00001", "000.00.00.H99-261122-00002", "000.00.00.H99-261123-00001"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"NgayTao": "20260231000000"}, "HoSo.NgayTao"),
        ({"DinhDanhCHS": []}, "HoSo.DinhDanhCHS"),
        ({"MaTTHC": "khai sinh"}, "HoSo.MaTTHC"),
        (
            {"TaiLieuNop": [{"TepDinhKemId": "xyz", "MaThanhPhanHoSo": "A", "TenTepDinhKem": "", "KichThuoc": 1}]},
            "HoSo.TaiLieuNop.0.TepDinhKemId",
        ),
    ],
)
def test_a_malformed_dossier_says_what_is_wrong(portal, change, where):
    body = envelope([])
    body["HoSo"].update(change)
    response = put_dossier(portal, login(portal), body)
    assert response.status_code == 422 and error_code(response) == "invalid_dossier"
    assert where in [p["where"] for p in response.json()["error"]["details"]["problems"]]
    assert response.json()["error"]["message"].startswith("Hồ sơ không đúng định dạng của cổng")


def test_status_changes_by_cursor_and_only_a_trainer_moves_them(portal, pdf_bytes):
    auth, trainer = login(portal), login(portal, TRAINER, TRAINER_PASSWORD)
    sha = upload(portal, auth, pdf_bytes)
    code = put_dossier(portal, auth, envelope([(sha, len(pdf_bytes))])).json()["MaHoSo"]
    move = {"MaHoSo": code, "TrangThaiHoSo": 5, "GhiChu": "Thiếu giấy tờ"}
    assert requests.post(f"{portal.url}/v1/trainer/status", json=move, headers=auth).status_code == 403
    no_note = requests.post(f"{portal.url}/v1/trainer/status", json={**move, "GhiChu": ""}, headers=trainer)
    assert no_note.status_code == 422 and error_code(no_note) == "note_required"
    assert requests.post(f"{portal.url}/v1/trainer/status", json=move, headers=trainer).status_code == 200

    page = requests.get(f"{portal.url}/v1/changes", headers=auth).json()
    assert [c["TrangThaiHoSo"] for c in page["changes"]] == [1, 5] and not page["more"]
    assert page["changes"][1]["GhiChu"] == "Thiếu giấy tờ"
    later = requests.get(f"{portal.url}/v1/changes", params={"since": page["cursor"]}, headers=auth).json()
    assert later["changes"] == [] and later["cursor"] == page["cursor"]
    paged = requests.get(f"{portal.url}/v1/changes", params={"limit": 1}, headers=auth).json()
    assert len(paged["changes"]) == 1 and paged["more"]
    closed = requests.post(
        f"{portal.url}/v1/trainer/status", json={"MaHoSo": code, "TrangThaiHoSo": 10}, headers=trainer
    )
    assert closed.status_code == 200
    update = put_dossier(portal, auth, envelope([(sha, len(pdf_bytes))], revision=2))
    assert update.status_code == 409 and error_code(update) == "dossier_closed"


def test_each_user_sees_the_changes_of_their_own_dossiers(portal, pdf_bytes):
    auth = login(portal)
    sha = upload(portal, auth, pdf_bytes)
    put_dossier(portal, auth, envelope([(sha, len(pdf_bytes))]))
    portal.store.add_user("to-2", "mat-khau-to-2")
    other = login(portal, "to-2", "mat-khau-to-2")
    assert requests.get(f"{portal.url}/v1/changes", headers=other).json()["changes"] == []


def test_requests_over_the_limits_are_refused_before_being_read(start_portal):
    portal = start_portal(max_json_bytes=10_000)
    auth = login(portal)
    big = envelope([])
    big["HoSo"]["ToKhai"] = {"x": "y" * 20_000}
    response = put_dossier(portal, auth, big)
    assert response.status_code == 413 and error_code(response) == "request_too_large"
    bomb = gzip.compress(json.dumps({**big, "pad": "0" * 5_000_000}).encode())
    response = requests.put(
        f"{portal.url}/v1/dossiers/{UUID}",
        data=bomb,
        headers={**auth, "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 413


def test_gzip_requests_are_read_and_big_answers_are_compressed(portal, pdf_bytes):
    auth = login(portal)
    sha = upload(portal, auth, pdf_bytes)
    body = gzip.compress(json.dumps(envelope([(sha, len(pdf_bytes))])).encode())
    response = requests.put(
        f"{portal.url}/v1/dossiers/{UUID}",
        data=body,
        headers={**auth, "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 201
    trainer = login(portal, TRAINER, TRAINER_PASSWORD)
    for n in range(20):
        requests.post(
            f"{portal.url}/v1/trainer/status",
            json={"MaHoSo": response.json()["MaHoSo"], "TrangThaiHoSo": 4, "GhiChu": f"bước {n}"},
            headers=trainer,
        )
    changes = requests.get(f"{portal.url}/v1/changes", headers=auth)
    assert changes.headers.get("Content-Encoding") == "gzip" and len(changes.json()["changes"]) == 21


def test_unknown_addresses_answer_in_the_protocols_error_format(portal):
    response = requests.get(f"{portal.url}/v2/anything")
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_faults_are_off_unless_asked_for_and_answer_as_configured(start_portal):
    from fieldkit.server.config import FaultPlan, parse_faults

    assert not start_portal().config.faults.active
    portal = start_portal(faults=parse_faults("503=1,retry_after=7"))
    response = requests.get(f"{portal.url}/v1/changes")
    assert response.status_code == 503 and response.headers["Retry-After"] == "7"
    assert requests.get(f"{portal.url}/v1/health").status_code == 200  # the probe is never faulted
    garbage = start_portal(faults=FaultPlan({"garbage": 1.0}))
    page = requests.get(f"{garbage.url}/v1/changes")
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html"
    with pytest.raises(ValueError):
        parse_faults("teapot=1")
    with pytest.raises(ValueError):
        parse_faults("500=2")


def test_the_token_lifetime_is_the_configured_one(start_portal, clock):
    portal = start_portal(token_ttl=timedelta(minutes=5))
    body = requests.post(f"{portal.url}/v1/login", json={"username": USER, "password": PASSWORD}).json()
    assert body["expires_in"] == 300
    assert PortalStatus(1)  # statuses are the portal's 1..10


def test_a_whole_file_left_unchecked_by_a_stop_is_finished_at_the_next_start(tmp_path, pdf_bytes):
    """The portal stopped between a file's last byte and its hash check: at the next start the file whose bytes
    hash to its name is held; one cut short, or damaged, stays an unfinished upload to resume."""
    from fieldkit.server.blobs import BlobStore

    whole, short = hashlib.sha256(pdf_bytes).hexdigest(), hashlib.sha256(pdf_bytes + b"more").hexdigest()
    BlobStore(tmp_path)  # the folders, as a first start makes them
    (tmp_path / "partial" / whole).write_bytes(pdf_bytes)
    (tmp_path / "partial" / short).write_bytes(pdf_bytes)  # the first part of a longer file

    blobs = BlobStore(tmp_path)
    assert blobs.is_complete(whole) and blobs.verify(whole) and not (tmp_path / "partial" / whole).exists()
    state = blobs.state(short, len(pdf_bytes) + 4)
    assert not state.complete and state.received == len(pdf_bytes)
