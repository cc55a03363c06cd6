"""Passwords kept as scrypt hashes; tokens kept as their sha256, so a copied database logs nobody in."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# scrypt with n=2**14, r=8 costs ~16 MiB and a few tens of milliseconds: slow for a guesser, fine for a login.
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(("scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)))


def check_password(password: str, stored: str | None) -> bool:
    """Constant time; an unknown user (`stored` None) costs the same as a wrong password."""
    if stored is None:
        hash_password(password, b"\0" * 16)
        return False
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    except ValueError:
        return False
    return hmac.compare_digest(digest, _unb64(expected))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
