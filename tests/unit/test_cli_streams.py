"""Output redirected to a file or a pipe on Windows is encoded in the ANSI code page (cp1252, cp1258), which has
no "ộ": `fieldkit --help > help.txt` stopped with an encoding error. Such output is now UTF-8."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fieldkit.cli.streams import can_carry, carry_vietnamese

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


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--help"], "hồ sơ thủ tục"),
        (["scan", "--detect-only", "--json", "NOT-AN-IMAGE.jpg"], "không"),
    ],
)
def test_the_command_writes_vietnamese_to_a_pipe_in_an_ansi_code_page(tmp_path, args, expected):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDKIT_")}
    env.update(PYTHONPATH=str(REPO), PYTHONIOENCODING="cp1252", FIELDKIT_DATA_DIR=str(tmp_path / "data"))
    (tmp_path / "NOT-AN-IMAGE.jpg").write_bytes(b"x")
    done = subprocess.run(
        [sys.executable, "-m", "fieldkit", *args], cwd=tmp_path, env=env, capture_output=True, timeout=120
    )
    output = (done.stdout + done.stderr).decode("utf-8")
    assert "UnicodeEncodeError" not in output
    assert expected in output
    assert done.returncode in (0, 2)  # help, or the unreadable image named on its line (a user's mistake)
