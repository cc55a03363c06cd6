import hashlib
import hmac
import io
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from fieldkit.core.errors import DocumentError, NotFound, StorageError, VaultCorruption
from fieldkit.core.workflow import LocalStatus
from fieldkit.storage.citizens import CitizenStore
from fieldkit.storage.database import INTEGRITY_ERRORS, open_database
from fieldkit.storage.datadir import prepare_data_dir, resolve_data_dir
from fieldkit.storage.documents import inspect_bytes
from fieldkit.storage.migrations import MIGRATIONS, current_version, migrate
from fieldkit.storage.vault import AesGcmCodec, Vault, sha256_of
from tests.conftest import NOW, an_citizen, make_pdf


def test_database_is_wal_with_foreign_keys_and_migrated(tmp_path):
    db = open_database(tmp_path / "k.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert current_version(db) == len(MIGRATIONS)
    assert {"citizens", "dossiers", "documents", "audit", "settings"} <= set(db.table_names())
    assert migrate(db) == []  # a second run applies nothing
    db.close()
    reopened = open_database(tmp_path / "k.db")
    assert current_version(reopened) == len(MIGRATIONS)


def test_a_failing_migration_leaves_no_trace(tmp_path, monkeypatch):
    db = open_database(tmp_path / "k.db")

    def broken(db):
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    monkeypatch.setattr("fieldkit.storage.migrations.MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(RuntimeError):
        migrate(db)
    assert "half_done" not in db.table_names()
    assert current_version(db) == len(MIGRATIONS)


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "k.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError) as caught:
        open_database(path)
    assert caught.value.message.key == "error.database"


def test_foreign_keys_refuse_a_dossier_for_an_unknown_citizen(kit):
    with pytest.raises(INTEGRITY_ERRORS):
        kit.db.execute(
            "INSERT INTO dossiers (uuid, procedure_code, applicant_id, assisted_by, place_kind, status, revision,"
            " created_at, updated_at) VALUES ('u', '1.004873', 'nobody', 'an', 'home_visit', 'draft', 1, 'x', 'x')"
        )


def test_citizen_search_is_accent_and_case_insensitive(kit):
    store = CitizenStore(kit.db)
    store.save(an_citizen(), NOW)
    store.save(an_citizen(id_number="001190012346", full_name="Đỗ Thị Bình", sex=None), NOW)
    assert [c.full_name for c in store.search("nguyen van an")] == ["Nguyễn Văn An"]
    assert [c.full_name for c in store.search("DO THI")] == ["Đỗ Thị Bình"]
    assert [c.full_name for c in store.search("d")] == ["Đỗ Thị Bình"]
    assert [c.id_number for c in store.search("0912345678")] == ["001090012345", "001190012346"]
    assert store.search("100%_") == []
    assert store.get("001090012345") == an_citizen()
    with pytest.raises(NotFound):
        store.get("000000000000")


def test_data_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("FIELDKIT_DATA_DIR", raising=False)
    assert "FieldKit" in str(resolve_data_dir(None))
    monkeypatch.setenv("FIELDKIT_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(None) == tmp_path / "env"
    assert resolve_data_dir(tmp_path / "flag") == tmp_path / "flag"


def test_an_unusable_data_dir_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError) as caught:
        prepare_data_dir(blocker / "kit")
    assert caught.value.message.key == "error.data_dir"


def test_vault_stores_by_hash_once_and_verifies_on_read(tmp_path, pdf_bytes):
    vault = Vault(tmp_path / "vault")
    digest = vault.put(pdf_bytes)
    assert digest == sha256_of(pdf_bytes)
    assert vault.put(pdf_bytes) == digest
    assert vault.get(digest) == pdf_bytes
    assert list(vault.names()) == [digest]
    exported = vault.export(digest, tmp_path / "out" / "copy.pdf")
    assert exported.read_bytes() == pdf_bytes


def test_vault_reports_a_corrupted_or_missing_file(tmp_path, pdf_bytes):
    vault = Vault(tmp_path / "vault")
    digest = vault.put(pdf_bytes)
    path = tmp_path / "vault" / digest[:2] / digest
    path.write_bytes(pdf_bytes[:-10])
    with pytest.raises(VaultCorruption):
        vault.get(digest)
    path.unlink()
    with pytest.raises(NotFound):
        vault.get(digest)
    with pytest.raises(NotFound):
        vault.get("../../etc/passwd")


def test_an_encrypted_vault_file_is_header_nonce_then_ciphertext_bound_to_its_hash(tmp_path, pdf_bytes):
    """The layout kits already hold on disk: a change to how the file is written must not change it."""
    content_key, name_key = os.urandom(32), os.urandom(32)
    vault = Vault(tmp_path / "vault", AesGcmCodec(content_key, name_key))
    digest = vault.put(pdf_bytes)
    name = hmac.new(name_key, digest.encode("ascii"), hashlib.sha256).hexdigest()
    blob = (tmp_path / "vault" / name[:2] / name).read_bytes()
    assert blob[:4] == b"FKV\x01" and len(blob) == 4 + 12 + len(pdf_bytes) + 16
    aad = b"FKV\x01" + digest.encode("ascii")
    assert AESGCM(content_key).decrypt(blob[4:16], blob[16:], aad) == pdf_bytes
    assert vault.get(digest) == pdf_bytes
    assert list((tmp_path / "vault" / "tmp").iterdir()) == []


def test_vault_cleans_half_written_files_and_leaves_no_temp(tmp_path, pdf_bytes):
    vault = Vault(tmp_path / "vault")
    (tmp_path / "vault" / "tmp").mkdir()
    (tmp_path / "vault" / "tmp" / "abc.part").write_bytes(b"half")
    vault.clean_temp()
    vault.put(pdf_bytes)
    assert list((tmp_path / "vault" / "tmp").iterdir()) == []


def test_dossier_store_round_trip_and_counts(kit, pdf_bytes):
    from fieldkit.storage.dossier_service import DossierService

    kit.citizens.save(an_citizen(), NOW)
    service = DossierService(kit, "an")
    dossier = service.create("1.004873", "001090012345", {"marital_status": "chua_ket_hon"})
    service.attach_bytes(dossier.uuid, "TOKHAI", pdf_bytes, "tờ khai.pdf", dpi=90)
    loaded = kit.dossiers.get(dossier.uuid)
    assert loaded.documents[0].pages == 2 and loaded.documents[0].dpi == 90
    assert loaded.documents[0].filename == "tờ khai.pdf"
    assert kit.dossiers.get(dossier.uuid[:8]) == loaded
    assert kit.dossiers.list() == [loaded]
    assert kit.dossiers.counts_by_status() == {LocalStatus.DRAFT: 1}


def test_a_transaction_that_reads_then_writes_waits_for_another_writer(tmp_path):
    """Two connections to one kit (the app and the sync thread): neither fails with "database is locked"."""
    import threading

    first = open_database(tmp_path / "k.db")
    started, other_wrote = threading.Event(), threading.Event()

    def other_writer():
        second = open_database(tmp_path / "k.db")
        started.wait()
        with second.atomic():
            second.execute("INSERT INTO settings (name, value) VALUES ('b', '2')")
        other_wrote.set()
        second.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    with first.atomic():
        first.execute("SELECT COUNT(*) FROM settings").fetchone()  # a read first...
        started.set()
        other_wrote.wait(0.5)  # ...the other writer is waiting for the lock, not failing
        first.execute("INSERT INTO settings (name, value) VALUES ('a', '1')")  # ...then a write
    thread.join(15)
    assert other_wrote.is_set()
    assert {row[0] for row in first.execute("SELECT name FROM settings")} == {"a", "b"}


THREE_PAGES = make_pdf(3, seed=7)


def test_a_pdf_is_known_by_its_pages_and_a_locked_one_is_refused():
    assert inspect_bytes(THREE_PAGES, "scan.pdf").pages == 3
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(THREE_PAGES)))
    writer.encrypt("mật khẩu")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(DocumentError) as caught:
        inspect_bytes(locked.getvalue(), "locked.pdf")
    assert caught.value.message.key == "error.document.pdf_encrypted"


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(0, len(THREE_PAGES)), flips=st.lists(st.integers(0, len(THREE_PAGES) - 1), max_size=8))
def test_a_damaged_pdf_is_a_document_error_or_a_page_count_never_a_crash(cut, flips):
    data = bytearray(THREE_PAGES[:cut])
    for at in flips:
        if at < len(data):
            data[at] ^= 0x5A
    try:
        info = inspect_bytes(bytes(data), "scan.pdf")
    except DocumentError as error:
        assert error.message.params["file"] == "scan.pdf"
    else:
        assert info.media_type == "application/pdf" and 1 <= info.pages <= 3
