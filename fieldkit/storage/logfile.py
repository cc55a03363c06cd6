"""The kit's log file, `<data dir>/logs/fieldkit.log`, rotated.

Logs carry dossier IDs, counts and error types, never names, ID numbers or addresses: failures are logged
with their type and stack frames only, because an exception's message may quote the data it choked on.
"""

from __future__ import annotations

import logging
import logging.handlers
import traceback
from pathlib import Path

LOGGER_NAME = "fieldkit"


def configure_logging(data_dir: Path, level: int = logging.INFO) -> Path | None:
    """Send FieldKit's log records to the kit's log file (and never to the user's terminal)."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    try:
        folder = data_dir / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / "fieldkit.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        logger.addHandler(logging.NullHandler())
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    return folder / "fieldkit.log"


def failure_summary(error: BaseException) -> str:
    """The error's type and where it happened, without its message."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{type(error).__name__}\n{frames}"
