"""Every setting declared once, with its default and its title (the way Picard declares options).

Values live in the kit's database; `storage.settings.SettingsStore` reads and writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fieldkit.core.errors import UserError


@dataclass(frozen=True)
class Option:
    name: str
    default: Any
    title_key: str
    kind: type = str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def coerce(self, raw: Any) -> Any:
        """Turn a typed value ("30", "true") into the option's kind, or say why not."""
        try:
            if self.kind is bool and isinstance(raw, str):
                value: Any = raw.strip().lower() in ("1", "true", "yes", "on", "có")
            else:
                value = self.kind(raw)
        except (TypeError, ValueError):
            raise UserError("error.setting.type", name=self.name) from None
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise UserError("error.setting.range", name=self.name, minimum=self.minimum, maximum=self.maximum)
        if self.choices and value not in self.choices:
            raise UserError("error.setting.choice", name=self.name, choices=", ".join(self.choices))
        return value


OPTIONS: dict[str, Option] = {
    option.name: option
    for option in (
        Option("max_file_mb", 10.0, "setting.max_file_mb", float, minimum=0.5, maximum=200),
        Option(
            "place_kind",
            "home_visit",
            "setting.place_kind",
            str,
            choices=("home_visit", "help_desk", "office"),
        ),
        Option("village", "", "setting.village", str),
        Option("language", "vi", "setting.language", str, choices=("vi", "en")),
        Option("camera", "auto", "setting.camera", str),
        # Security (issue 6): idle lock, and how long the scans of a finished dossier are kept.
        Option("lock_after_minutes", 10, "setting.lock_after_minutes", int, minimum=1, maximum=480),
        Option("retention_days", 30, "setting.retention_days", int, minimum=0, maximum=3650),
        # Where queued dossiers go: the provincial portal, the training portal, or a team's hub.
        Option("portal_url", "", "setting.portal_url", str),
        # A province's own certificate authority (PEM file); empty trusts the system's authorities only.
        Option("ca_bundle", "", "setting.ca_bundle", str),
        Option("sync_chunk_kb", 1024, "setting.sync_chunk_kb", int, minimum=64, maximum=16384),
        # Pieces grow to this on a link that keeps up (and never beyond what the server takes).
        Option("sync_chunk_max_kb", 8192, "setting.sync_chunk_max_kb", int, minimum=64, maximum=65536),
        Option("sync_watch_seconds", 30, "setting.sync_watch_seconds", int, minimum=5, maximum=3600),
    )
}


def option(name: str) -> Option:
    try:
        return OPTIONS[name]
    except KeyError:
        raise UserError("error.setting.unknown", name=name) from None
