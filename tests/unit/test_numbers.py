"""Numbers as people read them, in each language."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.core.numbers import MISSING, shown


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (50.0, "50,0", "50.0"),
        (0.25, "0,2", "0.2"),  # one decimal, rounded half to even as Python does
        (1234.56, "1.234,6", "1,234.6"),
        (1234567, "1.234.567", "1,234,567"),
        (7, "7", "7"),
        (None, MISSING, MISSING),
        ("", MISSING, MISSING),
        ("1.004873", "1.004873", "1.004873"),  # a procedure code is text, not a number
        (True, "True", "True"),
    ],
)
def test_numbers_in_each_language(value, vi, en):
    assert shown(value, "vi") == vi
    assert shown(value, "en") == en


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_the_two_languages_differ_only_in_their_marks(value):
    swapped = shown(value, "vi").translate(str.maketrans({".": ",", ",": "."}))
    assert swapped == shown(value, "en")
