"""A dossier the hub collected from a team kit, read back from the portal's format into domain objects.

The inverse of `portal_format.submission`: what the supervisor's kit rebuilds from it and sends on to the portal
is the same payload the team kit sent. Input from outside, so every field is checked; `FormatError` says which.
"""

from __future__ import annotations

import re
from typing import Any

from fieldkit.core.citizen import Citizen
from fieldkit.core.dates import from_portal
from fieldkit.core.dossier import DocumentRef, Dossier, Place, PlaceKind
from fieldkit.core.portal_format import ID_KIND_OLD, ID_KIND_PERSONAL, UUID_PATTERN, FormatError, files_of
from fieldkit.core.workflow import LocalStatus

_UUID = re.compile(UUID_PATTERN)


def from_submission(envelope: Any) -> tuple[Dossier, Citizen]:
    """(dossier, applicant) from a submission envelope; the dossier is READY, never sent from this kit."""
    if not isinstance(envelope, dict) or not isinstance(envelope.get("HoSo"), dict):
        raise FormatError("envelope.HoSo is not an object")
    ho_so = envelope["HoSo"]
    uuid = _text(envelope, "uuid")
    if not _UUID.match(uuid):
        raise FormatError("envelope.uuid is not a UUID")
    revision = envelope.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:
        raise FormatError("envelope.revision is not a revision")
    identities = ho_so.get("DinhDanhCHS")
    if not isinstance(identities, list) or not identities:
        raise FormatError("HoSo.DinhDanhCHS is empty")
    numbers = {item.get("LoaiDinhDanh"): item.get("SoDinhDanh") for item in identities if isinstance(item, dict)}
    id_number = numbers.get(ID_KIND_PERSONAL) or numbers.get(ID_KIND_OLD)
    if not isinstance(id_number, str) or not id_number:
        raise FormatError("HoSo.DinhDanhCHS has no ID number")
    old_id = numbers.get(ID_KIND_OLD) if ID_KIND_PERSONAL in numbers else ""
    place = envelope.get("NoiThucHien") if isinstance(envelope.get("NoiThucHien"), dict) else {}
    try:
        kind = PlaceKind(place.get("Loai") or PlaceKind.HOME_VISIT.value)
    except ValueError:
        kind = PlaceKind.HOME_VISIT
    declaration = ho_so.get("ToKhai", {})
    if not isinstance(declaration, dict) or not all(isinstance(v, str) for v in declaration.values()):
        raise FormatError("HoSo.ToKhai is not a set of texts")
    files_of(envelope)  # checks every TaiLieuNop entry's hash and size
    documents = tuple(
        DocumentRef(
            slot_code=item["MaThanhPhanHoSo"],
            sha256=item["TepDinhKemId"],
            size=item["KichThuoc"],
            media_type=str(item.get("DinhDang") or "application/pdf"),
            pages=int(item.get("SoTrang") or 1),
            filename=str(item.get("TenTepDinhKem") or ""),
        )
        for item in ho_so["TaiLieuNop"]
    )
    try:
        created_at, updated_at = from_portal(_text(ho_so, "NgayTao")), from_portal(_text(ho_so, "NgayCapNhat"))
    except ValueError:
        raise FormatError("HoSo.NgayTao or NgayCapNhat is not yyyyMMddHHmmss") from None
    dossier = Dossier(
        uuid=uuid,
        procedure_code=_text(ho_so, "MaTTHC"),
        applicant_id=id_number,
        assisted_by=_text(envelope, "NguoiHoTro"),
        created_at=created_at,
        updated_at=updated_at,
        place=Place(kind, str(place.get("Thon") or "")),
        declaration=dict(declaration),
        documents=documents,
        status=LocalStatus.READY,
        revision=revision,
    )
    applicant = Citizen(
        id_number=id_number,
        full_name=_text(ho_so, "ChuHoSo"),
        phone=str(ho_so.get("SoDienThoai") or ""),
        old_id_number=old_id if isinstance(old_id, str) else "",
    )
    return dossier, applicant


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise FormatError(f"{key} is not text")
    return value


# The unit code in the MaHoSo a supervisor's hub gives a dossier until the portal gives the real one.
HUB_UNIT_CODE = "HUB"


def is_hub_code(ma_ho_so: str | None) -> bool:
    return bool(ma_ho_so) and ma_ho_so.startswith(HUB_UNIT_CODE + "-")
