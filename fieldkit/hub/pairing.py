"""Pairing a team kit with the hub: a one-time code the hub shows (and its QR), typed or scanned on the kit.

The code never travels. Both sides derive a key from it (scrypt, salted with the hub's id, so each guess at a
captured exchange costs a guesser a scrypt run) and MAC what they send with it: the hub knows the kit's public
keys came from someone who saw its screen, and the kit knows the hub's keys came from the hub showing the code.
A code is spent by its first use, expires after minutes, and is burnt after a few wrong tries.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from fieldkit.core.errors import UserError
from fieldkit.core.portal_format import canonical_json

CODE_DIGITS = 8
QR_SCHEME = "fieldkit-hub"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def new_code(randbelow=secrets.randbelow) -> str:
    return f"{randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def shown(code: str) -> str:
    """`48210937` as people read it: `4821-0937`."""
    return f"{code[:4]}-{code[4:]}"


def read_code(text: str) -> str:
    digits = re.sub(r"[\s\-.]", "", text or "")
    if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", digits):
        raise UserError("error.hub.bad_code", digits=CODE_DIGITS)
    return digits


def pairing_key(code: str, hub_id: str) -> bytes:
    return hashlib.scrypt(code.encode("ascii"), salt=b"fieldkit/pairing/v1\n" + hub_id.encode("utf-8"), **_SCRYPT)


def mac(key: bytes, side: str, fields: dict[str, Any]) -> str:
    return hmac.new(key, side.encode("ascii") + b"\n" + canonical_json(fields), hashlib.sha256).hexdigest()


def mac_matches(key: bytes, side: str, fields: dict[str, Any], given: Any) -> bool:
    return isinstance(given, str) and hmac.compare_digest(mac(key, side, fields), given)


@dataclass(frozen=True)
class PairingOffer:
    """What the hub's screen shows: the address, the code, and its own fingerprint."""

    url: str
    code: str
    fingerprint: str

    def qr_payload(self) -> str:
        query = urlencode({"url": self.url, "code": self.code, "fp": self.fingerprint.replace(" ", "")})
        return f"{QR_SCHEME}://pair?{query}"


def read_qr_payload(text: str) -> PairingOffer:
    """The QR code's text back into an offer; anything else is a clear mistake."""
    parsed = urlparse(text.strip())
    if parsed.scheme != QR_SCHEME or parsed.netloc != "pair":
        raise UserError("error.hub.bad_qr")
    query = parse_qs(parsed.query)
    try:
        url, code, fingerprint = query["url"][0], read_code(query["code"][0]), query.get("fp", [""])[0]
    except (KeyError, IndexError):
        raise UserError("error.hub.bad_qr") from None
    if not url.startswith(("http://", "https://")):
        raise UserError("error.hub.bad_qr")
    return PairingOffer(url, code, fingerprint)
