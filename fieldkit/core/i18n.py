"""The one translation function. Vietnamese is the default; English is complete.

Catalogs are flat JSON files `resources/i18n/<lang>/<area>.json` mapping keys to `str.format` templates;
each part of FieldKit keeps its own file, and a key may live in one file only.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from typing import Any

from fieldkit.core.errors import FieldKitError, Msg, Problem, named_failure
from fieldkit.core.resources import resource_path
from fieldkit.core.text import nfc

LANGUAGES = ("vi", "en")
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_.]+$")
DEFAULT_LANGUAGE = "vi"


def pick_language(requested: str | None = None) -> str:
    """The explicit choice, else FIELDKIT_LANG, else Vietnamese."""
    for candidate in (requested, os.environ.get("FIELDKIT_LANG")):
        if candidate:
            short = candidate.split("_")[0].split("-")[0].lower()
            if short in LANGUAGES:
                return short
    return DEFAULT_LANGUAGE


def catalog_parts(lang: str) -> dict[str, dict[str, str]]:
    """Each file of a language's catalog, by file name."""
    parts = {}
    for path in sorted(resource_path("i18n", lang).glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            parts[path.name] = json.load(fh)
    return parts


@cache
def load_catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for part in catalog_parts(lang).values():
        merged.update({key: nfc(value) for key, value in part.items()})
    return merged


class Translator:
    """`tr("key", name=...)` in one language, falling back to Vietnamese, then to the key itself."""

    def __init__(self, lang: str | None = None) -> None:
        self.lang = pick_language(lang)
        self._messages = load_catalog(self.lang)
        self._fallback = load_catalog(DEFAULT_LANGUAGE)

    def __call__(self, key: str, /, **params: Any) -> str:
        template = self._messages.get(key) or self._fallback.get(key) or key
        words = {name: self._render(value) for name, value in params.items()}
        try:
            return template.format(**words)
        except (KeyError, IndexError, ValueError):
            return template

    def _render(self, value: Any) -> Any:
        if isinstance(value, Msg):
            return self.msg(value)
        if hasattr(value, "in_language"):  # a bilingual Label from the catalog
            return value.in_language(self.lang)
        if isinstance(value, tuple):  # alternatives: "A / B / C"
            return " / ".join(str(self._render(item)) for item in value)
        return value

    def msg(self, message: Msg) -> str:
        return self(message.key, **message.params)

    def problem(self, problem: Problem, labels: dict[str, Any] | None = None) -> str:
        """The problem with the name of what it concerns in front: "Ngày sinh: Ngày này ở tương lai."."""
        text = self.msg(problem.message)
        label = self.where_label(problem.where, labels)
        return f"{label}: {text}" if label else text

    def where_label(self, where: str, labels: dict[str, Any] | None = None) -> str:
        if labels and where in labels:
            return str(self._render(labels[where]))
        key = f"field.{where.rsplit('.', 1)[-1]}"
        if key in self._messages:
            return self(key)
        return where if _PLAIN_NAME.match(where) else ""

    def describe(self, error: BaseException) -> str:
        """A sentence a field worker understands; the problems, if any, one per line below it."""
        if not isinstance(error, FieldKitError):
            error = named_failure(error) or error
        if not isinstance(error, FieldKitError):
            return self("error.unexpected", detail=type(error).__name__)
        lines = [self.msg(error.message)]
        labels = getattr(error, "labels", None)
        for problem in getattr(error, "problems", []):
            lines.append(f"  - {self.problem(problem, labels)}")
        return "\n".join(lines)
