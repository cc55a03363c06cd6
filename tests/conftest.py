"""Fixtures shared by every test: a real (encrypted) kit in a temporary folder, a clock that stands still, real PDFs.

Kits are encrypted as in the product; fixtures make them with cheap argon2id parameters (`TEST_KDF`) so the
suite stays fast. `fieldkit init` in the product always measures parameters costing at least 0.3 s a guess.
"""

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
os.environ.pop("FIELDKIT_USER", None)
os.environ.pop("FIELDKIT_PASSWORD_FILE", None)

from fieldkit.cli import main as cli_main
from fieldkit.core.cccd import Sex
from fieldkit.core.citizen import Citizen
from fieldkit.core.clock import FixedClock
from fieldkit.storage.keys import KdfParams
from fieldkit.storage.security import init_kit

# argon2id at test cost (1 pass over 1 MiB): the same code path, a thousandth of the product's price.
TEST_KDF = KdfParams(time_cost=1, memory_kib=1024)
ADMIN, ADMIN_PASSWORD = "tester", "mat-khau-thu-nghiem"

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def make_kit(data_dir, clock=None, admin: str = ADMIN, password: str = ADMIN_PASSWORD):
    """A new encrypted kit, as `fieldkit init` makes it, with the test's argon2id cost; returns (kit, session)."""
    return init_kit(data_dir, admin, password, clock=clock, kdf=TEST_KDF)


@pytest.fixture
def kit(tmp_path, clock):
    """An encrypted kit unlocked by its administrator (`tester`)."""
    opened, _session = make_kit(tmp_path / "kit", clock)
    with opened:
        yield opened


def give_consent(service, uuid: str, lang: str = "vi"):
    """Record the citizen's consent to the current text, as a worker does before queueing a dossier."""
    from fieldkit.core.consent import consent_text

    dossier = service.get(uuid)
    return service.record_consent(uuid, consent_text(lang, service.procedure_of(dossier).name.vi))


def write_password_file(path, password: str = ADMIN_PASSWORD):
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


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
    """Run `fieldkit ...` in-process against an encrypted kit of its own, signed in as its administrator
    `tester` through FIELDKIT_USER and an owner-only FIELDKIT_PASSWORD_FILE; return (exit code, stdout, stderr).

    `run(..., stdin="line\n")` feeds standard input (for --password-stdin)."""
    data_dir = tmp_path / "cli-kit"
    make_kit(data_dir)[0].close()
    monkeypatch.setenv("FIELDKIT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("FIELDKIT_USER", ADMIN)
    monkeypatch.setenv("FIELDKIT_PASSWORD_FILE", str(write_password_file(tmp_path / "cli-password")))

    def run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
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
