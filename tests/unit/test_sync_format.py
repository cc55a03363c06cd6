"""The portal's dossier format: what the kit builds passes the server's models, and the readers of outside
input say FormatError, whatever they are given."""

from __future__ import annotations

import contextlib
import random
import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.core.dates import VIETNAM_TZ
from fieldkit.core.portal_format import (
    MA_HO_SO_PATTERN,
    FormatError,
    Receipt,
    StatusChange,
    files_of,
    is_ma_ho_so,
    ma_ho_so,
    read_change_page,
    read_file_state,
    read_receipt,
    read_token,
    submission,
)
from fieldkit.core.workflow import PortalStatus
from fieldkit.server.schemas import DossierIn
from fieldkit.storage.dossier_service import DossierService
from fieldkit.sync.backoff import RetryPolicy, parse_retry_after
from tests.e2e.harness import queue_dossiers, scan_pdf

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)


def test_what_the_kit_sends_is_what_the_server_takes(kit):
    [uuid] = queue_dossiers(kit, 1, lambda rng: 30_000, seed=1, max_docs=3)
    dossier = kit.dossiers.get(uuid)
    applicant = kit.citizens.get(dossier.applicant_id)
    envelope = submission(dossier, applicant, kit.catalog.get(dossier.procedure_code))
    parsed = DossierIn.model_validate(envelope)
    assert parsed.HoSo.ChuHoSo == "Nguyễn Văn An" and parsed.HoSo.DinhDanhCHS[0].SoDinhDanh == "001090012345"
    assert parsed.HoSo.NgayTao == "20261122100000"  # 03:00 UTC is 10:00 in Vietnam
    assert [t.MaThanhPhanHoSo for t in parsed.HoSo.TaiLieuNop] == [d.slot_code for d in dossier.documents]
    assert [f.sha256 for f in files_of(envelope)] == [d.sha256 for d in dossier.documents]


def test_the_same_file_twice_is_uploaded_once(kit):
    [uuid] = queue_dossiers(kit, 1, lambda rng: 30_000, seed=2, max_docs=1)
    service = DossierService(kit, "tester")
    service.unqueue(uuid)
    dossier = kit.dossiers.get(uuid)
    service.attach_bytes(uuid, "BANAN", kit.vault.get(dossier.documents[0].sha256), "again.pdf")
    service.attach_bytes(uuid, "UYQUYEN", scan_pdf(20_000, 5), "other.pdf")
    dossier = kit.dossiers.get(uuid)
    envelope = submission(dossier, kit.citizens.get(dossier.applicant_id), kit.catalog.get(dossier.procedure_code))
    assert len(envelope["HoSo"]["TaiLieuNop"]) == 3 and len(files_of(envelope)) == 2


@given(st.text(alphabet="0123456789ABCDEFGHabcdefgh.", min_size=1, max_size=30), st.dates(), st.integers(1, 99_999))
def test_dossier_codes_have_the_portals_shape(unit, day, number):
    if not re.match(r"^[0-9A-Za-z]", unit):
        with pytest.raises(FormatError):
            ma_ho_so(unit, day, number)
        return
    code = ma_ho_so(unit, day, number)
    assert is_ma_ho_so(code) and re.match(MA_HO_SO_PATTERN, code)
    assert code == f"{unit}-{day:%y%m%d}-{number:05d}"


def test_dossier_codes_refuse_numbers_out_of_range():
    for number in (0, 100_000):
        with pytest.raises(FormatError):
            ma_ho_so("000.00.15.H14", date(2026, 1, 1), number)


@pytest.mark.parametrize("reader", [read_receipt, read_change_page, read_file_state, read_token])
@given(value=json_values)
def test_readers_of_outside_input_only_ever_say_format_error(reader, value):
    with contextlib.suppress(FormatError):
        reader(value)


def test_readers_take_what_the_server_writes():
    at = datetime(2026, 11, 22, 10, 0, 5, tzinfo=VIETNAM_TZ)
    receipt = Receipt(
        "6daffac2-1111-4111-8111-111111111111", 2, "000.00.15.H14-261122-00042", PortalStatus.ACCEPTED, at, "ok"
    )
    assert read_receipt(receipt.to_json()) == receipt
    change = StatusChange(7, receipt.uuid, receipt.ma_ho_so, PortalStatus.MORE_DOCUMENTS, "Thiếu giấy", at)
    page = read_change_page({"changes": [change.to_json()], "cursor": "7", "more": False})
    assert page.changes == (change,) and page.cursor == "7"
    with pytest.raises(FormatError):
        read_receipt({**receipt.to_json(), "TrangThaiHoSo": 11})
    with pytest.raises(FormatError):
        read_receipt({**receipt.to_json(), "NgayTiepNhan": "20261322100000"})
    with pytest.raises(FormatError):
        read_file_state({"sha256": "a" * 64, "size": 10, "received": 11, "complete": False})


@given(st.integers(0, 10**6))
def test_retry_after_in_seconds(seconds):
    now = datetime(2026, 11, 22, tzinfo=UTC)
    assert parse_retry_after(str(seconds), now) == min(seconds, 86_400)


def test_retry_after_as_a_date_and_nonsense():
    now = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    assert parse_retry_after("Sun, 22 Nov 2026 03:01:30 GMT", now) == 90
    assert parse_retry_after("Sun, 22 Nov 2026 02:00:00 GMT", now) == 0
    for nonsense in (None, "", "soon", "-5", "1.5e9"):
        assert parse_retry_after(nonsense, now) is None


@given(st.integers(0, 40))
def test_backoff_grows_with_jitter_and_stays_capped(attempt):
    policy = RetryPolicy(base=1, cap=60)
    rng = random.Random(attempt)
    waits = [policy.delay(attempt, rng) for _ in range(20)]
    step = min(60, 2**attempt)
    assert all(step / 2 <= w <= step for w in waits)
    if step > 1:
        assert len(set(waits)) > 1  # kits that failed together do not retry together
