"""ASGI layers in front of the API: request size limits (and gzip request bodies), and fault injection
for tests and training, which is off unless asked for."""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Callable
from typing import Any

from fieldkit.server.config import FaultPlan

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]
# Renders an error body in the server's language: (code, message key, params) -> message.
Describe = Callable[..., str]

FILES_PREFIX = "/v1/files/"
HEALTH_PATH = "/v1/health"


async def send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": data})


def error_body(code: str, message: str, details: dict | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


class BodyLimit:
    """Refuse bodies over the limit (413) before they are read whole; unpack gzip bodies with the same cap.

    File chunks pass through unbuffered (their endpoint streams them and counts what arrives); other bodies
    are small JSON, read here and replayed to the app.
    """

    def __init__(self, app: Any, json_limit: int, chunk_limit: int, describe: Describe) -> None:
        self.app = app
        self.json_limit = json_limit
        self.chunk_limit = chunk_limit
        self.describe = describe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_chunk = scope["path"].startswith(FILES_PREFIX)
        limit = self.chunk_limit if is_chunk else self.json_limit
        headers = {k.lower(): v for k, v in scope["headers"]}
        try:
            declared = int(headers.get(b"content-length", b"0"))
        except ValueError:
            await self._refuse(send, 400, "bad_request", "sync.server.bad_request")
            return
        if declared > limit:
            await self._too_large(send, limit)
            return
        if is_chunk:
            await self.app(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await self._too_large(send, limit)
                return
            if not message.get("more_body"):
                break
        if headers.get(b"content-encoding", b"").strip().lower() == b"gzip":
            try:
                unpacked = zlib.decompressobj(wbits=31)
                data = unpacked.decompress(bytes(body), limit + 1)
            except zlib.error:
                await self._refuse(send, 400, "bad_request", "sync.server.bad_request")
                return
            if len(data) > limit or unpacked.unconsumed_tail:
                await self._too_large(send, limit)
                return
            body = bytearray(data)
            scope = dict(scope)
            scope["headers"] = [
                (k, v) for k, v in scope["headers"] if k.lower() not in (b"content-encoding", b"content-length")
            ] + [(b"content-length", str(len(body)).encode())]
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _too_large(self, send: Send, limit: int) -> None:
        await self._refuse(send, 413, "request_too_large", "sync.server.request_too_large", limit_kb=limit // 1024)

    async def _refuse(self, send: Send, status: int, code: str, key: str, **params: Any) -> None:
        await send_json(send, status, error_body(code, self.describe(key, **params)), {"connection": "close"})


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect, as the server would

    return replay


class FaultInjector:
    """Answer some requests with a failure instead of the real answer, at the plan's rates.

    The health probe is never faulted (it is how kits tell a reachable server from none); everything else
    under /v1/ may be: 500, 503 and 429 with Retry-After, a captive portal's HTML page, or a response far
    larger than any real one.
    """

    HUGE_BYTES = 32 * 1024 * 1024

    def __init__(self, app: Any, plan: FaultPlan, describe: Describe) -> None:
        self.app = app
        self.plan = plan
        self.describe = describe
        self.rng = random.Random(plan.seed)

    def _draw(self) -> str | None:
        roll = self.rng.random()
        for kind, rate in self.plan.rates.items():
            if roll < rate:
                return kind
            roll -= rate
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        kind = self._draw() if scope["type"] == "http" and path.startswith("/v1/") and path != HEALTH_PATH else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        retry = {"retry-after": str(self.plan.retry_after), "connection": "close"}
        if kind == "500":
            await send_json(send, 500, error_body("server_error", self.describe("sync.server.failure")), retry)
        elif kind in ("503", "429"):
            key = "sync.server.busy" if kind == "503" else "sync.server.too_many"
            code = "unavailable" if kind == "503" else "too_many_requests"
            await send_json(send, int(kind), error_body(code, self.describe(key)), retry)
        elif kind == "garbage":
            page = b"<html><head><title>Wi-Fi</title></head><body>Please log in to continue.</body></html>"
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"text/html"), (b"content-length", str(len(page)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": page})
        else:  # huge: a JSON-looking answer that never ends soon
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            block = b'{"padding": "' + b"x" * (64 * 1024)
            for _ in range(self.HUGE_BYTES // len(block)):
                await send({"type": "http.response.body", "body": block, "more_body": True})
            await send({"type": "http.response.body", "body": b'"}'})
