"""A full disk: the user is told to free some space, and nothing saved before is lost.

SQLite's own limit on a database's pages (`max_page_count`) makes the real SQLITE_FULL error that a full disk
gives, in the real encrypted kit; `/dev/full` gives the operating system's real ENOSPC.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fieldkit.core.i18n import Translator
from fieldkit.storage.citizen_service import CitizenService
from fieldkit.storage.dossier_service import DossierService
from fieldkit.storage.security import unlock_kit
from tests.conftest import ADMIN, ADMIN_PASSWORD, an_citizen, make_kit, make_pdf

VI = Translator("vi")


def fill_up(kit) -> None:
    """No page more for the database: the next write that needs one fails as on a full disk."""
    pages = kit.db.execute("PRAGMA page_count").fetchone()[0]
    kit.db.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_while_saving_says_to_free_space_and_keeps_what_was_saved(tmp_path, clock):
    kit, _session = make_kit(tmp_path / "kit", clock)
    with kit:
        CitizenService(kit, ADMIN).save(an_citizen())
        dossiers = DossierService(kit, ADMIN)
        kept = dossiers.create("1.004873", "001090012345", {"purpose": "Để đăng ký kết hôn"})
        fill_up(kit)
        with pytest.raises(Exception) as caught:
            for _ in range(50):  # one page fills; the next write needs a new one
                dossiers.attach_bytes(kept.uuid, "TOKHAI", make_pdf(3), "tokhai.pdf")
        message = VI.describe(caught.value)
        assert message.startswith("Ổ đĩa đã đầy nên chưa lưu được"), message
        assert "giải phóng dung lượng" in message

    reopened, _session = unlock_kit(tmp_path / "kit", ADMIN, ADMIN_PASSWORD, clock=clock)
    with reopened:
        dossier = DossierService(reopened, ADMIN).get(kept.uuid)
        assert dossier.declaration["purpose"] == "Để đăng ký kết hôn"
        assert reopened.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.skipif(not Path("/dev/full").exists() or sys.platform == "win32", reason="needs Linux's /dev/full")
def test_the_operating_systems_full_disk_is_named_in_both_languages():
    with pytest.raises(OSError) as caught, open("/dev/full", "wb") as fh:
        fh.write(b"x")
        fh.flush()
    assert VI.describe(caught.value).startswith("Ổ đĩa đã đầy")
    assert Translator("en").describe(caught.value).startswith("The disk is full")


def test_other_failures_stay_unexpected_and_name_only_their_kind():
    message = VI.describe(RuntimeError("Nguyễn Văn An 001090012345"))
    assert "RuntimeError" in message and "Nguyễn" not in message
