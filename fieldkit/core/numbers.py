"""Numbers as people read them: Vietnamese writes 1.234,5 where English writes 1,234.5."""

from __future__ import annotations

from typing import Any

_MARKS = {"vi": (".", ","), "en": (",", ".")}  # (thousands, decimal)
MISSING = "—"  # no value yet (a median of nothing)


def shown(value: Any, lang: str) -> str:
    """`value` for a person: numbers with the language's marks, nothing as a dash, anything else as text."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    thousands, decimal = _MARKS.get(lang, _MARKS["vi"])
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
    return text.translate(str.maketrans({",": thousands, ".": decimal}))
