"""Where FieldKit's shipped data (catalog, tables, translations, samples) lives."""

from __future__ import annotations

import os
from pathlib import Path


def resources_dir() -> Path:
    """`resources/` beside the package; FIELDKIT_RESOURCES points elsewhere (a packaged build)."""
    override = os.environ.get("FIELDKIT_RESOURCES")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
