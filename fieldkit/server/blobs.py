"""Files the server holds, by sha256: a growing `partial/` file while chunks arrive, moved into place only
once its hash is checked. The size of the partial file is how many bytes the server holds, so an upload cut
at any moment resumes from what really reached the disk."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fieldkit.core.portal_format import SHA256_PATTERN, FileState
from fieldkit.server.errors import ApiError
from fieldkit.storage.vault import fsync_dir

_SHA256 = re.compile(SHA256_PATTERN)
_READ = 1024 * 1024
# Writers of different files go in parallel (hashing, writing and flushing them to disk take most of an
# upload's time); writers of one file take turns. A fixed set of locks, chosen by the hash: bounded memory,
# and two files rarely share one.
_LOCKS = 64

Bytes = bytes | bytearray | memoryview


class BlobStore:
    """Safe from several threads as long as every call about a file is made inside `holding(sha256)`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._partial = root / "partial"
        self._partial.mkdir(parents=True, exist_ok=True)
        self._fan_out()
        # The running sha256 of each partial file and how many bytes it has taken in, so the check at the end
        # costs no second read. Lost on a restart: the file is then hashed from disk once, when it resumes.
        self._digests: dict[str, tuple[int, Any]] = {}
        self._locks = [threading.Lock() for _ in range(_LOCKS)]
        self._finish_whole_partials()

    def _fan_out(self) -> None:
        """The 256 folders files go in (by the first two hex digits of the hash), made once and made durable:
        a file moved into a folder made on the spot would also need the folder's own entry flushed."""
        made = False
        for number in range(256):
            folder = self.root / f"{number:02x}"
            if not folder.is_dir():
                folder.mkdir()
                made = True
        if made:
            fsync_dir(self.root)

    def _finish_whole_partials(self) -> None:
        """A server stopped between a file's last byte and its check leaves the whole file in `partial/`: one
        whose bytes hash to its name is finished now, so it is held (and listed) without being sent again."""
        for partial in self._partial.iterdir():
            if (
                _SHA256.match(partial.name)
                and not self.path(partial.name).exists()
                and _hash_of(partial) == partial.name
            ):
                self._finish(partial.name, partial.stat().st_size)

    @contextmanager
    def holding(self, sha256: str) -> Iterator[None]:
        """This file to the calling thread alone (checks its name first)."""
        self.path(sha256)
        with self._locks[int(sha256[:8], 16) % _LOCKS]:
            yield

    def path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ApiError(400, "bad_sha256", "sync.server.bad_sha256")
        return self.root / sha256[:2] / sha256

    def _partial_path(self, sha256: str) -> Path:
        self.path(sha256)  # checks the name
        return self._partial / sha256

    def is_complete(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def state(self, sha256: str, size: int | None) -> FileState:
        final = self.path(sha256)
        if final.is_file():
            held = final.stat().st_size
            return FileState(sha256, held, held, True)
        partial = self._partial_path(sha256)
        held = partial.stat().st_size if partial.is_file() else 0
        return FileState(sha256, size, held, False)

    def write(self, sha256: str, offset: int, parts: Sequence[Bytes], total: int) -> tuple[FileState, int, bool]:
        """Write a chunk (as the pieces it arrived in: no copy to join them); return the new state, how many of
        its bytes the server already held, and whether this chunk completed the file."""
        length = sum(len(part) for part in parts)
        current = self.state(sha256, total)
        if current.complete:
            return current, length, False
        held = current.received
        if offset > held:
            error = ApiError(409, "offset_gap", "sync.server.offset_gap", received=held)
            error.details = {"received": held}
            raise error
        if offset + length > total:
            raise ApiError(400, "chunk_past_end", "sync.server.chunk_past_end")
        fresh = _after(parts, held - offset)
        written = sum(len(piece) for piece in fresh)
        if written:
            digest = self._digest(sha256, held)
            with self._partial_path(sha256).open("ab") as fh:
                for piece in fresh:
                    fh.write(piece)
                    digest.update(piece)
            self._digests[sha256] = (held + written, digest)
        if held + written < total:
            return FileState(sha256, total, held + written, False), length - written, False
        return self._finish(sha256, total), length - written, True

    def _digest(self, sha256: str, held: int) -> Any:
        """The running hash of the `held` bytes of the partial file (read from disk if not in memory)."""
        taken, digest = self._digests.get(sha256, (-1, None))
        if taken == held and digest is not None:
            return digest
        digest = hashlib.sha256()
        if held:
            with self._partial_path(sha256).open("rb") as fh:
                while block := fh.read(_READ):
                    digest.update(block)
        return digest

    def _finish(self, sha256: str, total: int) -> FileState:
        """Check the hash, then make the file durable before it is called complete: its bytes flushed, moved
        into place, and the move flushed (the server never says it holds a file a power cut could take)."""
        partial = self._partial_path(sha256)
        digest = self._digest(sha256, total)
        self._digests.pop(sha256, None)
        if digest.hexdigest() != sha256:
            partial.unlink(missing_ok=True)
            raise ApiError(422, "file_hash_mismatch", "sync.server.file_hash_mismatch")
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
        final = self.path(sha256)
        if not final.parent.is_dir():  # made at the start, removed since
            self._fan_out()
        os.replace(partial, final)
        fsync_dir(final.parent)
        return FileState(sha256, total, total, True)

    def verify(self, sha256: str) -> bool:
        """Re-read a held file and check it against its name."""
        final = self.path(sha256)
        return final.is_file() and _hash_of(final) == sha256


def _hash_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_READ):
            digest.update(block)
    return digest.hexdigest()


def _after(parts: Sequence[Bytes], skip: int) -> list[memoryview]:
    """The pieces without their first `skip` bytes, as views (chunks are megabytes: no copies)."""
    kept = []
    for part in parts:
        view = memoryview(part)
        if skip >= len(view):
            skip -= len(view)
            continue
        kept.append(view[skip:])
        skip = 0
    return kept
