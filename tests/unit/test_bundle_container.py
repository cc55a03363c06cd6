"""The USB bundle's container: what one supervisor can read and nobody else; any byte changed is refused."""

from __future__ import annotations

import json
import os
import struct

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit.hub.container import (
    MAGIC,
    SEGMENT,
    SIGNATURE_BYTES,
    BundleError,
    BundleNotForUs,
    BundleTampered,
    UnknownSender,
    _aad,
    _key,
    _nonce,
    open_sealed,
    read_header,
    seal,
)
from fieldkit.storage.identity import KitIdentity
from tests.conftest import NOW

FILES = [os.urandom(2 * SEGMENT + 12345), b"%PDF-1.4 small", b""]
MANIFEST = {"dossiers": [{"uuid": "x"}], "files": [len(f) for f in FILES]}


def identity(kit_id: str) -> KitIdentity:
    return KitIdentity(kit_id, Ed25519PrivateKey.generate(), X25519PrivateKey.generate())


TEAM, SUPERVISOR, OTHER = identity("kit-team-0001"), identity("kit-supervisor-1"), identity("kit-supervisor-2")


def trusting(*senders: KitIdentity):
    known = {s.kit_id: s.public() for s in senders}
    return lambda header: known.get(header.sender)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("bundle") / "day.fkb"
    seal(path, "dossiers", TEAM, SUPERVISOR.public(), MANIFEST, iter(FILES), NOW)
    return path.read_bytes()


def read_all(path, me=SUPERVISOR, sender_of=None):
    header, sender, manifest, stream = open_sealed(path, me, sender_of or trusting(TEAM))
    with stream:
        files = [stream.read_exactly(size) for size in manifest["files"]]
    return header, sender, manifest, files


def layout(data: bytes) -> dict[str, list[int]]:
    """Byte positions of each part of a bundle, found by walking its structure."""
    start = len(MAGIC) + 1
    (size,) = struct.unpack(">I", data[start : start + 4])
    header_at = start + 4
    raw = data[header_at : header_at + size]
    text = raw.decode()
    fields = json.loads(text)

    def inside(name: str) -> list[int]:
        where = text.index(fields[name])
        return [header_at + where + i for i in (0, len(fields[name]) // 2, len(fields[name]) - 1)]

    segments, at = [], header_at + size
    end = len(data) - SIGNATURE_BYTES
    while at < end:
        (length,) = struct.unpack(">I", data[at : at + 4])
        segments.append((at, length))
        at += 4 + length
    first, last = segments[0], segments[-1]
    return {
        "magic": [0, len(MAGIC) - 1, len(MAGIC)],
        "header_length": [start, start + 3],
        "header": [header_at, header_at + size // 2, header_at + size - 1],
        "key_material": inside("ephemeral"),
        "recipient": inside("recipient_box"),
        "nonce": inside("nonce"),
        "segment_length": [first[0], last[0] + 3],
        "ciphertext": [first[0] + 4, first[0] + 4 + first[1] // 2, last[0] + 4],
        "tag": [first[0] + 4 + first[1] - 1, last[0] + 4 + last[1] - 8],
        "signature": [end, end + 31, len(data) - 1],
    }


def test_the_supervisor_reads_what_the_team_kit_sealed(tmp_path, bundle):
    path = tmp_path / "b.fkb"
    path.write_bytes(bundle)
    header, sender, manifest, files = read_all(path)
    assert header.kind == "dossiers" and header.sender == TEAM.kit_id and sender.kit_id == TEAM.kit_id
    assert manifest == MANIFEST
    assert files == FILES
    assert len(layout(bundle)["segment_length"]) == 2  # more than one segment: the stream is really chunked
    for secret in (FILES[1], b'dossiers": [{"uuid'):
        assert secret not in bundle  # nothing of the contents shows in the file


@pytest.mark.parametrize(
    "part",
    [
        "magic",
        "header_length",
        "header",
        "key_material",
        "recipient",
        "nonce",
        "segment_length",
        "ciphertext",
        "tag",
        "signature",
    ],
)
def test_a_byte_changed_in_any_part_is_refused(tmp_path, bundle, part):
    for position in layout(bundle)[part]:
        damaged = bytearray(bundle)
        damaged[position] ^= 0x01
        path = tmp_path / f"{part}-{position}.fkb"
        path.write_bytes(bytes(damaged))
        with pytest.raises(BundleError):  # damaged, not for us, unknown sender or tampered: never read
            read_all(path)


@pytest.mark.parametrize("keep", [0, 5, 20, 200, 4 + SEGMENT, -SIGNATURE_BYTES, -SIGNATURE_BYTES - 1, -1])
def test_a_bundle_cut_short_or_grown_is_refused(tmp_path, bundle, keep):
    path = tmp_path / "cut.fkb"
    path.write_bytes(bundle[:keep])
    with pytest.raises(BundleError):
        read_all(path)
    path.write_bytes(bundle + b"\0")
    with pytest.raises(BundleTampered):
        read_all(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_single_byte_changed_is_refused(tmp_path, bundle, data):
    position = data.draw(st.integers(0, len(bundle) - 1))
    flip = data.draw(st.integers(1, 255))
    damaged = bytearray(bundle)
    damaged[position] ^= flip
    path = tmp_path / "flip.fkb"
    path.write_bytes(bytes(damaged))
    with pytest.raises(BundleError):
        read_all(path)


def test_segments_swapped_by_the_signer_still_do_not_decrypt(tmp_path):
    """Even someone holding the team kit's signing key cannot reorder a bundle's segments unnoticed."""
    path = tmp_path / "b.fkb"
    seal(path, "dossiers", TEAM, SUPERVISOR.public(), MANIFEST, iter(FILES), NOW)
    data = path.read_bytes()
    parts = layout(data)
    body_start, body_end = parts["segment_length"][0], len(data) - SIGNATURE_BYTES
    segments, at = [], body_start
    while at < body_end:
        (length,) = struct.unpack(">I", data[at : at + 4])
        segments.append(data[at : at + 4 + length])
        at += 4 + length
    swapped = data[:body_start] + segments[1] + segments[0] + b"".join(segments[2:])
    import hashlib

    from fieldkit.hub.container import _SIGNED

    resigned = swapped + TEAM.sign(_SIGNED + hashlib.sha256(swapped).digest())
    path.write_bytes(resigned)
    with pytest.raises(BundleTampered):
        read_all(path)


def test_a_bundle_for_another_supervisor_cannot_be_read(tmp_path, bundle):
    path = tmp_path / "b.fkb"
    path.write_bytes(bundle)
    with pytest.raises(BundleNotForUs):
        read_all(path, me=OTHER)
    # Without FieldKit's checks, with the other supervisor's private key: the segments do not open.
    header = read_header(path)
    shared = OTHER.box_key.exchange(X25519PublicKey.from_public_bytes(header.ephemeral))
    aead = AESGCM(_key(shared, header.ephemeral, OTHER.public().box_public))
    first = len(MAGIC) + 5 + len(header.raw)
    (length,) = struct.unpack(">I", bundle[first : first + 4])
    with pytest.raises(InvalidTag):
        aead.decrypt(_nonce(header, 0), bundle[first + 4 : first + 4 + length], _aad(header, 0, False))


def test_a_bundle_from_a_kit_that_is_not_enrolled_is_refused(tmp_path, bundle):
    path = tmp_path / "b.fkb"
    path.write_bytes(bundle)
    with pytest.raises(UnknownSender):
        read_all(path, sender_of=trusting())
    # An impostor using the enrolled kit's id with its own key is no better.
    impostor = identity(TEAM.kit_id)
    with pytest.raises(UnknownSender):
        read_all(path, sender_of=trusting(impostor))
    forged = tmp_path / "forged.fkb"
    seal(forged, "dossiers", impostor, SUPERVISOR.public(), MANIFEST, iter(FILES), NOW)
    with pytest.raises(UnknownSender):
        read_all(forged)


def test_not_a_bundle_at_all(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff" + os.urandom(500))
    with pytest.raises(BundleError):
        read_all(path)
