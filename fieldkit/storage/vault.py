"""The vault: scanned PDFs and page images, stored by their sha256, written atomically, verified on read.

Content is addressed by the hash of the plain bytes, so the same scan is stored once and a file is its own
integrity check. A `Codec` sits between the plain bytes and the disk: plain for library use and tests,
AES-256-GCM in every kit the product opens. The encrypting codec also names files by a keyed hash of their
sha256, so someone holding a candidate document cannot confirm it is on a lost laptop by its name.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fieldkit.core.errors import NotFound, StorageError, VaultCorruption

_HASH = re.compile(r"^[0-9a-f]{64}$")


class Codec(Protocol):
    # Whether `open` itself proves the bytes are the ones stored under that sha256 (authenticated
    # encryption with the hash bound in): then reading need not hash them again.
    proves_content: bool

    def seal(self, data: bytes, sha256: str) -> Sequence[bytes]:
        """The bytes as stored on disk, in parts written one after another (a scan is megabytes: joining a
        header to it would copy all of them once more)."""

    def open(self, blob: bytes, sha256: str) -> bytes:
        """The plain bytes back; raises VaultCorruption when the blob was altered."""

    def file_name(self, sha256: str) -> str:
        """The name the file is stored under (64 hex digits)."""


class PlainCodec:
    proves_content = False

    def seal(self, data: bytes, sha256: str) -> Sequence[bytes]:
        return (data,)

    def open(self, blob: bytes, sha256: str) -> bytes:
        return blob

    def file_name(self, sha256: str) -> str:
        return sha256


class AesGcmCodec:
    """magic ‖ version ‖ 96-bit random nonce ‖ AES-256-GCM(plain bytes), the sha256 bound as associated data:
    a file swapped for another vault file, cut short or altered in any byte fails to open."""

    HEADER = b"FKV" + bytes([1])
    # The tag covers every byte and the sha256 the file was sealed under (computed by `Vault.put` from the
    # bytes themselves): an open that succeeds has proved them, and hashing megabytes again would double
    # the cost of every read (previews, sync, bundles).
    proves_content = True
    _OVERHEAD = len(HEADER) + 12 + 16

    def __init__(self, content_key: bytes, name_key: bytes) -> None:
        self._aead = AESGCM(content_key)
        self._name_key = name_key

    def seal(self, data: bytes, sha256: str) -> Sequence[bytes]:
        nonce = os.urandom(12)
        return self.HEADER + nonce, self._aead.encrypt(nonce, data, self.HEADER + sha256.encode("ascii"))

    def open(self, blob: bytes, sha256: str) -> bytes:
        if len(blob) < self._OVERHEAD or not blob.startswith(self.HEADER):
            raise VaultCorruption(sha256=sha256[:16])
        start = len(self.HEADER) + 12
        nonce = blob[len(self.HEADER) : start]
        try:  # a view of the ciphertext, not a slice: no copy of the megabytes before decrypting them
            return self._aead.decrypt(nonce, memoryview(blob)[start:], self.HEADER + sha256.encode("ascii"))
        except InvalidTag:
            raise VaultCorruption(sha256=sha256[:16]) from None

    def file_name(self, sha256: str) -> str:
        return hmac.new(self._name_key, sha256.encode("ascii"), hashlib.sha256).hexdigest()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes | Sequence[bytes], temp_dir: Path) -> None:
    """Write to a temp file, fsync it, rename over the target, fsync the folder: all or nothing.

    `data`: the bytes, or their parts in order."""
    parts = (data,) if isinstance(data, bytes | bytearray | memoryview) else data
    temp_dir.mkdir(parents=True, exist_ok=True)
    temp = temp_dir / f"{uuid.uuid4().hex}.part"
    try:
        with temp.open("wb") as fh:
            for part in parts:
                fh.write(part)
            fh.flush()
            os.fsync(fh.fileno())
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise StorageError("error.disk_full", path=str(path.parent)) from exc
        raise StorageError("error.write_failed", path=str(path), reason=exc.strerror or str(exc)) from exc


def fsync_dir(folder: Path) -> None:
    """Make the folder's entries (a file moved in, a folder made) survive a power cut."""
    if os.name != "posix":  # Windows cannot open a folder for fsync; NTFS journals the rename
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Vault:
    def __init__(self, root: Path, codec: Codec | None = None) -> None:
        self.root = root
        self.codec: Codec = codec or PlainCodec()
        self._temp = root / "tmp"
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, sha256: str) -> Path:
        if not _HASH.match(sha256):
            raise NotFound("error.vault_missing", sha256=sha256[:16])
        name = self.codec.file_name(sha256)
        return self.root / name[:2] / name

    def put(self, data: bytes) -> str:
        """Store bytes; return their sha256. Storing the same bytes twice is a no-op."""
        digest = sha256_of(data)
        path = self._path(digest)
        if not path.exists():
            atomic_write(path, self.codec.seal(data, digest), self._temp)
        return digest

    def has(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def get(self, sha256: str) -> bytes:
        """The plain bytes, checked against their hash (by the codec's tag when it has one)."""
        try:
            blob = self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFound("error.vault_missing", sha256=sha256[:16]) from None
        data = self.codec.open(blob, sha256)
        if not self.codec.proves_content and sha256_of(data) != sha256:
            raise VaultCorruption(sha256=sha256[:16])
        return data

    def export(self, sha256: str, destination: Path) -> Path:
        """Write the plain file elsewhere (to open it in a viewer, or to save a copy)."""
        atomic_write(destination, self.get(sha256), destination.parent)
        return destination

    def remove(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        """The stored files' names: the sha256 itself with the plain codec, a keyed name otherwise."""
        for path in self.root.glob("??/*"):
            if _HASH.match(path.name):
                yield path.name

    def remove_orphans(self, referenced: set[str], written_before: float) -> int:
        """Delete stored files no dossier refers to (left by a crash between a purge and its file deletions).

        Only files older than `written_before` (a POSIX timestamp): a scan is stored just before the row that
        refers to it, so a young unreferenced file may belong to a save still in progress elsewhere.
        """
        keep = {self.codec.file_name(sha256) for sha256 in referenced}
        removed = 0
        for name in list(self.names()):
            path = self.root / name[:2] / name
            if name not in keep and path.stat().st_mtime < written_before:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def clean_temp(self) -> None:
        """Remove half-written files left by a crash; the rename never happened, so nothing refers to them."""
        if self._temp.is_dir():
            for leftover in self._temp.glob("*.part"):
                leftover.unlink(missing_ok=True)
