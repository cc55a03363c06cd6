import pytest

from fieldkit.core.declaration import Choice, DeclarationField, Label, check_value
from tests.conftest import TODAY


def spec(kind, **kw):
    return DeclarationField(name="f", label=Label("Ô", "Field"), type=kind, **kw)


@pytest.mark.parametrize(
    ("kind", "raw", "stored", "problem"),
    [
        ("text", "  Để   vay vốn ", "Để vay vốn", None),
        ("date", "5/9/1960", "1960-09-05", None),
        ("date", "05091960", "1960-09-05", None),
        ("date", "30/02/2020", "30/02/2020", "problem.date.format"),
        ("id_number", "001 090 012 345", "001090012345", None),
        ("id_number", "12345", "12345", "problem.id.length"),
        ("phone", "+84 912 345 678", "0912345678", None),
        ("phone", "112", "112", "problem.phone.format"),
        ("number", "3", "3", None),
        ("number", "2,5", "2.5", None),
        ("number", "ba", "ba", "problem.number.format"),
        ("email", "an@example.vn", "an@example.vn", None),
        ("email", "an@", "an@", "problem.email.format"),
        ("boolean", "có", "true", None),
        ("person_name", "Lò Văn Páo", "Lò Văn Páo", None),
        ("person_name", "Páo 2", "Páo 2", "problem.name.chars"),
    ],
)
def test_each_type(kind, raw, stored, problem):
    value, problems = check_value(spec(kind), raw, TODAY)
    assert value == stored
    assert [p.message.key for p in problems] == ([problem] if problem else [])


def test_required_and_optional_blanks():
    assert check_value(spec("text"), "  ", TODAY) == ("", [])
    _, problems = check_value(spec("text", required=True), "", TODAY)
    assert [p.message.key for p in problems] == ["problem.required"]


def test_choice_accepts_value_or_either_label():
    field = spec("choice", choices=(Choice("da_ly_hon", Label("Đã ly hôn", "Divorced")),))
    assert check_value(field, "Đã ly hôn", TODAY) == ("da_ly_hon", [])
    assert check_value(field, "Divorced", TODAY) == ("da_ly_hon", [])
    assert check_value(field, "khác", TODAY)[1][0].message.key == "problem.choice"


def test_limits_and_patterns():
    assert check_value(spec("number", minimum=1), "0", TODAY)[1][0].message.key == "problem.number.too_small"
    assert check_value(spec("text", max_length=3), "abcd", TODAY)[1][0].message.key == "problem.text.too_long"
    pattern = spec("text", pattern="[0-9]{6,20}", pattern_hint=Label("6 đến 20 chữ số", "6 to 20 digits"))
    assert check_value(pattern, "12345678", TODAY)[1] == []
    assert check_value(pattern, "12ab", TODAY)[1][0].message.key == "problem.pattern"
    assert check_value(spec("date", not_future=True), "01/01/2030", TODAY)[1][0].message.key == "problem.date.future"
