"""The citizen's consent (Law 91/2025/QH15 on Personal Data Protection, in force since 2026-01-01 in place of
Decree 13/2023): the purpose text shown, when, and who assisted.

Texts are shipped in `resources/consent/<lang>/<version>.txt` and never edited once shipped: a new wording is a
new version, so the hash recorded with a dossier always points at the words the citizen was shown.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from fieldkit.core.errors import NotFound, UserError
from fieldkit.core.resources import resource_path
from fieldkit.core.text import nfc


@dataclass(frozen=True)
class ConsentText:
    version: str
    lang: str
    text: str  # as shown, with the procedure's name filled in

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Consent:
    dossier_uuid: str
    version: str
    lang: str
    text_sha256: str
    given_at: datetime
    assisted_by: str


class ConsentMissing(UserError):
    key = "error.consent.missing"


def consent_versions(lang: str) -> list[str]:
    folder = resource_path("consent", lang)
    return sorted((path.stem for path in folder.glob("*.txt")), key=_version_key)


def consent_text(lang: str, procedure_name: str, version: str | None = None) -> ConsentText:
    """The text to show for a procedure; the latest version unless an older one is asked for."""
    versions = consent_versions(lang)
    if not versions:
        raise UserError("error.consent.no_text", lang=lang)
    chosen = version or versions[-1]
    if chosen not in versions:
        raise NotFound("error.consent.unknown_version", version=chosen)
    template = resource_path("consent", lang, f"{chosen}.txt").read_text(encoding="utf-8")
    return ConsentText(chosen, lang, nfc(template.replace("{procedure}", procedure_name)))


def _version_key(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in name.split("."))
