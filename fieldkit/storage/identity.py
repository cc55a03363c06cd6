"""A kit's own key pairs: Ed25519 to sign what it sends (bundles), X25519 to receive what is sealed for it.

The private keys are secrets, so they live inside the kit's encrypted database, made on first use. The public
halves travel: at enrolment (pairing code or QR over the office network) or in a public-key file carried on a
USB stick for kits that never see the network. People compare the short fingerprint shown on both screens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid as uuidlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from fieldkit.core.dates import to_iso
from fieldkit.core.errors import UserError
from fieldkit.storage.accounts import Accounts
from fieldkit.storage.kit import Kit
from fieldkit.storage.vault import atomic_write

IDENTITY_FORMAT = "fieldkit-identity/1"
_RAW = {"encoding": serialization.Encoding.Raw, "format": serialization.PublicFormat.Raw}


def key_b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def key_from_b64(text: Any, size: int) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    data = base64.b64decode(text.encode("ascii"), validate=True)
    if len(data) != size:
        raise ValueError("wrong key length")
    return data


@dataclass(frozen=True)
class PublicIdentity:
    """What another kit needs to know of this one: who it is, the key that checks its signatures, the key to
    seal bundles for it."""

    kit_id: str
    label: str
    sign_public: bytes
    box_public: bytes

    @property
    def fingerprint(self) -> str:
        """Twenty hex digits in groups of four, to read aloud and compare between two screens."""
        digest = hashlib.sha256(b"fieldkit/identity/v1\n" + self.sign_public + self.box_public).hexdigest()[:20]
        return " ".join(digest[i : i + 4] for i in range(0, 20, 4))

    def verifier(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.sign_public)

    def box_key(self) -> X25519PublicKey:
        return X25519PublicKey.from_public_bytes(self.box_public)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": IDENTITY_FORMAT,
            "kit_id": self.kit_id,
            "label": self.label,
            "sign_public": key_b64(self.sign_public),
            "box_public": key_b64(self.box_public),
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_json(cls, data: Any) -> PublicIdentity:
        """Raises ValueError for anything that is not a public-key file of a kit."""
        if not isinstance(data, dict) or data.get("format") != IDENTITY_FORMAT:
            raise ValueError("not a FieldKit identity")
        kit_id, label = data.get("kit_id"), data.get("label", "")
        if not isinstance(kit_id, str) or not 8 <= len(kit_id) <= 64 or not isinstance(label, str):
            raise ValueError("bad kit id or label")
        identity = cls(
            kit_id, label[:80], key_from_b64(data.get("sign_public"), 32), key_from_b64(data.get("box_public"), 32)
        )
        identity.verifier(), identity.box_key()  # both must be real keys
        return identity

    def write(self, path: Path) -> Path:
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n"
        atomic_write(path, text.encode("utf-8"), path.parent)
        return path

    @classmethod
    def read(cls, path: Path) -> PublicIdentity:
        try:
            return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise UserError("error.hub.identity_missing", path=str(path)) from None
        except (OSError, ValueError, UnicodeDecodeError):
            raise UserError("error.hub.identity_unreadable", path=str(path)) from None


@dataclass(frozen=True)
class KitIdentity:
    kit_id: str
    sign_key: Ed25519PrivateKey
    box_key: X25519PrivateKey

    def public(self, label: str = "") -> PublicIdentity:
        return PublicIdentity(
            self.kit_id,
            label,
            self.sign_key.public_key().public_bytes(**_RAW),
            self.box_key.public_key().public_bytes(**_RAW),
        )

    def sign(self, data: bytes) -> bytes:
        return self.sign_key.sign(data)


def kit_identity(kit: Kit) -> KitIdentity:
    """This kit's keys, made (and saved, encrypted with the database) the first time they are asked for."""
    row = kit.db.execute("SELECT kit_id, sign_key, box_key FROM kit_identity WHERE id = 1").fetchone()
    if row is None:
        # The accounts file's kit id, where there is one: one name for the kit in every place.
        kit_id = Accounts.load(kit.data_dir).kit_id if Accounts.exists_in(kit.data_dir) else str(uuidlib.uuid4())
        sign, box = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
        with kit.db.atomic():
            kit.db.execute(
                "INSERT OR IGNORE INTO kit_identity (id, kit_id, sign_key, box_key, created_at) VALUES (1, ?, ?, ?, ?)",
                [kit_id, _private_bytes(sign), _private_bytes(box), to_iso(kit.clock.now())],
            )
        row = kit.db.execute("SELECT kit_id, sign_key, box_key FROM kit_identity WHERE id = 1").fetchone()
    return KitIdentity(
        row[0], Ed25519PrivateKey.from_private_bytes(row[1]), X25519PrivateKey.from_private_bytes(row[2])
    )


def _private_bytes(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
