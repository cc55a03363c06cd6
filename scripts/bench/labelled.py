"""Reading labelled sets for the real-data benches (photos.py, qr_photos.py): the files under the folders given,
and JSON Lines whose every line must carry certain fields."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


def dataset_files(datasets: list[Path]) -> Iterator[Path]:
    """Every file given, and every file under every folder given, in a stable order."""
    for dataset in datasets:
        if not dataset.exists():
            raise SystemExit(f"{dataset}: no such file or folder")
        yield from [dataset] if dataset.is_file() else sorted(p for p in dataset.rglob("*") if p.is_file())


def json_lines(listing: Path, fields: tuple[str, ...]) -> Iterator[dict]:
    """The objects of a JSON Lines file, blank lines skipped; a line that is not an object with `fields` stops
    the run naming its file and line."""
    with listing.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                missing = [field for field in fields if field not in entry]
            except (ValueError, TypeError) as exc:
                raise SystemExit(f"{listing}:{number}: not a JSON object ({exc})") from None
            if missing:
                raise SystemExit(f"{listing}:{number}: no {', '.join(missing)} on this line")
            yield entry
