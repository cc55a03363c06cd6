"""The protocol client: one method per call of the sync API, typed errors, and nothing read without a cap.

It knows HTTP and the wire format, not the outbox: retries, tokens and what to do with a refusal are the
callers' business. Every byte it puts on the wire is counted in `bytes_sent`.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests

from fieldkit.core.clock import Clock, SystemClock
from fieldkit.core.dates import from_portal
from fieldkit.core.portal_format import (
    ChangePage,
    FileState,
    FormatError,
    Receipt,
    Token,
    canonical_json,
    read_change_page,
    read_file_state,
    read_files_state,
    read_receipt,
    read_token,
)
from fieldkit.sync.backoff import parse_retry_after
from fieldkit.sync.errors import (
    AuthFailed,
    BadResponse,
    LoginPaused,
    NetworkError,
    NotAPortal,
    PortalFull,
    PortalRefused,
    ServerBusy,
    ServerFailure,
    TlsError,
)

# No answer of the protocol comes near this; a bigger one is a misbehaving server, not data to keep.
MAX_RESPONSE_BYTES = 4 * 1024 * 1024
# JSON bodies larger than this are sent gzipped (files are PDFs and JPEGs: already compressed, sent as is).
GZIP_FROM_BYTES = 8 * 1024
_READ_BLOCK = 64 * 1024
_BAD_ADDRESS = (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)


# A kit clock this far from the portal's is worth telling the user about: dossiers and consents carry its time.
CLOCK_OFF_SECONDS = 600


@dataclass(frozen=True)
class Health:
    server_time: datetime  # to warn about a kit whose clock is off
    max_chunk_bytes: int

    def clock_off_minutes(self, kit_time: datetime) -> int | None:
        """How many minutes the kit's clock is ahead (negative: behind) of the portal's, when that is worth
        saying; None when they agree closely enough."""
        off = (kit_time - self.server_time).total_seconds()
        return round(off / 60) if abs(off) > CLOCK_OFF_SECONDS else None


class PortalClient:
    def __init__(
        self,
        base_url: str,
        *,
        http: requests.Session | None = None,
        ca_bundle: str = "",
        timeout: tuple[float, float] = (10.0, 60.0),
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        clock: Clock | None = None,
    ) -> None:
        self.base_url = normalise_url(base_url)
        # A province's own CA bundle, else one the environment names (as requests itself would read it), else the
        # system's authorities: verification is never turned off.
        self.verify: str | bool = ca_bundle or _environment_ca_bundle() or True
        self.http = http or self._session()
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.clock = clock or SystemClock()
        self.bytes_sent = 0

    def _session(self) -> requests.Session:
        """A session that reads the environment's proxy settings once, for this portal, instead of on every
        request (requests scans every environment variable each time, about 0.1 ms a request here)."""
        http = requests.Session()
        http.proxies = requests.utils.get_environ_proxies(self.base_url)
        http.trust_env = False
        return http

    # -- calls ----------------------------------------------------------------------------------------

    def health(self) -> Health:
        """The server's clock and limits if it is a reachable sync server; raises otherwise."""
        body = self._call("GET", "/v1/health")
        limit = body.get("max_chunk_bytes")
        if body.get("status") != "ok" or not isinstance(body.get("time"), str):
            raise BadResponse()
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise BadResponse()
        try:
            return Health(from_portal(body["time"]), limit)
        except ValueError:
            raise BadResponse() from None

    def login(self, username: str, password: str) -> Token:
        body = self._call("POST", "/v1/login", json_body={"username": username, "password": password})
        return self._on_our_clock(self._read(read_token, body))

    def refresh(self, token: str) -> Token:
        return self._on_our_clock(self._read(read_token, self._call("POST", "/v1/token/refresh", token=token)))

    def _on_our_clock(self, token: Token) -> Token:
        """The expiry as this kit's clock will see it: the portal says how long the token lasts, so a laptop
        whose clock is hours off (a flat clock battery, a wrong time zone) still renews it in time."""
        if token.expires_in is None:
            return token
        return replace(token, expires_at=self.clock.now() + timedelta(seconds=token.expires_in))

    def file_state(self, token: str, sha256: str) -> FileState:
        return self._read(read_file_state, self._call("GET", f"/v1/files/{sha256}", token=token))

    def files_state(self, token: str, sha256s: list[str]) -> list[FileState]:
        body = self._call("POST", "/v1/files/state", token=token, json_body={"files": sha256s})
        try:
            return read_files_state(body, sha256s)
        except FormatError:
            raise BadResponse() from None

    def put_chunk(self, token: str, sha256: str, offset: int, data: bytes, total: int) -> FileState:
        headers = {
            "Content-Type": "application/octet-stream",
            "Content-Range": f"bytes {offset}-{offset + len(data) - 1}/{total}",
        }
        body = self._call("PUT", f"/v1/files/{sha256}", token=token, data=data, headers=headers)
        return self._read(read_file_state, body)

    def put_dossier(self, token: str, envelope: dict[str, Any]) -> Receipt:
        path = f"/v1/dossiers/{quote(envelope['uuid'], safe='')}"
        return self._read(read_receipt, self._call("PUT", path, token=token, json_body=envelope))

    def changes(self, token: str, since: str) -> ChangePage:
        body = self._call("GET", "/v1/changes", token=token, params={"since": since})
        return self._read(read_change_page, body)

    # -- plumbing -------------------------------------------------------------------------------------

    @staticmethod
    def _read(reader, body: Any) -> Any:
        try:
            return reader(body)
        except FormatError:
            raise BadResponse() from None

    def _call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json_body: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        headers = dict(headers or {})
        headers["Accept"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            data = canonical_json(json_body)
            headers["Content-Type"] = "application/json"
            if len(data) >= GZIP_FROM_BYTES:
                data = gzip.compress(data, compresslevel=6)
                headers["Content-Encoding"] = "gzip"
        self.bytes_sent += len(data or b"")
        try:
            response = self.http.request(
                method,
                self.base_url + path,
                data=data,
                headers=headers,
                params=params,
                timeout=self.timeout,
                verify=self.verify,
                allow_redirects=False,  # a captive portal redirects; a sync server never does
                stream=True,
            )
        except requests.exceptions.SSLError as exc:
            raise TlsError(url=self.base_url) from exc
        except _BAD_ADDRESS as exc:
            raise NotAPortal(url=self.base_url) from exc
        except requests.RequestException as exc:
            raise NetworkError(detail=type(exc).__name__) from exc
        with response:
            raw = self._body(response)
        return self._interpret(response, raw)

    def _body(self, response: requests.Response) -> bytes:
        """The decoded body, up to the cap (which also stops a gzip bomb: the cap is on decoded bytes)."""
        declared = response.headers.get("Content-Length", "")
        if (
            declared.isdigit()
            and int(declared) > self.max_response_bytes
            and "gzip" not in response.headers.get("Content-Encoding", "")
        ):
            raise BadResponse()
        received = bytearray()
        try:
            for block in response.iter_content(_READ_BLOCK):
                received += block
                if len(received) > self.max_response_bytes:
                    raise BadResponse()
        except requests.RequestException as exc:
            raise NetworkError(detail=type(exc).__name__) from exc
        return bytes(received)

    def _interpret(self, response: requests.Response, raw: bytes) -> Any:
        status = response.status_code
        body = _json_or_none(raw, response.headers.get("Content-Type", ""))
        if 200 <= status < 300:
            if not isinstance(body, dict):
                raise BadResponse()
            return body
        if status in (429, 503):
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock.now())
            if status == 429 and (_error_of(body) or ("",))[0] == "too_many_logins":
                raise LoginPaused(retry_after)
            raise ServerBusy(status, retry_after)
        if status == 507:  # the portal's disk is full: a person there must act; the queue waits
            raise PortalFull(parse_retry_after(response.headers.get("Retry-After"), self.clock.now()))
        if status >= 500:
            raise ServerFailure(status)
        error = _error_of(body)
        if status == 401:
            raise AuthFailed(error[0] if error else "unauthorized")
        if error is None:
            # A 4xx without the protocol's error body: not our server (a proxy's page, a wrong address).
            if status in (404, 405):
                raise NotAPortal(url=self.base_url)
            raise BadResponse()
        code, text, details = error
        if code in ("not_found", "method_not_allowed") and status in (404, 405):
            raise NotAPortal(url=self.base_url)
        raise PortalRefused(status, code, text, details)


def _environment_ca_bundle() -> str:
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or ""


def normalise_url(url: str) -> str:
    """`https://portal.example/` and `https://portal.example` are the same portal (and the same keyring entry)."""
    return url.strip().rstrip("/")


def _json_or_none(raw: bytes, content_type: str) -> Any:
    if "json" not in content_type.lower():
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _error_of(body: Any) -> tuple[str, str, dict[str, Any]] | None:
    """(code, message, details) from `{"error": {...}}`; message trimmed to what a screen can show."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return None
    error = body["error"]
    code, text = error.get("code"), error.get("message", "")
    if not isinstance(code, str) or not code or len(code) > 64:
        return None
    text = text if isinstance(text, str) else ""
    text = "".join(ch for ch in text if ch.isprintable())[:500]
    details = error.get("details") if isinstance(error.get("details"), dict) else {}
    return code, text, details
