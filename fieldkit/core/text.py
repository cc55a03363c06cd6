"""Text on the way in (NFC, tidy whitespace) and accent-insensitive search keys."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Đ/đ are letters of their own, not D plus a combining mark, so NFD does not strip them.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    """The one normal form FieldKit stores, compares and searches."""
    return unicodedata.normalize("NFC", text)


def clean(text: str | None) -> str:
    """NFC, trimmed, inner runs of whitespace collapsed to one space."""
    if text is None:
        return ""
    return _SPACES.sub(" ", nfc(text)).strip()


def fold(text: str | None) -> str:
    """A search key: no diacritics, no case, single spaces ("Đỗ Thị Ánh" -> "do thi anh")."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold().translate(_FOLD_EXTRA)).strip()


def matches(query: str, *haystacks: str | None) -> bool:
    """True when every word of the query appears, accent- and case-insensitively, in the haystacks."""
    words = fold(query).split()
    if not words:
        return True
    folded = " ".join(fold(h) for h in haystacks if h)
    return all(word in folded for word in words)
