"""Settings stored in the kit's database; every option is declared in `core.settings`."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from fieldkit.core.settings import OPTIONS, option


class SettingsStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, name: str) -> Any:
        spec = option(name)
        row = self.db.execute("SELECT value FROM settings WHERE name = ?", [name]).fetchone()
        return spec.default if row is None else json.loads(row[0])

    def set(self, name: str, raw: Any) -> Any:
        value = option(name).coerce(raw)
        with self.db.atomic():
            self.db["settings"].upsert({"name": name, "value": json.dumps(value)}, pk="name")
        return value

    def all(self) -> dict[str, Any]:
        return {name: self.get(name) for name in OPTIONS}
