"""The protocol client against servers that misbehave: a captive portal, garbage, a huge answer, a cut
answer, silence, a wrong address, an untrusted certificate (and a province's own CA)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from fieldkit.server.config import FaultPlan, ServerConfig
from fieldkit.server.run import ServerThread
from fieldkit.server.store import ServerStore
from fieldkit.sync.client import PortalClient
from fieldkit.sync.errors import BadResponse, NetworkError, NotAPortal, ServerBusy, ServerFailure, TlsError
from tests.e2e.harness import free_port


class RawServer:
    """Answers every connection with whatever `answer(request_bytes)` returns (None: say nothing)."""

    def __init__(self, answer: Callable[[bytes], bytes | None]) -> None:
        self.answer = answer
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.open: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.open.append(conn)
            request = conn.recv(65536)
            reply = self.answer(request)
            if reply is not None:
                conn.sendall(reply)
                conn.close()

    def close(self) -> None:
        self.listener.close()
        for conn in self.open:
            conn.close()


@pytest.fixture
def raw_server():
    servers = []

    def start(answer):
        servers.append(RawServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def http(status: str, body: bytes, headers: str = "Content-Type: text/html\r\n") -> bytes:
    return f"HTTP/1.1 {status}\r\n{headers}Content-Length: {len(body)}\r\n\r\n".encode() + body


def test_a_captive_wifi_page_is_not_mistaken_for_the_portal(raw_server):
    page = raw_server(lambda r: http("200 OK", b"<html>Please log in to the Wi-Fi</html>"))
    with pytest.raises(BadResponse):
        PortalClient(page.url).health()
    redirect = raw_server(lambda r: http("302 Found", b"", "Location: http://wifi.login/\r\n"))
    with pytest.raises(BadResponse):
        PortalClient(redirect.url).file_state("token", "a" * 64)


def test_an_address_that_is_not_a_portal_is_said_so(raw_server):
    site = raw_server(lambda r: http("404 Not Found", b"<h1>Not found</h1>"))
    with pytest.raises(NotAPortal):
        PortalClient(site.url).changes("token", "")
    with pytest.raises(NotAPortal):
        PortalClient("htp:/nowhere").health()


def test_garbage_json_and_a_cut_answer_are_network_trouble(raw_server):
    broken = raw_server(lambda r: http("200 OK", b'{"status": "ok", "ti', "Content-Type: application/json\r\n"))
    with pytest.raises(BadResponse):
        PortalClient(broken.url).health()
    cut = raw_server(lambda r: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{}")
    with pytest.raises(NetworkError):
        PortalClient(cut.url).health()


def test_the_environments_proxy_is_used_and_no_proxy_respected(raw_server, monkeypatch):
    """A commune office behind a proxy: HTTP_PROXY / NO_PROXY as every tool reads them (read once per client)."""
    seen: list[bytes] = []
    health = b'{"status": "ok", "time": "20261122080000", "max_chunk_bytes": 1048576}'

    def proxy(request: bytes) -> bytes:
        seen.append(request)
        return http("200 OK", health, "Content-Type: application/json\r\n")

    office_proxy = raw_server(proxy)
    monkeypatch.setenv("HTTP_PROXY", office_proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert PortalClient("http://portal.invalid:8765").health().max_chunk_bytes == 1048576
    assert seen[0].startswith(b"GET http://portal.invalid:8765/v1/health ")

    monkeypatch.setenv("NO_PROXY", "portal.invalid")
    with pytest.raises(NetworkError):  # straight to the (unresolvable) portal, not through the proxy
        PortalClient("http://portal.invalid:8765", timeout=(1, 1)).health()
    assert len(seen) == 1


def test_silence_times_out(raw_server):
    silent = raw_server(lambda r: None)
    with pytest.raises(NetworkError):
        PortalClient(silent.url, timeout=(1, 0.3)).health()


def test_nobody_listening_is_a_network_error():
    with pytest.raises(NetworkError) as caught:
        PortalClient(f"http://127.0.0.1:{free_port()}").health()
    assert not isinstance(caught.value, BadResponse)


def test_a_huge_answer_is_not_read_beyond_the_cap(start_portal, raw_server):
    portal = start_portal(faults=FaultPlan({"huge": 1.0}))
    with pytest.raises(BadResponse):
        PortalClient(portal.url).changes("token", "")
    # A small JSON answer that unpacks to gigabytes (gzip bomb) is stopped on the decoded size too.
    import gzip

    bomb = gzip.compress(b"[" + b"0," * 3_000_000 + b"0]")
    server = raw_server(lambda r: http("200 OK", bomb, "Content-Type: application/json\r\nContent-Encoding: gzip\r\n"))
    with pytest.raises(BadResponse):
        PortalClient(server.url, max_response_bytes=1_000_000).health()


def test_busy_and_failing_servers_say_how_long_to_wait(start_portal):
    busy = start_portal(faults=FaultPlan({"429": 1.0}, retry_after=12))
    with pytest.raises(ServerBusy) as caught:
        PortalClient(busy.url).changes("token", "")
    assert caught.value.retry_after == 12 and caught.value.status == 429
    failing = start_portal(faults=FaultPlan({"500": 1.0}))
    with pytest.raises(ServerFailure):
        PortalClient(failing.url).changes("token", "")


def make_certificates(folder) -> tuple[str, str, str]:
    """A province's CA and a server certificate for 127.0.0.1 signed by it (openssl command line)."""

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=So TTTT Test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (folder / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n"
    )
    run(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    )
    return str(folder / "ca.pem"), str(folder / "server.pem"), str(folder / "server.key")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make certificates")
def test_tls_is_verified_and_a_provinces_own_ca_can_be_trusted(tmp_path, clock):
    ca, cert, key = make_certificates(tmp_path)
    store = ServerStore(tmp_path / "portal", clock)
    server = ServerThread(
        store, ServerConfig(clock=clock, token_ttl=timedelta(hours=1)), ssl_certfile=cert, ssl_keyfile=key
    ).start()
    try:
        with pytest.raises(TlsError):
            PortalClient(server.url).health()
        assert PortalClient(server.url, ca_bundle=ca, clock=clock).health() is not None
    finally:
        server.stop()
        store.close()


def test_what_the_client_puts_on_the_wire_is_counted(portal):
    client = PortalClient(portal.url)
    client.login("to-cong-nghe-so", "mat-khau-tap-huan")
    assert 0 < client.bytes_sent < 200
