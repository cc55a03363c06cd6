"""The QR code on the citizen's receipt: the dossier's reference, to find it again at the commune.

The text is short and uses only QR's alphanumeric characters (upper-case letters, digits and ` $%*+-./:`),
which pack 5.5 bits a character instead of 8, so the code stays small enough for a receipt printer:

    FK1*<dossier UUID, 32 hex digits>*<procedure code>[*<MaHoSo, the portal's dossier code>]

`*` separates the parts because none of them contains it. A code with lower-case letters is kept as it is
(an identifier's case is not ours to change); the QR code is then a little larger.
"""

from __future__ import annotations

import io
import re
import uuid as uuidlib
from dataclasses import dataclass

import segno

from fieldkit.core.catalog import base_code
from fieldkit.core.dossier import Dossier

PREFIX = "FK1"
_SEPARATOR = "*"
_PART = re.compile(r"^[^*\s]{1,64}$")


@dataclass(frozen=True)
class ReceiptRef:
    dossier_uuid: str  # canonical form, lower-case with dashes
    procedure_code: str
    portal_code: str | None = None  # MaHoSo, once the portal has given one


def receipt_text(ref: ReceiptRef) -> str:
    parts = [PREFIX, uuidlib.UUID(ref.dossier_uuid).hex.upper(), ref.procedure_code]
    if ref.portal_code:
        parts.append(ref.portal_code)
    for part in parts[2:]:
        if not _PART.match(part):
            raise ValueError("a receipt's codes have no spaces and no '*'")
    return _SEPARATOR.join(parts)


def receipt_for(dossier: Dossier) -> ReceiptRef:
    return ReceiptRef(dossier.uuid, dossier.procedure_code, dossier.portal_code)


def parse_receipt(text: str) -> ReceiptRef | None:
    """The reference in a receipt's code, or None when the text is not one."""
    parts = (text or "").strip().split(_SEPARATOR)
    if len(parts) not in (3, 4) or parts[0].upper() != PREFIX:
        return None
    try:
        dossier_uuid = str(uuidlib.UUID(hex=parts[1]))
    except ValueError:
        return None
    code = parts[2]
    if not _PART.match(code) or base_code(code) is None:
        return None
    portal = parts[3] if len(parts) == 4 else None
    if portal is not None and not _PART.match(portal):
        return None
    return ReceiptRef(dossier_uuid, code, portal)


def _qr(ref: ReceiptRef) -> segno.QRCode:
    # Level M survives a crease or a thermal printer's faded line; segno raises it when the size allows.
    return segno.make_qr(receipt_text(ref), error="m")


def receipt_png(ref: ReceiptRef, scale: int = 6) -> bytes:
    """The code as a PNG: `scale` pixels a module, with the standard four-module quiet zone."""
    buffer = io.BytesIO()
    _qr(ref).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def receipt_svg(ref: ReceiptRef, scale: int = 4) -> bytes:
    """The code as SVG, for a receipt laid out as a vector document."""
    buffer = io.BytesIO()
    _qr(ref).save(buffer, kind="svg", scale=scale, border=4, xmldecl=False)
    return buffer.getvalue()
