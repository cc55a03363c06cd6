"""The portal's dossier format (DOMAIN.md), shared by the kit that sends and the server that receives.

Field names are the portal's own (MaHoSo, MaTTHC, ChuHoSo, DinhDanhCHS, TaiLieuNop, TrangThaiHoSo...), so a
real adapter later is a mapping, not a rewrite. What the sync protocol adds around a dossier (its UUID and
revision on the kit) travels in an envelope beside the `HoSo` object.

Everything here is pure: building payloads from domain objects, and reading what comes back from outside,
which may be anything. Readers raise `FormatError` saying what was wrong, never KeyError or TypeError.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fieldkit.core.catalog import Procedure
from fieldkit.core.citizen import Citizen
from fieldkit.core.dates import from_portal, to_portal
from fieldkit.core.dossier import Dossier
from fieldkit.core.workflow import PortalStatus

SHA256_PATTERN = r"^[0-9a-f]{64}$"
PORTAL_DATE_PATTERN = r"^\d{14}$"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# MaDinhDanhDonVi, the unit's code: "000.00.15.H14" and the like.
UNIT_CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z.]{0,39}$"
MA_HO_SO_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z.]{0,39}-\d{6}-\d{5}$"

_SHA256 = re.compile(SHA256_PATTERN)
_PORTAL_DATE = re.compile(PORTAL_DATE_PATTERN)
_UUID = re.compile(UUID_PATTERN)
_UNIT_CODE = re.compile(UNIT_CODE_PATTERN)
_MA_HO_SO = re.compile(MA_HO_SO_PATTERN)

# LoaiDinhDanh: 1 = the 12-digit personal ID number, 2 = the 9-digit old ID (CMND).
ID_KIND_PERSONAL = 1
ID_KIND_OLD = 2
# LoaiDoiTuong 1 = a citizen (2 business, 3 agency, 4 other).
APPLICANT_CITIZEN = 1
# KenhThucHien: 1 in person, 2 online, 3 by post (the order DOMAIN.md lists; unconfirmed, hence a name).
CHANNEL_ONLINE = 2
MAX_SEQUENCE = 99_999

# Error codes by which the server says the dossier itself cannot be taken as it is (the kit shows the
# portal's message on it and sends the rest of the queue); any other refusal is about the connection.
DOSSIER_REFUSALS = frozenset(
    {
        "invalid_dossier",
        "unknown_procedure",
        "revision_conflict",
        "stale_revision",
        "dossier_closed",
        "file_too_large",
        "file_size_conflict",
        "too_many_files",
    }
)


class FormatError(ValueError):
    """Something from outside that is not in the portal's format; the message says what and where."""


# -- MaHoSo ------------------------------------------------------------------------------------------------


def ma_ho_so(unit_code: str, day: date, sequence: int) -> str:
    """`{MaDinhDanhDonVi}-{yyMMdd}-{5 digits}`, the generator DOMAIN.md describes."""
    if not _UNIT_CODE.match(unit_code):
        raise FormatError(f"unit code {unit_code!r} is not a MaDinhDanhDonVi")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise FormatError(f"sequence {sequence} outside 1..{MAX_SEQUENCE}")
    return f"{unit_code}-{day:%y%m%d}-{sequence:05d}"


def is_ma_ho_so(text: Any) -> bool:
    return isinstance(text, str) and bool(_MA_HO_SO.match(text))


# -- what the kit sends ------------------------------------------------------------------------------------


def submission(dossier: Dossier, applicant: Citizen, procedure: Procedure) -> dict[str, Any]:
    """The envelope `PUT /v1/dossiers/{uuid}` carries: the kit's UUID and revision, and the HoSo itself."""
    identities = [{"LoaiDinhDanh": ID_KIND_PERSONAL, "SoDinhDanh": applicant.id_number}]
    if applicant.old_id_number:
        identities.append({"LoaiDinhDanh": ID_KIND_OLD, "SoDinhDanh": applicant.old_id_number})
    ho_so: dict[str, Any] = {
        "MaTTHC": dossier.procedure_code,
        "TenTTHC": procedure.name.vi,
        "MaLinhVuc": procedure.sector_code,
        "ChuHoSo": applicant.full_name,
        "LoaiDoiTuong": APPLICANT_CITIZEN,
        "DinhDanhCHS": identities,
        "SoDienThoai": applicant.phone,
        "TrichYeuHoSo": procedure.name.vi,
        "KenhThucHien": CHANNEL_ONLINE,
        "NgayTao": to_portal(dossier.created_at),
        "NgayCapNhat": to_portal(dossier.updated_at),
        # The declaration (tờ khai) as typed, by the catalog's field names.
        "ToKhai": dict(sorted(dossier.declaration.items())),
        "TaiLieuNop": [
            {
                "TepDinhKemId": doc.sha256,
                "TenTepDinhKem": doc.filename or f"{doc.slot_code}-{index + 1}",
                "MaThanhPhanHoSo": doc.slot_code,
                "DuocSoHoa": 1,
                "KichThuoc": doc.size,
                "DinhDang": doc.media_type,
                "SoTrang": doc.pages,
            }
            for index, doc in enumerate(dossier.documents)
        ],
    }
    return {
        "uuid": dossier.uuid,
        "revision": dossier.revision,
        "NguoiHoTro": dossier.assisted_by,
        "NoiThucHien": {"Loai": dossier.place.kind.value, "Thon": dossier.place.village},
        "HoSo": ho_so,
    }


def canonical_json(value: Any) -> bytes:
    """One byte string per value, whatever the key order or spacing it arrived with."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_sha256(value: Any) -> str:
    """What "the same content" means for a (UUID, revision) sent twice."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


@dataclass(frozen=True)
class FileRef:
    """One TaiLieuNop entry, as much as sync needs of it: which file, how big."""

    sha256: str
    size: int
    slot_code: str


def files_of(envelope: dict[str, Any]) -> list[FileRef]:
    """The distinct files a submission refers to, in order."""
    seen: dict[str, FileRef] = {}
    for index, item in enumerate(_list(_dict(envelope, "HoSo"), "TaiLieuNop")):
        where = f"TaiLieuNop[{index}]"
        if not isinstance(item, dict):
            raise FormatError(f"{where} is not an object")
        sha = _text(item, "TepDinhKemId", where)
        if not _SHA256.match(sha):
            raise FormatError(f"{where}.TepDinhKemId is not a sha256")
        size = _int(item, "KichThuoc", where, minimum=0)
        seen.setdefault(sha, FileRef(sha, size, _text(item, "MaThanhPhanHoSo", where)))
    return list(seen.values())


# -- what comes back ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """The portal's answer to a dossier: its MaHoSo and where it stands."""

    uuid: str
    revision: int
    ma_ho_so: str
    status: PortalStatus
    received_at: datetime
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "revision": self.revision,
            "MaHoSo": self.ma_ho_so,
            "TrangThaiHoSo": int(self.status),
            "NgayTiepNhan": to_portal(self.received_at),
            "GhiChu": self.note,
        }


def read_receipt(data: Any) -> Receipt:
    data = _object(data, "receipt")
    return Receipt(
        uuid=_uuid(data, "uuid", "receipt"),
        revision=_int(data, "revision", "receipt", minimum=1),
        ma_ho_so=_ma_ho_so(data, "receipt"),
        status=_status(data, "receipt"),
        received_at=_date(data, "NgayTiepNhan", "receipt"),
        note=_text(data, "GhiChu", "receipt", default=""),
    )


@dataclass(frozen=True)
class StatusChange:
    """One change of TrangThaiHoSo, as the `changes?since=` cursor returns them."""

    sequence: int
    uuid: str
    ma_ho_so: str
    status: PortalStatus
    note: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.sequence,
            "uuid": self.uuid,
            "MaHoSo": self.ma_ho_so,
            "TrangThaiHoSo": int(self.status),
            "GhiChu": self.note,
            "NgayCapNhat": to_portal(self.at),
        }


@dataclass(frozen=True)
class ChangePage:
    changes: tuple[StatusChange, ...]
    cursor: str
    more: bool


def read_change_page(data: Any) -> ChangePage:
    data = _object(data, "changes")
    items = _list(data, "changes")
    changes = []
    for index, item in enumerate(items):
        where = f"changes[{index}]"
        item = _object(item, where)
        changes.append(
            StatusChange(
                sequence=_int(item, "seq", where, minimum=0),
                uuid=_uuid(item, "uuid", where),
                ma_ho_so=_ma_ho_so(item, where),
                status=_status(item, where),
                note=_text(item, "GhiChu", where, default=""),
                at=_date(item, "NgayCapNhat", where),
            )
        )
    more = data.get("more", False)
    if not isinstance(more, bool):
        raise FormatError("changes.more is not true or false")
    return ChangePage(tuple(changes), _text(data, "cursor", "changes"), more)


@dataclass(frozen=True)
class FileState:
    """How much of a file the server holds."""

    sha256: str
    size: int | None
    received: int
    complete: bool


def read_file_state(data: Any) -> FileState:
    data = _object(data, "file")
    sha = _text(data, "sha256", "file")
    if not _SHA256.match(sha):
        raise FormatError("file.sha256 is not a sha256")
    size = data.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise FormatError("file.size is not a size")
    received = _int(data, "received", "file", minimum=0)
    complete = data.get("complete")
    if not isinstance(complete, bool):
        raise FormatError("file.complete is not true or false")
    if size is not None and received > size:
        raise FormatError("file.received is more than its size")
    return FileState(sha, size, received, complete)


def read_files_state(data: Any, asked: list[str]) -> list[FileState]:
    """The answer to a batch question, checked to be about the files asked, in their order."""
    items = _list(_object(data, "files"), "files")
    states = [read_file_state(item) for item in items]
    if [s.sha256 for s in states] != asked:
        raise FormatError("files are not the ones asked about")
    return states


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: datetime  # on the portal's clock
    expires_in: int | None = None  # seconds from when it was issued: what the kit's own clock can use


def read_token(data: Any) -> Token:
    data = _object(data, "token")
    token = _text(data, "access_token", "token")
    if not token or len(token) > 512 or not token.isprintable() or " " in token:
        raise FormatError("token.access_token is not a token")
    lifetime = _int(data, "expires_in", "token", minimum=0) if "expires_in" in data else None
    return Token(token, _date(data, "expires_at", "token"), lifetime)


# -- reading helpers ---------------------------------------------------------------------------------------


def _object(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise FormatError(f"{where} is not an object")
    return data


def _dict(data: dict[str, Any], key: str) -> dict[str, Any]:
    return _object(data.get(key), key)


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise FormatError(f"{key} is not a list")
    return value


def _text(data: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise FormatError(f"{where}.{key} is not text")
    return value


def _int(data: dict[str, Any], key: str, where: str, minimum: int | None = None) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or (minimum is not None and value < minimum):
        raise FormatError(f"{where}.{key} is not a whole number")
    return value


def _uuid(data: dict[str, Any], key: str, where: str) -> str:
    value = _text(data, key, where)
    if not _UUID.match(value):
        raise FormatError(f"{where}.{key} is not a UUID")
    return value


def _ma_ho_so(data: dict[str, Any], where: str) -> str:
    value = _text(data, "MaHoSo", where)
    if not _MA_HO_SO.match(value):
        raise FormatError(f"{where}.MaHoSo is not a dossier code")
    return value


def _status(data: dict[str, Any], where: str) -> PortalStatus:
    value = _int(data, "TrangThaiHoSo", where)
    try:
        return PortalStatus(value)
    except ValueError:
        raise FormatError(f"{where}.TrangThaiHoSo {value} is not a portal status") from None


def _date(data: dict[str, Any], key: str, where: str) -> datetime:
    value = _text(data, key, where)
    if not _PORTAL_DATE.match(value):
        raise FormatError(f"{where}.{key} is not yyyyMMddHHmmss")
    try:
        return from_portal(value)
    except ValueError:
        raise FormatError(f"{where}.{key} is not a real date") from None
