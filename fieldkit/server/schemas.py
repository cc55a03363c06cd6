"""The wire format as the server declares it (and publishes in /openapi.json).

Field names and patterns come from `core.portal_format`, the one description of the portal's format that the
kit builds its payloads from; a unit test checks that what the kit sends passes these models.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from fieldkit.core.dates import from_portal
from fieldkit.core.portal_format import (
    MA_HO_SO_PATTERN,
    PORTAL_DATE_PATTERN,
    SHA256_PATTERN,
    UUID_PATTERN,
)

_PROCEDURE_CODE = r"^\d\.\d{6}(\.[0-9A-Za-z]+)*$"
_ID_NUMBER = r"^(\d{9}|\d{12})$"


class _Model(BaseModel):
    # Fields a newer kit adds are ignored rather than refused, so kits and servers can be upgraded apart.
    model_config = ConfigDict(extra="ignore")


class DinhDanhIn(_Model):
    LoaiDinhDanh: int = Field(ge=1, le=2, description="1 = 12-digit personal ID, 2 = 9-digit old ID (CMND)")
    SoDinhDanh: str = Field(pattern=_ID_NUMBER)


class TaiLieuIn(_Model):
    TepDinhKemId: str = Field(pattern=SHA256_PATTERN, description="sha256 of the uploaded file")
    TenTepDinhKem: str = Field(max_length=255)
    MaThanhPhanHoSo: str = Field(min_length=1, max_length=40, description="which required document this is")
    DuocSoHoa: int = Field(default=1, ge=0, le=1, description="1 = digitised (scanned)")
    KichThuoc: int = Field(ge=0, description="size in bytes")
    DinhDang: str = Field(default="application/pdf", max_length=100)
    SoTrang: int = Field(default=1, ge=0)


class HoSoIn(_Model):
    MaTTHC: str = Field(pattern=_PROCEDURE_CODE, description="procedure code, e.g. 1.004873")
    TenTTHC: str = Field(default="", max_length=500)
    MaLinhVuc: str = Field(default="", max_length=100)
    ChuHoSo: str = Field(min_length=1, max_length=200, description="dossier owner's full name")
    LoaiDoiTuong: int = Field(default=1, ge=1, le=4, description="1 citizen, 2 business, 3 agency, 4 other")
    DinhDanhCHS: list[DinhDanhIn] = Field(min_length=1, max_length=4)
    SoDienThoai: str = Field(default="", max_length=20)
    Email: str = Field(default="", max_length=200)
    TrichYeuHoSo: str = Field(default="", max_length=1000)
    KenhThucHien: int = Field(default=2, ge=1, le=3, description="1 in person, 2 online, 3 post")
    NgayTao: str = Field(pattern=PORTAL_DATE_PATTERN, description="yyyyMMddHHmmss, Asia/Ho_Chi_Minh")
    NgayCapNhat: str = Field(pattern=PORTAL_DATE_PATTERN, description="yyyyMMddHHmmss, Asia/Ho_Chi_Minh")
    ToKhai: dict[str, str] = Field(default_factory=dict, description="the declaration's values by field name")
    TaiLieuNop: list[TaiLieuIn] = Field(default_factory=list)

    @field_validator("NgayTao", "NgayCapNhat")
    @classmethod
    def _real_date(cls, value: str) -> str:
        from_portal(value)  # ValueError for 20260231000000: pydantic reports it as invalid
        return value


class PlaceIn(_Model):
    Loai: str = Field(default="", max_length=40)
    Thon: str = Field(default="", max_length=200)


class DossierIn(_Model):
    uuid: str = Field(pattern=UUID_PATTERN, description="the dossier's ID on the kit")
    revision: int = Field(ge=1, description="grows when the dossier changes after the portal took it")
    NguoiHoTro: str = Field(default="", max_length=200, description="the team member who helped")
    NoiThucHien: PlaceIn = Field(default_factory=PlaceIn)
    HoSo: HoSoIn


class ReceiptOut(BaseModel):
    uuid: str
    revision: int
    MaHoSo: str = Field(pattern=MA_HO_SO_PATTERN)
    TrangThaiHoSo: int = Field(ge=1, le=10)
    NgayTiepNhan: str = Field(pattern=PORTAL_DATE_PATTERN)
    GhiChu: str = ""


class ChangeOut(BaseModel):
    seq: int
    uuid: str
    MaHoSo: str
    TrangThaiHoSo: int = Field(ge=1, le=10)
    GhiChu: str = ""
    NgayCapNhat: str = Field(pattern=PORTAL_DATE_PATTERN)


class ChangesOut(BaseModel):
    changes: list[ChangeOut]
    cursor: str = Field(description="give it back as `since` to get only what changed after")
    more: bool


class FileStateOut(BaseModel):
    sha256: str
    size: int | None = Field(description="declared size; null before the first chunk")
    received: int = Field(description="bytes the server holds: the next chunk starts here")
    complete: bool


class FilesStateIn(BaseModel):
    files: list[str] = Field(max_length=100, description="sha256 of each file, as in TaiLieuNop")


class FilesStateOut(BaseModel):
    files: list[FileStateOut]


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: str = Field(pattern=PORTAL_DATE_PATTERN)
    expires_in: int = Field(description="seconds")


class StatusIn(BaseModel):
    MaHoSo: str = Field(description="the dossier's MaHoSo (or its UUID)")
    TrangThaiHoSo: int = Field(ge=1, le=10)
    GhiChu: str = Field(default="", max_length=2000)


class HealthOut(BaseModel):
    status: str
    service: str
    version: str
    time: str = Field(pattern=PORTAL_DATE_PATTERN, description="the server's clock, to spot a kit's clock skew")
    max_chunk_bytes: int
    max_file_bytes: int


class ErrorBody(BaseModel):
    code: str = Field(description="stable; the kit acts on it")
    message: str = Field(description="for people, in the portal's language")
    details: dict = Field(default_factory=dict)


class ErrorOut(BaseModel):
    error: ErrorBody
