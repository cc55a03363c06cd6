"""Every symbol the app shows can be drawn. A character missing from the screen's font is drawn as an empty
box: the "＋" on the home page's New dossier button and the hourglass of a queued dossier's badge were boxes
under DejaVu Sans, the font most Linux laptops fall back to."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from PySide6.QtGui import QFontMetrics

from fieldkit.core.i18n import Translator
from fieldkit.core.workflow import LocalStatus, PortalStatus
from fieldkit.gui.badges import local_badge, portal_badge

ROOT = Path(__file__).resolve().parents[2]


def _symbols(text: str) -> set[str]:
    """Characters past general punctuation that are not letters (Vietnamese letters are the font's basics)."""
    return {ch for ch in text if ord(ch) >= 0x2000 and not unicodedata.category(ch).startswith(("L", "Z"))}


def _shown_symbols() -> dict[str, str]:
    """Each symbol the GUI may show, and one place it comes from."""
    found: dict[str, str] = {}
    for catalogue in sorted((ROOT / "resources" / "i18n").glob("*/gui.json")):
        for key, text in json.loads(catalogue.read_text(encoding="utf-8")).items():
            for ch in _symbols(text):
                found.setdefault(ch, f"{catalogue.parent.name}/gui.json {key}")
    for source in sorted((ROOT / "fieldkit" / "gui").rglob("*.py")):
        for ch in _symbols(source.read_text(encoding="utf-8")):
            found.setdefault(ch, str(source.relative_to(ROOT)))
    tr = Translator("vi")
    badges = [local_badge(status, tr)[0] for status in LocalStatus] + [portal_badge(s, tr)[0] for s in PortalStatus]
    for text in badges:
        for ch in _symbols(text):
            found.setdefault(ch, f"the badge {text!r}")
    return found


def test_every_symbol_the_app_shows_has_a_glyph_in_the_screen_font(qapp):
    metrics = QFontMetrics(qapp.font())
    if not metrics.inFontUcs4(ord("ệ")):
        pytest.skip("this machine's default font has no Vietnamese letters: no font to judge symbols by")
    symbols = _shown_symbols()
    assert {"⚠", "✔", "…"} <= set(symbols)  # the scan does find the symbols in use
    missing = {f"{ch} U+{ord(ch):04X} ({where})" for ch, where in symbols.items() if not metrics.inFontUcs4(ord(ch))}
    assert not missing, f"drawn as empty boxes: {sorted(missing)}"
