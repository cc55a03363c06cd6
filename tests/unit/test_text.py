import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from fieldkit.core.text import clean, fold, matches, nfc

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ "
names = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper(), min_size=1, max_size=40)


def test_fold_removes_accents_case_and_d_stroke():
    assert fold("Nguyễn Văn An") == "nguyen van an"
    assert fold("ĐỖ THỊ ÁNH") == "do thi anh"
    assert fold("  Lê   Thị\tBình ") == "le thi binh"


def test_search_finds_with_or_without_accents():
    assert matches("nguyen van an", "Nguyễn Văn An")
    assert matches("Đ", "Đặng Văn Lâm")
    assert matches("d", "Đặng Văn Lâm")
    assert matches("dang lam", "Đặng Văn Lâm")
    assert not matches("nguyen van binh", "Nguyễn Văn An")


def test_clean_stores_nfc_with_single_spaces():
    decomposed = unicodedata.normalize("NFD", "  Nguyễn   Văn An ")
    assert clean(decomposed) == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", clean(decomposed))


@given(names)
def test_fold_ignores_normal_form(name):
    assert fold(unicodedata.normalize("NFD", name)) == fold(nfc(name))


@given(names)
def test_any_name_is_found_by_its_unaccented_lowercase(name):
    plain = "".join(
        ch
        for ch in unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
        if not unicodedata.combining(ch)
    ).lower()
    assert matches(plain, name)
    assert matches(name.upper(), name)


@given(st.text())
def test_fold_and_clean_never_fail(text):
    assert isinstance(fold(text), str)
    assert clean(text) == clean(clean(text))
