"""Fixtures shared by every test: a real kit in a temporary folder, a clock that stands still, real PDFs."""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime

import img2pdf
import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("FIELDKIT_LANG", None)
os.environ.pop("FIELDKIT_DATA_DIR", None)

from fieldkit.cli import main as cli_main
from fieldkit.core.cccd import Sex
from fieldkit.core.citizen import Citizen
from fieldkit.core.clock import FixedClock
from fieldkit.storage.kit import Kit

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def kit(tmp_path, clock):
    with Kit.open(tmp_path / "kit", clock=clock) as opened:
        yield opened


def make_pdf(pages: int = 1, seed: int = 0) -> bytes:
    """A real PDF of `pages` pages of noise-textured greys (distinct per seed, so hashes differ)."""
    rng = np.random.default_rng(seed)
    images = []
    for _ in range(pages):
        pixels = rng.integers(180, 255, size=(200, 140), dtype=np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(pixels, "L").save(buffer, format="PNG")
        images.append(buffer.getvalue())
    return img2pdf.convert(images)


@pytest.fixture
def pdf_bytes() -> bytes:
    return make_pdf(2)


def an_citizen(**changes) -> Citizen:
    """Nguyễn Văn An, born in Hà Nội in 1990: a valid record to start from."""
    values = dict(
        id_number="001090012345",
        full_name="Nguyễn Văn An",
        date_of_birth=date(1990, 2, 1),
        sex=Sex.MALE,
        permanent_address="Số 5, ngõ 12, phường Trúc Bạch, Hà Nội",
        phone="0912345678",
        issue_date=date(2021, 8, 15),
    )
    values.update(changes)
    return Citizen(**values)


@pytest.fixture
def run_cli(tmp_path, capsys, monkeypatch):
    """Run `fieldkit ...` in-process against a data directory of its own; return (exit code, stdout, stderr)."""
    data_dir = tmp_path / "cli-kit"
    monkeypatch.setenv("FIELDKIT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("FIELDKIT_WORKER", "tester")

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli_main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    run.data_dir = data_dir
    return run


# -- sync: the training portal on a thread, keyrings ----------------------------------------------------------


@pytest.fixture
def memory_keyring():
    """An in-memory keyring registered through keyring's own API, for the length of one test."""
    import keyring

    from tests.e2e.harness import MemoryKeyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def start_portal(tmp_path, clock):
    """Start the training portal on a thread (real HTTP on 127.0.0.1, the tests' clock); stopped after the test.

    `start_portal(**config)` takes ServerConfig fields (faults=..., procedures=..., token_ttl=...), and
    `clock=` for a portal that keeps another time than the tests' clock.
    """
    from tests.e2e.harness import LivePortal

    started = []

    def start(clock=clock, **config):
        portal = LivePortal(tmp_path / f"portal-{len(started)}", clock, **config).start()
        started.append(portal)
        return portal

    yield start
    for portal in started:
        portal.stop()


@pytest.fixture
def portal(start_portal):
    return start_portal()
