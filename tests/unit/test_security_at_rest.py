"""Proof that a lost laptop reveals nothing: every byte under the data directory is searched for the people
and pages put into the kit. Also: a wrong password opens nothing; damaged files are reported, never skipped."""

from __future__ import annotations

import io
import struct
import unicodedata
import zlib
from datetime import date
from pathlib import Path

import img2pdf
import pytest
from PIL import Image

from fieldkit.core.cccd import Sex
from fieldkit.core.citizen import Citizen
from fieldkit.core.errors import StorageError, UserError, VaultCorruption
from fieldkit.storage.accounts import AuthFailed
from fieldkit.storage.citizen_service import CitizenService
from fieldkit.storage.dossier_service import DossierService
from fieldkit.storage.kit import Kit
from fieldkit.storage.security import unlock_kit
from fieldkit.storage.vault import sha256_of
from tests.conftest import ADMIN, ADMIN_PASSWORD, give_consent, make_kit

PEOPLE = [
    Citizen(
        id_number="001190034567",
        full_name="Nguyễn Thị Hồng Nhung",
        date_of_birth=date(1990, 3, 4),
        sex=Sex.FEMALE,
        permanent_address="Số 17, ngõ 42 phố Quán Thánh, phường Trúc Bạch, quận Ba Đình, Hà Nội",
        phone="0987654321",
        issue_date=date(2021, 5, 6),
    ),
    Citizen(
        id_number="046052001234",
        full_name="Trần Văn Bảy",
        date_of_birth=date(1952, 7, 8),
        sex=Sex.MALE,
        permanent_address="Thôn Phú Lương, xã Quảng Thọ, huyện Quảng Điền, Thừa Thiên Huế",
        phone="0905111222",
        issue_date=date(2022, 1, 2),
    ),
]
CHILD = "Trần Ngọc Ánh Dương"


def page_pattern(seed: int) -> bytes:
    """One row of a scanned page: 96 grey levels no real paper produces in this order."""
    return bytes((i * 37 + seed * 101 + 11) % 251 for i in range(96))


def page_png(seed: int, height: int = 120) -> bytes:
    """A grey page whose raw pixels sit in the file as they are (PNG rows unfiltered, zlib without
    compression), so finding them in the data directory would mean the page was stored in the clear."""
    row = page_pattern(seed)
    raw = b"".join(b"\x00" + row for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", len(row), height, 8, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b"")
    assert Image.open(io.BytesIO(png)).size == (len(row), height)  # a real image
    return png


def variants(text: str) -> set[bytes]:
    """A text as it could sit on disk: NFC or NFD, folded like the search key, in UTF-8 or UTF-16."""
    forms = {unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)}
    folded = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    forms |= {folded, folded.lower().replace("đ", "d").replace("Đ", "d")}
    return {form.encode(encoding) for form in forms for encoding in ("utf-8", "utf-16-le", "utf-16-be")}


def every_file(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def fill_kit(data_dir: Path, clock, encrypted: bool = True) -> tuple[list[bytes], list[bytes]]:
    """Known people, a birth registration naming a child, and scanned pages; returns (pages, plain files)."""
    kit = make_kit(data_dir, clock)[0] if encrypted else Kit.open(data_dir, clock=clock)
    pages, files = [], []
    with kit:
        citizens = CitizenService(kit, ADMIN)
        dossiers = DossierService(kit, ADMIN)
        for index, person in enumerate(PEOPLE):
            citizens.save(person)
            dossier = dossiers.create(
                "1.004873",
                person.id_number,
                {"marital_status": "chua_ket_hon", "purpose": f"Kết hôn với {PEOPLE[1 - index].full_name}"},
            )
            png = page_png(index)
            pdf = img2pdf.convert([png])
            dossiers.attach_bytes(dossier.uuid, "TOKHAI", pdf, "tờ khai.pdf")
            dossiers.attach_bytes(dossier.uuid, "BANAN", png, "bản án.png")
            give_consent(dossiers, dossier.uuid)
            dossiers.queue(dossier.uuid)
            dossiers.view(dossier.uuid)
            pages.append(page_pattern(index))
            files += [pdf, png]
        birth = dossiers.create(
            "1.001193",
            PEOPLE[1].id_number,
            {"child_full_name": CHILD, "child_place_of_birth": PEOPLE[0].permanent_address},
        )
        dossiers.attach_bytes(birth.uuid, "TOKHAI", img2pdf.convert([page_png(7)]), "tk.pdf")
        pages.append(page_pattern(7))
    return pages, files


def needles_and_files(data_dir: Path, encrypted: bool, clock) -> tuple[dict[bytes, str], dict[Path, bytes]]:
    pages, files = fill_kit(data_dir, clock, encrypted)

    needles: dict[bytes, str] = {}
    for person in PEOPLE:
        for text in (person.full_name, person.permanent_address, person.id_number, person.phone):
            needles.update({form: text for form in variants(text)})
    needles.update({form: CHILD for form in variants(CHILD)})
    needles.update({page: "page pixels" for page in pages})
    for plain in files:  # any stretch of a scanned file, and its hash (vault file names)
        needles.update({plain[i : i + 48]: "scan bytes" for i in range(200, len(plain) - 48, max(len(plain) // 8, 1))})
        needles[sha256_of(plain).encode()] = "scan hash"
    return needles, every_file(data_dir)


def test_the_search_finds_everything_in_a_plain_kit(tmp_path, clock):
    """The control: the same search over a kit stored in the clear finds every kind of needle."""
    needles, on_disk = needles_and_files(tmp_path / "plain", False, clock)
    everything = b"".join(on_disk.values()) + b"".join(str(path).encode() for path in on_disk)
    found = {what for needle, what in needles.items() if needle in everything}
    assert found == set(needles.values())


def test_nothing_under_the_data_directory_reveals_the_people_or_their_pages(tmp_path, clock):
    data_dir = tmp_path / "kit"
    needles, on_disk = needles_and_files(data_dir, True, clock)
    names = {p.relative_to(data_dir).parts[0] for p in on_disk}
    assert {"fieldkit.db", "accounts.json", "vault"} <= names
    for path, content in on_disk.items():
        for needle, what in needles.items():
            assert needle not in content, f"{what} found in {path.relative_to(data_dir)}"
            assert needle not in str(path).encode(), f"{what} in the name {path}"


def test_the_write_ahead_log_is_encrypted_while_the_kit_is_open(tmp_path, clock):
    kit, session = make_kit(tmp_path / "kit", clock)
    kit.db.execute("PRAGMA wal_autocheckpoint=0")  # keep every page in the WAL for the look below
    CitizenService(kit, session.user.username).save(PEOPLE[0])
    wal = (tmp_path / "kit" / "fieldkit.db-wal").read_bytes()
    assert len(wal) > 4096
    for needle in variants(PEOPLE[0].full_name) | variants(PEOPLE[0].id_number):
        assert needle not in wal
    kit.close()


def test_a_wrong_password_opens_nothing_and_says_so(tmp_path, clock):
    fill_kit(tmp_path / "kit", clock)
    for user, password in ((ADMIN, "not-the-password"), ("nobody", ADMIN_PASSWORD), (ADMIN, "")):
        with pytest.raises(AuthFailed) as caught:
            unlock_kit(tmp_path / "kit", user, password, clock=clock)
        assert caught.value.message.key == "error.auth.failed"
    with pytest.raises(UserError) as caught:
        Kit.open(tmp_path / "kit")  # the library's plain open does not pretend the file is broken
    assert caught.value.message.key == "error.kit.encrypted"
    (tmp_path / "kit" / "accounts.json").rename(tmp_path / "accounts.json")
    with pytest.raises(StorageError) as caught:
        Kit.open(tmp_path / "kit")
    assert caught.value.message.key == "error.kit.accounts_missing"
    (tmp_path / "accounts.json").rename(tmp_path / "kit" / "accounts.json")
    kit, _ = unlock_kit(tmp_path / "kit", ADMIN, ADMIN_PASSWORD, clock=clock)
    with kit:
        assert kit.citizens.count() == 2


@pytest.mark.parametrize("damage", ["truncate", "flip", "swap", "empty"])
def test_a_damaged_vault_file_is_reported_not_skipped(tmp_path, clock, damage):
    fill_kit(tmp_path / "kit", clock)
    kit, session = unlock_kit(tmp_path / "kit", ADMIN, ADMIN_PASSWORD, clock=clock)
    with kit:
        first, second = kit.dossiers.list()[:2]
        target = first.documents[0]
        path = next(
            p for p in (tmp_path / "kit" / "vault").glob("??/*") if p.name == kit.vault.codec.file_name(target.sha256)
        )
        blob = path.read_bytes()
        if damage == "truncate":
            path.write_bytes(blob[: len(blob) // 2])
        elif damage == "flip":
            path.write_bytes(blob[:100] + bytes([blob[100] ^ 1]) + blob[101:])
        elif damage == "swap":  # another dossier's file put in its place
            other = kit.vault.codec.file_name(second.documents[0].sha256)
            path.write_bytes((tmp_path / "kit" / "vault" / other[:2] / other).read_bytes())
        else:
            path.write_bytes(b"")
        with pytest.raises(VaultCorruption):
            kit.vault.get(target.sha256)
        with pytest.raises(VaultCorruption):
            DossierService(kit, session.user).export_document(first.uuid, "TOKHAI", tmp_path / "out.pdf")
        assert not (tmp_path / "out.pdf").exists()


def test_a_damaged_database_page_is_reported(tmp_path, clock):
    fill_kit(tmp_path / "kit", clock)
    database = tmp_path / "kit" / "fieldkit.db"
    blob = bytearray(database.read_bytes())
    blob[5000] ^= 0xFF  # inside page 2: SQLCipher's per-page HMAC no longer matches
    database.write_bytes(bytes(blob))
    with pytest.raises(StorageError) as caught:
        kit, _ = unlock_kit(tmp_path / "kit", ADMIN, ADMIN_PASSWORD, clock=clock)
        with kit:
            kit.dossiers.list()
            kit.citizens.search("a")
    assert caught.value.message.key == "error.database"
