"""Real parts for sync tests and the benchmark: the training portal in a child process or a thread, a TCP
proxy that misbehaves like a rural link, keyring backends registered through keyring's own API, and kits
full of queued dossiers with scan-like PDFs."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import img2pdf
import numpy as np
import requests
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from PIL import Image

from fieldkit.server.store import ServerStore
from fieldkit.storage.citizen_service import CitizenService
from fieldkit.storage.dossier_service import DossierService
from fieldkit.storage.kit import Kit

REPO = Path(__file__).resolve().parents[2]
KIT_ADMIN = "tester"  # the kit's own administrator (tests.conftest.ADMIN)
USER, PASSWORD = "to-cong-nghe-so", "mat-khau-tap-huan"
TRAINER, TRAINER_PASSWORD = "giang-vien", "mat-khau-giang-vien"

# -- keyrings -----------------------------------------------------------------------------------------------


class MemoryKeyring(KeyringBackend):
    """For tests in this process: `keyring.set_keyring(MemoryKeyring())`."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class FileKeyring(KeyringBackend):
    """For child processes: `PYTHON_KEYRING_BACKEND=tests.e2e.harness.FileKeyring` with the file named by
    FIELDKIT_TEST_KEYRING (a test stand-in for the OS keyring, which this machine does not have)."""

    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ["FIELDKIT_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self._path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._load()
        entries[f"{service}\n{username}"] = password
        temp = self._path().with_suffix(".tmp")
        temp.write_text(json.dumps(entries), encoding="utf-8")
        os.replace(temp, self._path())

    def delete_password(self, service: str, username: str) -> None:
        entries = self._load()
        if entries.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        self._path().write_text(json.dumps(entries), encoding="utf-8")


def child_env(keyring_file: Path | None = None, password_file: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment of a child `fieldkit`: signed in to its kit (FIELDKIT_USER and an owner-only password
    file) and, with `keyring_file`, using FileKeyring as the OS keyring."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIELDKIT_", "PYTHON_KEYRING"))}
    env["PYTHONPATH"] = str(REPO)
    if password_file is not None:
        env["FIELDKIT_USER"] = KIT_ADMIN
        env["FIELDKIT_PASSWORD_FILE"] = str(password_file)
    if keyring_file is not None:
        env["PYTHON_KEYRING_BACKEND"] = "tests.e2e.harness.FileKeyring"
        env["FIELDKIT_TEST_KEYRING"] = str(keyring_file)
    env.update(extra)
    return env


# -- the training portal ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def add_users(data_dir: Path) -> None:
    store = ServerStore(data_dir)
    try:
        store.add_user(USER, PASSWORD)
        store.add_user(TRAINER, TRAINER_PASSWORD, "trainer")
    finally:
        store.close()


def wait_healthy(url: str, timeout: float = 30, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the portal exited with {process.returncode}")
        try:
            if requests.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the portal at {url} did not come up")


class SandboxProcess:
    """`python -m fieldkit portal-sandbox` in a child process, on a free port, with two accounts."""

    def __init__(self, data_dir: Path, *options: str) -> None:
        self.data_dir = data_dir
        self.options = options
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SandboxProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        add_users(self.data_dir)
        log = (self.data_dir / "server-output.txt").open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fieldkit",
                "portal-sandbox",
                "--data-dir",
                str(self.data_dir),
                "--port",
                str(self.port),
                *self.options,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            env=child_env(),
        )
        log.close()
        wait_healthy(self.url, process=self.process)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def listing(self, verify: bool = True) -> list[dict]:
        """What the portal holds, through the trainer's command (`portal-sandbox list --json`)."""
        args = [sys.executable, "-m", "fieldkit", "portal-sandbox", "list", "--data-dir", str(self.data_dir), "--json"]
        if verify:
            args.append("--verify")
        out = subprocess.run(args, capture_output=True, text=True, cwd=REPO, env=child_env(), check=True).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- a link that misbehaves ---------------------------------------------------------------------------------


class FaultProxy:
    """A TCP proxy between kit and server that delays, cuts connections mid-request and drops bytes.

    Every block of bytes going to the server may be delayed (up to `delay` seconds), may be the last before
    the connection is cut (`cut_rate`), or may be silently dropped (`drop_rate`; the HTTP stream then stalls
    until a side times out); an answer on its way back may be lost (`answer_cut_rate`: the server did the work,
    the kit never hears). `rate` (bytes a second) makes the way up one link of that speed, shared by all
    connections, as an office LAN or a mobile uplink is. `bytes_up` counts what reached the server. Seeded: a
    run can be replayed.
    """

    def __init__(
        self,
        upstream_port: int,
        *,
        seed: int = 0,
        cut_rate: float = 0.0,
        drop_rate: float = 0.0,
        delay: float = 0.0,
        max_drops: int | None = None,
        rate: float | None = None,
        answer_cut_rate: float = 0.0,
    ) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.rng = random.Random(seed)
        self.cut_rate, self.drop_rate, self.delay = cut_rate, drop_rate, delay
        # The way back: the server did the work, then its answer is lost (the kit must not do it twice).
        self.answer_cut_rate = answer_cut_rate
        self.answer_cuts = 0
        self._answer_rng = random.Random(seed + 1)  # its own draws: the way up replays as without it
        self.drops_left = max_drops
        self.rate = rate
        self._link_free_at = 0.0  # when the shaped link has sent what it was given
        self.bytes_up = 0
        self.cuts = 0
        self.drops = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: set[socket.socket] = set()
        self._closing = False
        self._thread = threading.Thread(target=self._accept, daemon=True, name="fault-proxy")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing = True
        self._listener.close()
        with self._lock:
            for sock in list(self._sockets):
                _close(sock)
        self._thread.join(5)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets |= {client, server}
            pair = (client, server)
            threading.Thread(target=self._pump, args=(client, server, True, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False, pair), daemon=True).start()

    def _decide(self) -> str:
        with self._lock:
            roll = self.rng.random()
            if roll < self.cut_rate:
                self.cuts += 1
                return "cut"
            if roll < self.cut_rate + self.drop_rate and (self.drops_left is None or self.drops_left > 0):
                self.drops += 1
                if self.drops_left is not None:
                    self.drops_left -= 1
                return "drop"
            return "pass"

    def _answer_lost(self) -> bool:
        with self._lock:
            lost = self.answer_cut_rate > 0 and self._answer_rng.random() < self.answer_cut_rate
            self.answer_cuts += lost
            return lost

    def _pump(self, source: socket.socket, target: socket.socket, upstream: bool, pair: tuple) -> None:
        try:
            while True:
                block = source.recv(65536)
                if not block:
                    break
                if upstream:
                    action = self._decide()
                    if self.delay:
                        time.sleep(self.rng.uniform(0, self.delay))
                    if action == "cut":
                        # Part of the block reaches the server, then the line goes dead mid-request.
                        part = block[: len(block) // 2]
                        target.sendall(part)
                        self._count(len(part))
                        break
                    if action == "drop":
                        continue
                    self._count(len(block))
                    if self.rate:
                        self._through_link(len(block))
                elif self._answer_lost():
                    break  # the server's answer never reaches the kit
                target.sendall(block)
        except OSError:
            pass
        for sock in pair:
            _close(sock)
            with self._lock:
                self._sockets.discard(sock)

    def _through_link(self, size: int) -> None:
        """Wait while the shaped link carries `size` bytes, after what it already carries for others."""
        with self._lock:
            start = max(time.monotonic(), self._link_free_at)
            self._link_free_at = start + size / self.rate
            done = self._link_free_at
        time.sleep(max(0.0, done - time.monotonic()))

    def _count(self, size: int) -> None:
        with self._lock:
            self.bytes_up += size


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


# -- kits with queued dossiers ------------------------------------------------------------------------------


def scan_pdf(size: int, seed: int) -> bytes:
    """A PDF of one scanned-looking page (grey JPEG with paper noise) of about `size` bytes, distinct per seed."""
    rng = np.random.default_rng(seed)
    width = 1240
    height = max(16, int(size / 0.39 / width))  # ~0.39 bytes per pixel for noisy grey at quality 75
    pixels = rng.normal(200, 30, size=(height, width)).clip(0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "L").save(buffer, format="JPEG", quality=75)
    return img2pdf.convert(buffer.getvalue())


def queue_dossiers(
    kit: Kit,
    count: int,
    sizes: Callable[[random.Random], int],
    *,
    seed: int = 0,
    max_docs: int = 3,
    procedure: str = "1.004873",
) -> list[str]:
    """`count` complete dossiers, consented and queued, each with 1..max_docs scan-like PDFs; their UUIDs in
    queue order."""
    from tests.conftest import an_citizen, give_consent

    rng = random.Random(seed)
    CitizenService(kit, "tester").save(an_citizen())
    service = DossierService(kit, "tester")
    slots = ("TOKHAI", "BANAN", "UYQUYEN")
    uuids = []
    for index in range(count):
        dossier = service.create(procedure, "001090012345", {"marital_status": "chua_ket_hon", "purpose": "Kết hôn"})
        for number, slot in enumerate(slots[: rng.randint(1, max_docs)]):
            pdf = scan_pdf(sizes(rng), seed * 1_000_000 + index * 10 + number)
            service.attach_bytes(dossier.uuid, slot, pdf, f"{slot}.pdf")
        give_consent(service, dossier.uuid)
        service.queue(dossier.uuid)
        uuids.append(dossier.uuid)
        if hasattr(kit.clock, "advance"):
            kit.clock.advance(seconds=1)  # queue order is time order
    return uuids


# -- the portal on a thread, and a kit logged in to it ------------------------------------------------------


class LivePortal:
    """The training portal served on a thread of this process (real HTTP on 127.0.0.1)."""

    def __init__(self, data_dir: Path, clock, **config) -> None:
        from fieldkit.server.config import ServerConfig

        self.config = ServerConfig(clock=clock, **config)
        self.store = ServerStore(data_dir, clock)
        self.store.add_user(USER, PASSWORD)
        self.store.add_user(TRAINER, TRAINER_PASSWORD, "trainer")
        self.thread = None

    def start(self) -> LivePortal:
        from fieldkit.server.run import ServerThread

        self.thread = ServerThread(self.store, self.config).start()
        return self

    @property
    def url(self) -> str:
        return self.thread.url

    def stop(self) -> None:
        if self.thread is not None:
            self.thread.stop()
        self.store.close()


def new_kit(data_dir: Path, clock=None) -> Kit:
    """A new encrypted kit, as `fieldkit init` makes it (at the tests' argon2id cost), unlocked."""
    from tests.conftest import make_kit

    return make_kit(data_dir, clock)[0]


def open_kit(data_dir: Path, clock=None) -> Kit:
    """An existing kit, unlocked by its administrator."""
    from fieldkit.storage.security import unlock_kit
    from tests.conftest import ADMIN, ADMIN_PASSWORD

    return unlock_kit(data_dir, ADMIN, ADMIN_PASSWORD, clock=clock)[0]


def kit_password_file(folder: Path) -> Path:
    from tests.conftest import write_password_file

    folder.mkdir(parents=True, exist_ok=True)
    return write_password_file(folder / "kit-password")


def logged_in(kit: Kit, url: str, credentials=None, **client_options):
    """A PortalSession of the test account, its login kept in `credentials` (this session's memory by default)."""
    from fieldkit.sync.client import PortalClient
    from fieldkit.sync.credentials import SessionCredentials
    from fieldkit.sync.session import PortalSession

    client = PortalClient(url, clock=kit.clock, **client_options)
    session = PortalSession(client, credentials or SessionCredentials(), kit.clock)
    session.login(USER, PASSWORD)
    return session
