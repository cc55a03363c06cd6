import json
import unicodedata

import pytest

from fieldkit.core.catalog import base_code, catalog_files, load_catalog
from fieldkit.core.errors import NotFound
from fieldkit.core.resources import resource_path

DOMAIN_CODES = {
    "1.001193",
    "1.000656",
    "1.004873",
    "1.004222",
    "1.004194",
    "2.000815",
    "2.000488",
    "3.000722",
    "2.002913",
}


@pytest.fixture(scope="module")
def shipped():
    return load_catalog(catalog_files(resource_path("catalog")))


def test_shipped_catalog_has_the_nine_procedures_and_no_problems(shipped):
    assert shipped.problems == []
    assert set(shipped.procedures) >= DOMAIN_CODES


def test_every_procedure_is_complete_and_bilingual(shipped):
    for procedure in shipped:
        assert procedure.name.vi and procedure.name.en and procedure.sector.vi
        assert any(slot.required for slot in procedure.slots), procedure.code
        for label in [
            procedure.name,
            *(f.label for f in procedure.fields),
            *(s.name for s in procedure.slots),
        ]:
            assert label.vi and label.en
            assert unicodedata.is_normalized("NFC", label.vi)


def test_lookup_by_local_variant_and_by_link(shipped):
    assert shipped.get("1.004873.000.00.00.H14").code == "1.004873"
    link = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.004222"
    assert shipped.get(link).code == "1.004222"
    with pytest.raises(NotFound):
        shipped.get("9.999999")
    assert base_code("không có mã") is None


def test_search_ignores_accents(shipped):
    assert [p.code for p in shipped.search("khai sinh")][:1] == ["1.001193"]
    assert "1.004873" in [p.code for p in shipped.search("hon nhan")]


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def good_entry(code="1.004873", name="Thủ tục tỉnh"):
    return {
        "code": code,
        "name": {"vi": name, "en": "Local"},
        "sector": {"code": "ho_tich", "vi": "Hộ tịch", "en": "Civil status"},
        "fields": [{"name": "purpose", "label": {"vi": "Mục đích", "en": "Purpose"}, "type": "text"}],
        "documents": [{"code": "TOKHAI", "name": {"vi": "Tờ khai", "en": "Form"}}],
    }


def test_a_province_file_overrides_and_adds(tmp_path, shipped):
    national = catalog_files(resource_path("catalog"))
    local = write(tmp_path, "h14.json", {"procedures": [good_entry(), good_entry("1.999999", "Thủ tục mới")]})
    catalog = load_catalog([*national, local])
    assert catalog.get("1.004873").name.vi == "Thủ tục tỉnh"
    assert catalog.get("1.999999").source == "h14.json"
    assert len(catalog) == len(shipped) + 1


def test_broken_entries_are_reported_by_file_and_field_and_skipped(tmp_path):
    bad_type = good_entry("1.000001")
    bad_type["fields"][0]["type"] = "dat"
    missing_label = good_entry("1.000002")
    del missing_label["documents"][0]["name"]
    bad_code = good_entry("not-a-code")
    path = write(tmp_path, "tinh.json", {"procedures": [bad_type, missing_label, bad_code, good_entry("1.000004")]})
    catalog = load_catalog([path])
    assert list(catalog.procedures) == ["1.000004"]
    wheres = sorted(p.message.params["entry"] for p in catalog.problems)
    assert wheres == ["procedures[0].fields[0].type", "procedures[1].documents[0].name", "procedures[2].code"]
    assert all(p.message.params["file"] == "tinh.json" for p in catalog.problems)


def test_invalid_json_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, "hong.json", '{"procedures": [\n  {"code": }\n]}')
    catalog = load_catalog([path])
    [problem] = catalog.problems
    assert problem.message.key == "problem.catalog.json" and problem.message.params["line"] == 2


def test_booleans_are_not_numbers_and_numbers_not_booleans(tmp_path):
    entry = good_entry("1.000005")
    entry["documents"][0]["typical_pages"] = True
    entry["documents"][0]["required"] = 1
    catalog = load_catalog([write(tmp_path, "t.json", {"procedures": [entry]})])
    assert sorted(p.message.params["entry"] for p in catalog.problems) == [
        "procedures[0].documents[0].required",
        "procedures[0].documents[0].typical_pages",
    ]
