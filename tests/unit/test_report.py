"""The supervisor's figures and their exports: counts that match the portal, real files opened after writing,
and no personal data unless a named list is asked for."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from fieldkit.core.i18n import Translator
from fieldkit.core.workflow import PortalStatus
from fieldkit.hub.bundles import export_dossiers, import_dossiers
from fieldkit.hub.enrol import trust_hub_file
from fieldkit.hub.review import ReviewService
from fieldkit.hub.service import forward, hub_config
from fieldkit.hub.store import NO_PASSWORD, account_of, open_hub
from fieldkit.reports.export import write_report
from fieldkit.reports.figures import Period, day_period, figures, month_period, week_period
from fieldkit.storage.identity import kit_identity
from fieldkit.sync.outbox import Outbox
from tests.conftest import TODAY
from tests.e2e.harness import logged_in
from tests.e2e.hub_harness import member_kit, queue_for, supervisor, supervisor_kit


@pytest.fixture
def day(tmp_path, clock, start_portal):
    """A day's work: two members, five dossiers, three approved and at the portal (one accepted), one returned."""
    office = supervisor_kit(tmp_path / "supervisor", clock)
    hub = open_hub(office)
    config = hub_config(office, "vi")
    review = ReviewService(office, supervisor(), hub)
    uuids = []
    for member, count, village in (("hoa", 3, "Thôn Đông"), ("minh", 2, "Thôn Tây")):
        team = member_kit(tmp_path / member, member, clock)
        identity = kit_identity(team).public(member)
        hub.registry.enrol(identity, "file", clock.now())
        hub.store.open_account(account_of(identity.kit_id), NO_PASSWORD)
        trust_hub_file(team, member, kit_identity(office).public("Tổ trưởng"))
        uuids += queue_for(team, member, count, village=village, start=len(uuids))
        export_dossiers(team, member, tmp_path / f"{member}.fkb")
        import_dossiers(office, supervisor(), hub, tmp_path / f"{member}.fkb", config)
        team.close()
    for uuid in uuids[:3]:
        review.approve(uuid)
    review.return_to_member(uuids[3], "Thiếu chữ ký")
    portal = start_portal()
    session = logged_in(office, portal.url)
    clock.advance(hours=5)
    forward(office, Outbox(office, session, actor="truong", sleep=lambda s: None), hub)
    held = portal.store.dossiers()
    portal.store.set_status(held[0]["MaHoSo"], PortalStatus.ACCEPTED, "")
    clock.advance(hours=1)
    forward(office, Outbox(office, session, actor="truong", sleep=lambda s: None), hub)
    yield office, portal, uuids
    hub.close()
    office.close()


def test_the_figures_match_the_portal(day):
    office, portal, _uuids = day
    result = figures(office, day_period(TODAY), Translator("vi"))
    held = portal.store.dossiers()
    assert result.dossiers == 5 and result.at_portal == len(held) == 3
    assert round(result.share_online, 2) == 0.6
    at_portal = {s.portal_status: s.dossiers for s in result.by_status if s.portal_status is not None}
    assert at_portal == dict(Counter(item["TrangThaiHoSo"] for item in held))
    assert sum(g.at_portal for g in result.by_procedure) == len(held)
    assert {g.key: g.at_portal for g in result.by_procedure} == dict(Counter(item["MaTTHC"] for item in held))
    assert {g.key: (g.dossiers, g.returned) for g in result.by_member} == {"hoa": (3, 0), "minh": (2, 1)}
    assert {g.label: g.dossiers for g in result.by_village} == {"Thôn Đông": 3, "Thôn Tây": 2}
    assert {w.reason for w in result.waiting} == {"returned", "pending_review"}
    assert result.median_hours_to_portal is not None and result.median_hours_to_portal >= 5
    assert result.median_hours_to_accepted is not None and result.median_hours_to_accepted >= 6
    assert figures(office, day_period(date(2026, 11, 21)), Translator("vi")).dossiers == 0


def test_periods():
    assert week_period(date(2026, 11, 22)) == Period(date(2026, 11, 16), date(2026, 11, 22))  # a Sunday
    assert month_period(date(2024, 2, 10)) == Period(date(2024, 2, 1), date(2024, 2, 29))
    assert month_period(date(2026, 12, 31)) == Period(date(2026, 12, 1), date(2026, 12, 31))
    with pytest.raises(Exception, match="period_order"):
        Period(date(2026, 2, 2), date(2026, 2, 1))


def exported_text(path) -> str:
    if path.suffix == ".csv":
        return path.read_text(encoding="utf-8-sig")
    if path.suffix == ".xlsx":
        book = load_workbook(path)
        return "\n".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value)
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_exports_hold_the_figures_and_no_names_unless_asked(day, tmp_path, fmt):
    office, _, _ = day
    tr = Translator("vi")
    plain = write_report(figures(office, day_period(TODAY), tr), tr, fmt, tmp_path / f"plain.{fmt}")
    named = write_report(figures(office, day_period(TODAY), tr, named=True), tr, fmt, tmp_path / f"named.{fmt}")
    people = [c.full_name for c in office.citizens.search("")]
    assert people
    text, named_text = exported_text(plain), exported_text(named)
    squeeze = lambda words: "".join(words.split())  # noqa: E731  (a PDF table wraps long cells)
    for person in people:
        assert squeeze(person) not in squeeze(text) and squeeze(person) in squeeze(named_text)
    note = squeeze("Thiếu chữ ký")  # words people wrote are named data too
    assert note not in squeeze(text) and note in squeeze(named_text)
    assert ("by_member" if fmt == "csv" else "Theo thành viên") in text and "Thôn Đông" in text
    if fmt == "xlsx":
        book = load_workbook(plain)
        assert book.sheetnames == ["summary", "by_member", "by_procedure", "by_village", "by_status", "waiting"]
        summary = {row[0].value: row[1].value for row in book["summary"].iter_rows(min_row=3)}
        assert summary["Hồ sơ đã lập"] == 5 and summary["Đã nộp lên cổng"] == 3
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(plain.read_text(encoding="utf-8-sig"))))
        figures_of = {(r["view"], r["column"]): r["value"] for r in rows if r["row"] == "2"}
        assert figures_of[("summary", "Giá trị")] == "5"
    if fmt == "pdf":
        page = PdfReader(plain).pages[0]
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4
