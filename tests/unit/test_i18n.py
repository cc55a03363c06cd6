import re
import string
import unicodedata
from pathlib import Path

from fieldkit.core.errors import Msg, Problem, ValidationError
from fieldkit.core.i18n import Translator, catalog_parts, load_catalog, pick_language

SOURCE = Path(__file__).resolve().parents[2] / "fieldkit"
KEY_IN_SOURCE = re.compile(
    r"[\"']((?:error|problem|cli|ui|status|portal|sex|field|setting|camera|scan|qr|sync)\.[a-z0-9_.]+)[\"']"
)


def placeholders(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys_and_placeholders():
    vi, en = load_catalog("vi"), load_catalog("en")
    assert set(vi) == set(en)
    for key in vi:
        assert placeholders(vi[key]) == placeholders(en[key]), key


def test_files_are_stored_nfc_and_no_key_is_in_two_files():
    for lang in ("vi", "en"):
        seen = {}
        for name, part in catalog_parts(lang).items():
            for key, value in part.items():
                assert unicodedata.is_normalized("NFC", value), key
                assert key not in seen, f"{key} in {name} and {seen.get(key)}"
                seen[key] = name
    assert set(catalog_parts("vi")) == set(catalog_parts("en"))


def test_every_key_the_code_uses_exists():
    catalog = load_catalog("vi")
    used = set()
    for path in SOURCE.rglob("*.py"):
        used |= set(KEY_IN_SOURCE.findall(path.read_text(encoding="utf-8")))
    missing = sorted(key for key in used if key not in catalog)
    assert missing == []


def test_language_choice_and_environment(monkeypatch):
    assert pick_language(None) == "vi"
    monkeypatch.setenv("FIELDKIT_LANG", "en_US.UTF-8")
    assert pick_language(None) == "en"
    assert pick_language("vi") == "vi"


def test_nested_messages_and_labels_are_translated():
    tr = Translator("en")
    problem = Problem.of(
        "id_number", "problem.id.sex_mismatch", digit=1, id_sex=Msg.of("sex.nu"), sex=Msg.of("sex.nam")
    )
    assert tr.problem(problem) == (
        "Personal ID number: The ID number's 4th digit (1) means female, but the sex given is male."
    )
    error = ValidationError([Problem.of("purpose", "problem.required")], labels={"purpose": "Purpose"})
    assert tr.describe(error).splitlines() == [
        "The information is not valid. To fix (1):",
        "  - Purpose: Required.",
    ]


def test_an_unknown_failure_is_described_without_a_traceback():
    text = Translator("vi").describe(RuntimeError("secret"))
    assert "RuntimeError" in text and "secret" not in text
