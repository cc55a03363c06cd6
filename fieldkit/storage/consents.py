"""Each dossier's consent record: which text (version, language, hash), when, and who assisted."""

from __future__ import annotations

from sqlite_utils import Database

from fieldkit.core.consent import Consent
from fieldkit.core.dates import from_iso, to_iso

_COLUMNS = ("dossier_uuid", "version", "lang", "text_sha256", "given_at", "assisted_by")


class ConsentStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def save(self, consent: Consent) -> None:
        row = {name: getattr(consent, name) for name in _COLUMNS}
        row["given_at"] = to_iso(consent.given_at)
        self.db["consents"].upsert(row, pk="dossier_uuid")

    def get(self, dossier_uuid: str) -> Consent | None:
        row = self.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM consents WHERE dossier_uuid = ?", [dossier_uuid]
        ).fetchone()
        if row is None:
            return None
        values = dict(zip(_COLUMNS, row, strict=True))
        values["given_at"] = from_iso(values["given_at"])
        return Consent(**values)
