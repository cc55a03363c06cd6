"""The USB bundle's container: sealed for one recipient, signed by its sender, refused if altered in any byte.

    magic "FKBUNDLE" | version (1 byte) | header length (4 bytes) | header (JSON)
    | segments: length (4 bytes) | AES-256-GCM(segment of the plain stream)  ... the last one flagged final
    | signature (64 bytes): Ed25519 over "fieldkit/bundle/v1" and the sha256 of every byte before it

The key: an ephemeral X25519 key pair per bundle, agreed with the recipient's X25519 public key, through HKDF
(salted with both public keys). Each segment's nonce is the header's 8 random bytes and the segment's number;
its associated data binds the header's hash, the number and whether it is the last, so segments cannot be
reordered, dropped or cut short. The signature is checked over the whole file before anything is decrypted:
a bundle from a kit that is not enrolled, or altered anywhere (header, key material, nonce, ciphertext,
signature, length), is refused; a bundle for another recipient cannot be opened at all.

Plain stream: the manifest's length (4 bytes), the manifest (JSON), then the files it lists, one after another.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import uuid as uuidlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from fieldkit.core.dates import to_iso
from fieldkit.core.errors import UserError
from fieldkit.core.portal_format import canonical_json
from fieldkit.storage.identity import KitIdentity, PublicIdentity, key_b64, key_from_b64

MAGIC = b"FKBUNDLE"
VERSION = 1
SEGMENT = 1024 * 1024
SIGNATURE_BYTES = 64
MAX_HEADER = 16 * 1024
MAX_MANIFEST = 64 * 1024 * 1024
_TAG = 16
_SIGNED = b"fieldkit/bundle/v1\n"
_KEY_INFO = b"fieldkit/bundle-key/v1"
KINDS = ("dossiers", "replies")


class BundleError(UserError):
    key = "error.bundle.damaged"


class BundleNotForUs(BundleError):
    key = "error.bundle.not_for_us"


class UnknownSender(BundleError):
    key = "error.bundle.unknown_sender"


class BundleTampered(BundleError):
    key = "error.bundle.tampered"


@dataclass(frozen=True)
class Header:
    kind: str
    bundle_id: str
    sender: str
    sender_sign: bytes
    recipient: str
    recipient_box: bytes
    ephemeral: bytes
    nonce_prefix: bytes
    created_at: str
    raw: bytes  # as written: what the segments' associated data binds

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(MAGIC + bytes([VERSION]) + self.raw).digest()


def _box_fingerprint(box_public: bytes) -> str:
    return hashlib.sha256(b"fieldkit/box/v1\n" + box_public).hexdigest()


def _key(shared: bytes, ephemeral: bytes, recipient_box: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=ephemeral + recipient_box, info=_KEY_INFO).derive(shared)


def _aad(header: Header, index: int, final: bool) -> bytes:
    return header.digest + struct.pack(">I?", index, final)


def _nonce(header: Header, index: int) -> bytes:
    return header.nonce_prefix + struct.pack(">I", index)


# -- writing ----------------------------------------------------------------------------------------------


def seal(
    path: Path,
    kind: str,
    sender: KitIdentity,
    recipient: PublicIdentity,
    manifest: dict[str, Any],
    files: Iterator[bytes],
    now: datetime,
) -> str:
    """Write the bundle to `path` (through a temporary file: a full stick leaves no half bundle); its id."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    bundle_id = str(uuidlib.uuid4())
    fields = {
        "kind": kind,
        "bundle_id": bundle_id,
        "sender": sender.kit_id,
        "sender_sign": key_b64(sender.public().sign_public),
        "recipient": recipient.kit_id,
        "recipient_box": _box_fingerprint(recipient.box_public),
        "ephemeral": key_b64(ephemeral_public),
        "nonce": key_b64(os.urandom(8)),
        "created_at": to_iso(now),
    }
    header = _header(canonical_json(fields))
    aead = AESGCM(_key(ephemeral.exchange(recipient.box_key()), ephemeral_public, recipient.box_public))
    temp = path.with_name(f".{path.name}.{bundle_id[:8]}.part")
    digest = hashlib.sha256()
    try:
        with temp.open("wb") as out:

            def emit(data: bytes) -> None:
                digest.update(data)
                out.write(data)

            emit(MAGIC + bytes([VERSION]) + struct.pack(">I", len(header.raw)) + header.raw)
            segments = _Segmenter(aead, header, emit)
            encoded = canonical_json(manifest)
            segments.write(struct.pack(">I", len(encoded)) + encoded)
            for data in files:
                segments.write(data)
            segments.close()
            out.write(sender.sign(_SIGNED + digest.digest()))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise UserError("error.bundle.write_failed", path=str(path), reason=exc.strerror or str(exc)) from exc
    return bundle_id


class _Segmenter:
    def __init__(self, aead: AESGCM, header: Header, emit: Callable[[bytes], None]) -> None:
        self.aead, self.header, self.emit = aead, header, emit
        self.buffer = bytearray()
        self.index = 0

    def write(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) > SEGMENT:  # keep one back: the last segment must be flagged final
            self._flush(bytes(self.buffer[:SEGMENT]), final=False)
            del self.buffer[:SEGMENT]

    def close(self) -> None:
        self._flush(bytes(self.buffer), final=True)

    def _flush(self, plain: bytes, final: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.header, self.index), plain, _aad(self.header, self.index, final))
        self.emit(struct.pack(">I", len(sealed)) + sealed)
        self.index += 1


# -- reading ----------------------------------------------------------------------------------------------


def _header(raw: bytes) -> Header:
    try:
        fields = json.loads(raw.decode("utf-8"))
        if not isinstance(fields, dict) or fields.get("kind") not in KINDS:
            raise ValueError("kind")
        return Header(
            kind=fields["kind"],
            bundle_id=str(fields["bundle_id"]),
            sender=str(fields["sender"]),
            sender_sign=key_from_b64(fields["sender_sign"], 32),
            recipient=str(fields["recipient"]),
            recipient_box=bytes.fromhex(str(fields["recipient_box"])),
            ephemeral=key_from_b64(fields["ephemeral"], 32),
            nonce_prefix=key_from_b64(fields["nonce"], 8),
            created_at=str(fields["created_at"]),
            raw=raw,
        )
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise BundleError() from None


def read_header(path: Path) -> Header:
    """The clear part of a bundle: whom it is from and for, and what it holds. Nothing in it is trusted yet."""
    try:
        with Path(path).open("rb") as fh:
            start = fh.read(len(MAGIC) + 5)
            if len(start) < len(MAGIC) + 5 or not start.startswith(MAGIC) or start[len(MAGIC)] != VERSION:
                raise BundleError()
            (size,) = struct.unpack(">I", start[len(MAGIC) + 1 :])
            if not 0 < size <= MAX_HEADER:
                raise BundleError()
            raw = fh.read(size)
    except FileNotFoundError:
        raise UserError("error.bundle.missing", path=str(path)) from None
    except OSError as exc:
        raise UserError("error.bundle.unreadable", path=str(path), reason=exc.strerror or "") from exc
    if len(raw) != size:
        raise BundleError()
    return _header(raw)


def open_sealed(
    path: Path, me: KitIdentity, sender_of: Callable[[Header], PublicIdentity | None]
) -> tuple[Header, PublicIdentity, dict[str, Any], BinaryIO]:
    """(header, sender, manifest, the files' stream) of a bundle for this kit from a sender it trusts.

    Order: for this kit at all (else it cannot be read, and says so), from whom (an enrolled kit, whose key
    signed it), signed over every byte, then decrypted.
    """
    header = read_header(path)
    if header.recipient_box != bytes.fromhex(_box_fingerprint(me.public().box_public)):
        raise BundleNotForUs(recipient=header.recipient[:8])
    sender = sender_of(header)
    if sender is None or sender.sign_public != header.sender_sign:
        raise UnknownSender(sender=header.sender[:8])
    _check_signature(Path(path), sender)
    shared = me.box_key.exchange(X25519PublicKey.from_public_bytes(header.ephemeral))
    aead = AESGCM(_key(shared, header.ephemeral, me.public().box_public))
    stream = _PlainStream(Path(path), header, aead)
    try:
        (size,) = struct.unpack(">I", stream.read_exactly(4))
        if size > MAX_MANIFEST:
            raise BundleTampered()
        manifest = json.loads(stream.read_exactly(size).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        stream.close()
        raise BundleTampered() from None
    if not isinstance(manifest, dict):
        stream.close()
        raise BundleTampered()
    return header, sender, manifest, stream


def _check_signature(path: Path, sender: PublicIdentity) -> None:
    size = path.stat().st_size
    if size < len(MAGIC) + 5 + SIGNATURE_BYTES:
        raise BundleTampered()
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        left = size - SIGNATURE_BYTES
        while left:
            block = fh.read(min(SEGMENT, left))
            if not block:
                raise BundleTampered()
            digest.update(block)
            left -= len(block)
        signature = fh.read(SIGNATURE_BYTES)
    try:
        sender.verifier().verify(signature, _SIGNED + digest.digest())
    except InvalidSignature:
        raise BundleTampered() from None


class _PlainStream(io.RawIOBase):
    """The decrypted stream, one segment in memory at a time; every segment's tag is checked as it is read."""

    def __init__(self, path: Path, header: Header, aead: AESGCM) -> None:
        self.fh = path.open("rb")
        self.fh.seek(len(MAGIC) + 5 + len(header.raw))
        self.end = path.stat().st_size - SIGNATURE_BYTES
        self.header, self.aead = header, aead
        self.index = 0
        self.buffer = b""
        self.finished = False

    def _next_segment(self) -> None:
        if self.finished:
            raise BundleTampered()
        start = self.fh.read(4)
        if len(start) != 4:
            raise BundleTampered()
        (size,) = struct.unpack(">I", start)
        if size < _TAG or size > SEGMENT + _TAG or self.fh.tell() + size > self.end:
            raise BundleTampered()
        sealed = self.fh.read(size)
        final = self.fh.tell() == self.end
        try:
            self.buffer += self.aead.decrypt(
                _nonce(self.header, self.index), sealed, _aad(self.header, self.index, final)
            )
        except InvalidTag:
            raise BundleTampered() from None
        self.index += 1
        self.finished = final

    def read_exactly(self, size: int) -> bytes:
        parts, wanted = [], size
        while wanted:
            if not self.buffer:
                self._next_segment()
            take = self.buffer[:wanted]
            self.buffer = self.buffer[len(take) :]
            parts.append(take)
            wanted -= len(take)
        return b"".join(parts)

    def close(self) -> None:
        self.fh.close()
        super().close()
