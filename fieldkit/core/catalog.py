"""The procedure catalog (thủ tục hành chính): shipped as JSON in `resources/catalog/`, extensible by
a province dropping its own file into the data directory's `catalog/` folder.

A broken entry is reported by file and field and left out; the rest of the catalog still loads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.core.citizen import CITIZEN_FIELDS
from fieldkit.core.declaration import FIELD_TYPES, Choice, DeclarationField, Label
from fieldkit.core.errors import NotFound, Problem
from fieldkit.core.text import matches, nfc

DOCUMENT_KINDS = ("pdf", "jpg", "png")
PAPER_KINDS = ("auto", "a4", "a5", "letter", "id-card")
# National codes look like 1.004873; local variants append an agency suffix: 1.004873.000.00.00.H14.
_CODE = re.compile(r"^\d\.\d{6}(\.[0-9A-Za-z]+)*$")
_BASE_CODE = re.compile(r"\d\.\d{6}")
_SLOT_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


@dataclass(frozen=True)
class DocumentSlot:
    """One paper the dossier needs (thành phần hồ sơ), keyed by its MaThanhPhanHoSo."""

    code: str
    name: Label
    required: bool = True
    kinds: tuple[str, ...] = DOCUMENT_KINDS
    typical_pages: int = 1
    paper: str = "a4"
    # Slots sharing a group are alternatives: one of them satisfies the requirement.
    one_of: str | None = None
    note: Label | None = None


@dataclass(frozen=True)
class Procedure:
    code: str
    name: Label
    sector: Label
    sector_code: str
    fields: tuple[DeclarationField, ...]
    slots: tuple[DocumentSlot, ...]
    online: str = "mot_phan"  # Decree 42/2022: "toan_trinh" (fully online) or "mot_phan" (partly)
    processing_days: int | None = None
    source: str = field(default="", compare=False)

    def field(self, name: str) -> DeclarationField | None:
        return next((f for f in self.fields if f.name == name), None)

    def slot(self, code: str) -> DocumentSlot | None:
        return next((s for s in self.slots if s.code == code), None)

    def where_labels(self) -> dict[str, Label]:
        """What each problem location of a dossier is called on screen: field labels and document names."""
        labels = {f.name: f.label for f in self.fields}
        labels.update({f"documents.{s.code}": s.name for s in self.slots})
        return labels


def base_code(code: str) -> str | None:
    """`1.004873.000.00.00.H14` -> `1.004873`; None when there is no national code in the text."""
    found = _BASE_CODE.search(code or "")
    return found.group(0) if found else None


@dataclass
class Catalog:
    procedures: dict[str, Procedure] = field(default_factory=dict)
    # Broken entries left out while loading, by file and field.
    problems: list[Problem] = field(default_factory=list)

    def __iter__(self) -> Iterator[Procedure]:
        return iter(sorted(self.procedures.values(), key=lambda p: p.code))

    def __len__(self) -> int:
        return len(self.procedures)

    def get(self, code: str) -> Procedure:
        """By exact code, or by the national code inside a local variant or link."""
        code = (code or "").strip()
        if code in self.procedures:
            return self.procedures[code]
        national = base_code(code)
        if national and national in self.procedures:
            return self.procedures[national]
        raise NotFound("error.procedure_not_found", code=code)

    def search(self, query: str) -> list[Procedure]:
        return [p for p in self if matches(query, p.code, p.name.vi, p.name.en, p.sector.vi)]


def load_catalog(paths: Iterable[Path]) -> Catalog:
    """Load catalog files in order; a later file's procedure replaces an earlier one with the same code."""
    catalog = Catalog()
    for path in paths:
        for procedure in _load_file(Path(path), catalog.problems):
            catalog.procedures[procedure.code] = procedure
    return catalog


def catalog_files(*folders: Path) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            files += sorted(folder.glob("*.json"))
    return files


def _load_file(path: Path, problems: list[Problem]) -> list[Procedure]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem.of(path.name, "problem.catalog.unreadable", file=path.name, reason=str(exc)))
        return []
    except json.JSONDecodeError as exc:
        problems.append(
            Problem.of(path.name, "problem.catalog.json", file=path.name, line=exc.lineno, column=exc.colno)
        )
        return []
    if not isinstance(data, dict) or not isinstance(data.get("procedures"), list):
        problems.append(_bad(path, "procedures", "problem.catalog.missing"))
        return []
    procedures = []
    seen: set[str] = set()
    for index, entry in enumerate(data["procedures"]):
        reader = _Reader(path, f"procedures[{index}]")
        procedure = reader.procedure(entry)
        if reader.problems:
            problems.extend(reader.problems)
        elif procedure.code in seen:
            problems.append(_bad(path, f"procedures[{index}].code", "problem.catalog.duplicate"))
        else:
            seen.add(procedure.code)
            procedures.append(procedure)
    return procedures


def _bad(path: Path, where: str, key: str, **params: Any) -> Problem:
    return Problem.of(f"{path.name}: {where}", key, file=path.name, entry=where, **params)


class _Reader:
    """Reads one procedure entry, collecting every problem with its path instead of stopping at the first."""

    def __init__(self, path: Path, where: str) -> None:
        self.path = path
        self.where = where
        self.problems: list[Problem] = []

    def _fail(self, where: str, key: str, **params: Any) -> None:
        self.problems.append(_bad(self.path, where, key, **params))

    def get(self, data: Any, key: str, where: str, kind: type | tuple, default: Any = ..., check=None) -> Any:
        if not isinstance(data, dict):
            self._fail(where, "problem.catalog.wrong_type", expected="object")
            return None if default is ... else default
        if key not in data:
            if default is ...:
                self._fail(f"{where}.{key}", "problem.catalog.missing")
                return None
            return default
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # JSON true is a Python int too: a number field must not take it, nor a flag a number.
        if isinstance(value, bool) != (bool in kinds) or not isinstance(value, kinds):
            self._fail(f"{where}.{key}", "problem.catalog.wrong_type", expected=kinds[0].__name__)
            return None if default is ... else default
        if isinstance(value, str):
            value = nfc(value)
        if check is not None and not check(value):
            self._fail(f"{where}.{key}", "problem.catalog.bad_value", value=str(value)[:60])
        return value

    def label(self, data: Any, key: str, where: str, required: bool = True) -> Label | None:
        raw = self.get(data, key, where, dict, ... if required else None)
        if raw is None:
            return None
        vi = self.get(raw, "vi", f"{where}.{key}", str, check=bool)
        en = self.get(raw, "en", f"{where}.{key}", str, "")
        return Label(vi or "", en or "")

    def procedure(self, data: Any) -> Procedure:
        w = self.where
        code = self.get(data, "code", w, str, check=lambda v: bool(_CODE.match(v)))
        sector = self.get(data, "sector", w, dict) or {}
        fields = self.get(data, "fields", w, list, [])
        slots = self.get(data, "documents", w, list)
        return Procedure(
            code=code or "",
            name=self.label(data, "name", w) or Label("", ""),
            sector=Label(
                self.get(sector, "vi", f"{w}.sector", str, "") or "",
                self.get(sector, "en", f"{w}.sector", str, "") or "",
            ),
            sector_code=self.get(sector, "code", f"{w}.sector", str, "") or "",
            online=self.get(data, "online", w, str, "mot_phan", check=lambda v: v in ("toan_trinh", "mot_phan")),
            processing_days=self.get(data, "processing_days", w, int, None),
            fields=self._unique(
                [self.declaration_field(f, f"{w}.fields[{i}]") for i, f in enumerate(fields or [])],
                "name",
                f"{w}.fields",
            ),
            slots=self._unique(
                [self.slot(s, f"{w}.documents[{i}]") for i, s in enumerate(slots or [])],
                "code",
                f"{w}.documents",
            ),
            source=self.path.name,
        )

    def _unique(self, items: list, attr: str, where: str) -> tuple:
        names = [getattr(item, attr) for item in items]
        for name in {n for n in names if names.count(n) > 1}:
            self._fail(where, "problem.catalog.duplicate_name", name=name)
        return tuple(items)

    def declaration_field(self, data: Any, w: str) -> DeclarationField:
        kind = self.get(data, "type", w, str, "text", check=lambda v: v in FIELD_TYPES)
        choices = tuple(
            Choice(
                self.get(c, "value", f"{w}.choices[{i}]", str) or "",
                self.label(c, "label", f"{w}.choices[{i}]") or Label("", ""),
            )
            for i, c in enumerate(self.get(data, "choices", w, list, []) or [])
        )
        if kind == "choice" and not choices:
            self._fail(f"{w}.choices", "problem.catalog.missing")
        pattern = self.get(data, "pattern", w, str, None)
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error:
                self._fail(f"{w}.pattern", "problem.catalog.bad_value", value=pattern[:60])
        return DeclarationField(
            name=self.get(data, "name", w, str, check=lambda v: bool(_FIELD_NAME.match(v))) or "",
            label=self.label(data, "label", w) or Label("", ""),
            type=kind or "text",
            required=self.get(data, "required", w, bool, False),
            choices=choices,
            min_length=self.get(data, "min_length", w, int, None),
            max_length=self.get(data, "max_length", w, int, None),
            pattern=pattern,
            pattern_hint=self.label(data, "pattern_hint", w, required=False),
            minimum=self.get(data, "minimum", w, (int, float), None),
            maximum=self.get(data, "maximum", w, (int, float), None),
            not_future=self.get(data, "not_future", w, bool, False),
            prefill=self.get(data, "prefill", w, str, None, check=lambda v: v in CITIZEN_FIELDS),
            help=self.label(data, "help", w, required=False),
        )

    def slot(self, data: Any, w: str) -> DocumentSlot:
        kinds = self.get(data, "kinds", w, list, list(DOCUMENT_KINDS)) or []
        for i, kind in enumerate(kinds):
            if kind not in DOCUMENT_KINDS:
                self._fail(f"{w}.kinds[{i}]", "problem.catalog.bad_value", value=str(kind)[:60])
        return DocumentSlot(
            code=self.get(data, "code", w, str, check=lambda v: bool(_SLOT_CODE.match(v))) or "",
            name=self.label(data, "name", w) or Label("", ""),
            required=self.get(data, "required", w, bool, True),
            kinds=tuple(kinds),
            typical_pages=self.get(data, "typical_pages", w, int, 1, check=lambda v: 1 <= v <= 200),
            paper=self.get(data, "paper", w, str, "a4", check=lambda v: v in PAPER_KINDS),
            one_of=self.get(data, "one_of", w, str, None),
            note=self.label(data, "note", w, required=False),
        )
