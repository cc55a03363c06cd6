"""Getting Vietnamese text right out of QR codes.

A QR code carries bytes; the text encoding is declared only when the code has an ECI marker, and most
generators (the ID card's included) write UTF-8 without one. The QR standard says such bytes are Latin-1,
so readers guess: zbar often returns "LÃª HÃ\\xa0" for "Lê Hà" (or Big5/Shift-JIS look-alikes), and zxing-cpp
sometimes picks Shift-JIS for short texts. The raw bytes, when a reader gives them, are decoded as UTF-8
first; text that was already turned into mojibake is repaired only when the repair is unambiguous.
"""

from __future__ import annotations

import unicodedata

_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # ngang, huyền, sắc, hỏi, ngã, nặng
_LOWER = {unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in _TONES} | {"đ"}
# Every letter of the Vietnamese alphabet that is not plain ASCII, both cases.
VIETNAMESE_LETTERS = frozenset(_LOWER | {ch.upper() for ch in _LOWER}) - set("aeiouyAEIOUY")

# The charsets readers wrongly decode UTF-8 with: the QR default, its Windows cousin, and zbar's other guesses.
_MISREAD_AS = ("latin-1", "cp1252", "shift_jis", "big5")
_WHITESPACE = "\t\n\r"


def _plausible(ch: str) -> bool:
    return (" " <= ch <= "~") or ch in _WHITESPACE or ch in VIETNAMESE_LETTERS


def _oddities(text: str) -> int:
    return sum(not _plausible(ch) for ch in text)


def has_vietnamese(text: str) -> bool:
    return any(ch in VIETNAMESE_LETTERS for ch in text)


def text_from_bytes(raw: bytes, decoded: str | None = None) -> str:
    """The text a code's raw bytes most likely mean.

    Valid UTF-8 wins over the reader's text when that text is Vietnamese or merely the reader's guess at
    a charset (UTF-8 is what is written in practice, and bytes that are valid UTF-8 by accident are
    vanishingly rare); otherwise the reader's text, repaired if it is mojibake; otherwise Latin-1, the QR
    standard's default.
    """
    try:
        utf8 = raw.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if utf8 is not None and (decoded is None or decoded == utf8 or has_vietnamese(utf8) or _misread(raw, decoded)):
        return utf8
    if decoded is not None:
        return repair_mojibake(decoded)
    return raw.decode("latin-1")


def _misread(raw: bytes, decoded: str) -> bool:
    """The reader's text is these bytes in one of the charsets readers guess: its guess, not a declaration."""
    for charset in _MISREAD_AS:
        try:
            if raw.decode(charset) == decoded:
                return True
        except UnicodeDecodeError:
            continue
    return False


def looks_garbled(text: str) -> bool:
    """Characters no QR code's author writes: replacement marks, C1 controls, private-use code points.

    They are what is left when a wrong charset guess could not be undone (glibc's Big5 maps ơ and ư to
    private-use characters, for example): such a text is not shown as if it had been read.
    """
    return any(ch == "\ufffd" or "\x80" <= ch <= "\x9f" or "\ue000" <= ch <= "\uf8ff" for ch in text)


def repair_mojibake(text: str) -> str:
    """UTF-8 text that a reader decoded in the wrong charset, put back; any other text unchanged.

    The repair is made only when the text has characters no Vietnamese text has, re-encoding it in the
    wrong charset gives valid UTF-8 exactly, and the result reads as Vietnamese with fewer odd characters:
    text that was right is never "repaired". Applied again for text garbled twice.
    """
    for _ in range(3):
        repaired = _repair_once(text)
        if repaired == text:
            return text
        text = repaired
    return text


def _repair_once(text: str) -> str:
    odd = _oddities(text)
    if odd == 0:
        return text
    for charset in _MISREAD_AS:
        try:
            candidate = text.encode(charset).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if candidate != text and has_vietnamese(candidate) and _oddities(candidate) < odd:
            return candidate
    return text
