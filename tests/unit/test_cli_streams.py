"""Output redirected to a file or a pipe on Windows is encoded in the ANSI code page (cp1252, cp1258), which has
no "ộ": `fieldkit --help > help.txt` stopped with an encoding error. Input from a file or a pipe was decoded in
it too: a password with Vietnamese letters became another one. Such streams are now UTF-8."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit.cli.streams import can_carry, carry_vietnamese
from fieldkit.storage.security import unlock_kit

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("code_page", ["cp1252", "cp1258"])
def test_a_stream_in_an_ansi_code_page_is_switched_to_utf8(code_page):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=code_page)
    assert not can_carry(stream)
    carry_vietnamese((stream,))
    stream.write("Nguyễn Thị Ộ")
    stream.flush()
    assert raw.getvalue().decode("utf-8") == "Nguyễn Thị Ộ"


def test_a_stream_that_carries_vietnamese_is_left_alone():
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-16")
    carry_vietnamese((stream,))
    assert stream.encoding == "utf-16"


def ansi_child_env(tmp_path: Path) -> dict[str, str]:
    """A child `fieldkit` whose standard streams are in cp1252, as a Windows pipe's or file's are."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDKIT_")}
    env.update(PYTHONPATH=str(REPO), PYTHONIOENCODING="cp1252", FIELDKIT_DATA_DIR=str(tmp_path / "data"))
    return env


def run_in_ansi(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fieldkit", *args],
        cwd=tmp_path,
        env=ansi_child_env(tmp_path),
        capture_output=True,
        timeout=120,
    )


def test_help_goes_to_a_pipe_in_an_ansi_code_page(tmp_path):
    done = run_in_ansi(tmp_path, "--help")
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "hồ sơ thủ tục" in done.stdout.decode("utf-8")


def test_detection_json_goes_to_a_pipe_in_an_ansi_code_page(tmp_path):
    """The unreadable image's line is written, in UTF-8, with its Vietnamese message (the old code printed
    only an "unexpected error (UnicodeEncodeError)" line on stderr)."""
    (tmp_path / "NOT-AN-IMAGE.jpg").write_bytes(b"x")
    done = run_in_ansi(tmp_path, "scan", "--detect-only", "--json", "NOT-AN-IMAGE.jpg")
    assert done.returncode == 2  # a user's mistake: the image named on its line
    line = json.loads(done.stdout.decode("utf-8"))
    assert line["image"] == "NOT-AN-IMAGE.jpg" and line["quad"] is None
    assert "không" in line["error"]


def test_a_password_with_vietnamese_letters_read_from_a_utf8_file_is_the_one_the_app_takes(tmp_path):
    password = "Mật-khẩu-của-tổ-số-1"
    done = subprocess.run(
        [sys.executable, "-m", "fieldkit", "init", "--admin", "an", "--password-stdin"],
        input=(password + "\n").encode("utf-8"),  # `--password-stdin < password.txt`, saved as UTF-8
        env=ansi_child_env(tmp_path),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    kit, session = unlock_kit(tmp_path / "data", "an", password)  # as typed in the app's sign-in window
    with kit:
        assert session.user.username == "an"
