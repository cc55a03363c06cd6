"""Which folder holds a kit's data: `--data-dir`, else FIELDKIT_DATA_DIR, else the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from fieldkit.core.errors import StorageError

ENV_VAR = "FIELDKIT_DATA_DIR"


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return Path(platformdirs.user_data_dir("FieldKit", appauthor=False))


def prepare_data_dir(path: Path) -> Path:
    """Create the folder (and its parents); a folder that cannot be made or written is a clear error."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StorageError("error.data_dir", path=str(path), reason=exc.strerror or str(exc)) from exc
    return path
