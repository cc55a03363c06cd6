"""Citizens declared once and found again (by name, ID number or phone, without accents)."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from fieldkit.core.citizen import CITIZEN_FIELDS, Citizen
from fieldkit.core.dates import to_iso
from fieldkit.core.errors import NotFound
from fieldkit.core.text import fold


class CitizenStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, id_number: str) -> Citizen:
        row = self.db.execute(
            f"SELECT {', '.join(CITIZEN_FIELDS)} FROM citizens WHERE id_number = ?", [id_number]
        ).fetchone()
        if row is None:
            raise NotFound("error.citizen_not_found", id_number=id_number)
        return Citizen.from_dict(dict(zip(CITIZEN_FIELDS, row, strict=True)))

    def find_one(self, id_number: str) -> Citizen | None:
        try:
            return self.get(id_number)
        except NotFound:
            return None

    def save(self, citizen: Citizen, now: datetime) -> None:
        """Insert or replace, keeping the first time the citizen was seen."""
        row = citizen.to_dict()
        row["search_key"] = citizen.search_key
        row["updated_at"] = to_iso(now)
        with self.db.atomic():
            existing = self.db.execute(
                "SELECT created_at FROM citizens WHERE id_number = ?", [citizen.id_number]
            ).fetchone()
            row["created_at"] = existing[0] if existing else to_iso(now)
            self.db["citizens"].upsert(row, pk="id_number")

    def search(self, query: str, limit: int = 50) -> list[Citizen]:
        """Every word of the query, accent- and case-insensitively, in the name, ID number or phone."""
        words = fold(query).split()
        where = " AND ".join("search_key LIKE ? ESCAPE '\\'" for _ in words) or "1"
        params = [f"%{_escape_like(word)}%" for word in words]
        rows = self.db.execute(
            f"SELECT {', '.join(CITIZEN_FIELDS)} FROM citizens WHERE {where} ORDER BY full_name LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [Citizen.from_dict(dict(zip(CITIZEN_FIELDS, row, strict=True))) for row in rows]

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM citizens").fetchone()[0]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
