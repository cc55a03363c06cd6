"""The audit trail's hash chain: each entry's hash covers its content and the previous entry's hash.

Editing an entry breaks its own hash; deleting or moving one breaks the link of the entry after it. Pure
functions: the storage layer reads rows in order and asks `find_breaks` what is wrong and where.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainedRow:
    id: int
    content: tuple  # the entry's stored fields, in a fixed order
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class Break:
    """Something wrong at entry `entry_id`: "edited" (its content no longer matches its hash, or it was
    changed and re-hashed so the next entry no longer follows it), "deleted" (entries are missing just before
    it), "out_of_order" (it follows an entry that is elsewhere in the log), "deleted_at_end" (entries after the
    last one were cut; `entry_id` is the last number ever given out)."""

    entry_id: int
    kind: str


def entry_hash(prev_hash: str, content: Sequence) -> str:
    body = json.dumps(list(content), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def find_breaks(rows: Sequence[ChainedRow], last_issued_id: int | None = None) -> list[Break]:
    """Everything wrong with the chain, first to last, for rows read in order of their numbers.

    `last_issued_id` is the highest number ever given out (SQLite's AUTOINCREMENT counter): numbers are
    consecutive, so a gap or a shortfall at the end shows entries were removed.
    """
    breaks: list[Break] = []
    known = {row.entry_hash for row in rows}
    expected, previous_id = GENESIS, 0
    for row in rows:
        if entry_hash(row.prev_hash, row.content) != row.entry_hash:
            breaks.append(Break(row.id, "edited"))
        elif row.prev_hash != expected:
            if row.id != previous_id + 1:
                breaks.append(Break(row.id, "deleted"))
            elif row.prev_hash in known:
                breaks.append(Break(row.id, "out_of_order"))
            else:  # the entry before it was rewritten together with its own hash
                breaks.append(Break(previous_id, "edited"))
        elif row.id != previous_id + 1:
            breaks.append(Break(row.id, "deleted"))
        expected, previous_id = row.entry_hash, row.id
    if last_issued_id is not None and last_issued_id > previous_id:
        breaks.append(Break(last_issued_id, "deleted_at_end"))
    return breaks
