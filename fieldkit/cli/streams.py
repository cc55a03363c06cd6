"""Input and output that can carry Vietnamese wherever they come from and go to.

On Windows, output sent to a file or a pipe (`fieldkit sync --json > report.json`, a scheduled task's log) is
encoded in the ANSI code page: cp1252, or cp1258 on a Vietnamese system. Neither has the precomposed letters
Vietnamese text is stored in (NFC: "ộ", "ữ"), so the first such letter stopped the command with an encoding
error. Input read from a file or a pipe (`--password-stdin < password.txt`) was decoded in that code page too,
so a password with Vietnamese letters, saved as UTF-8, became another password than the one typed in the app.
Such streams are switched to UTF-8, as Python's own UTF-8 mode does. A console, or a stream that can already
carry the text, is left as it is.
"""

from __future__ import annotations

import sys
from typing import TextIO

SAMPLE = "Đặng Thị Ộ, Nguyễn Văn Ữ"  # letters the ANSI code pages lack


def can_carry(stream: TextIO, text: str = SAMPLE) -> bool:
    """Whether `stream`'s encoding can hold `text` (Vietnamese letters, by default)."""
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return True  # not a text file we can judge (a test's capture): leave it
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def carry_vietnamese(streams: tuple[TextIO, ...] | None = None) -> None:
    """Switch each stream (stdin, stdout and stderr by default) to UTF-8 unless it can carry Vietnamese already
    (before anything is read from it)."""
    for stream in streams if streams is not None else (sys.stdin, sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure") and not can_carry(stream):
            stream.reconfigure(encoding="utf-8")
