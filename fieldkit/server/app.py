"""The sync API: `create_app(store, config)` gives a FastAPI app speaking FieldKit's sync protocol.

The training portal serves it as is; the supervisor's hub (a team kit's destination is just an address)
builds the same app over its own store and config.

Protocol, in the order a kit uses it:
  GET  /v1/health                     reachable? (never needs a token; the kit's connectivity probe)
  POST /v1/login                      username + password -> bearer token with an expiry (paused after 5 wrong)
  POST /v1/token/refresh              a token still valid -> a fresh one
  POST /v1/files/state                how many bytes of each of these files the server holds
  GET  /v1/files/{sha256}             the same for one file
  PUT  /v1/files/{sha256}             one chunk, `Content-Range: bytes START-END/TOTAL`; hash checked at the end
  PUT  /v1/dossiers/{uuid}            the dossier (files first); same revision + content -> same MaHoSo
  GET  /v1/changes?since=CURSOR       status changes (TrangThaiHoSo) after the cursor
  POST /v1/trainer/status             a trainer moves a dossier to another status
"""

# No `from __future__ import annotations`: FastAPI must see the dependencies defined in `_add_routes`.

import re
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from fieldkit import __version__
from fieldkit.core.dates import to_portal
from fieldkit.core.errors import named_failure
from fieldkit.core.i18n import Translator
from fieldkit.core.portal_format import SHA256_PATTERN, content_sha256, files_of
from fieldkit.core.workflow import PortalStatus
from fieldkit.server import schemas
from fieldkit.server.config import ServerConfig
from fieldkit.server.errors import ApiError
from fieldkit.server.middleware import BodyLimit, FaultInjector, error_body
from fieldkit.server.store import ServerStore, User
from fieldkit.server.throttle import LoginThrottle

_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
_SHA256 = re.compile(SHA256_PATTERN)
_bearer = HTTPBearer(auto_error=False, description="the access_token from /v1/login")
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": schemas.ErrorOut} for code in (400, 401, 409, 413, 422, 429, 503)
}

STORAGE_FULL_RETRY_SECONDS = 600  # a person has to free space: no point in kits asking every few seconds

DESCRIPTION = (
    "FieldKit's sync protocol. Field names follow the portal's dossier format (MaHoSo, MaTTHC, ChuHoSo, "
    "DinhDanhCHS, TaiLieuNop, TrangThaiHoSo; dates yyyyMMddHHmmss in Vietnam's time). Errors are "
    '`{"error": {"code", "message", "details"}}`; 429 and 503 carry Retry-After.'
)


def create_app(store: ServerStore, config: ServerConfig) -> FastAPI:
    tr = Translator(config.lang)
    app = FastAPI(
        title=config.title,
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        responses=_ERRORS,
    )
    app.state.store = store
    app.state.config = config
    _install_error_handlers(app, tr)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(
        BodyLimit, json_limit=config.max_json_bytes, chunk_limit=config.max_chunk_bytes + 1024, describe=tr
    )
    if config.faults.active:
        app.add_middleware(FaultInjector, plan=config.faults, describe=tr)  # outermost: answers before all else
    _add_routes(app, store, config)
    return app


def _install_error_handlers(app: FastAPI, tr: Translator) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        return JSONResponse(
            error_body(error.code, tr.msg(error.message), error.details), error.status, headers=error.headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e["loc"] if p != "body"), "problem": e["msg"]} for e in error.errors()
        ]
        code = "invalid_dossier" if request.url.path.startswith("/v1/dossiers/") else "invalid_request"
        listed = "; ".join(f"{p['where']}: {p['problem']}" for p in problems[:10])
        message = tr("sync.server.invalid", problems=listed)
        return JSONResponse(error_body(code, message, {"problems": problems[:50]}), 422)

    @app.exception_handler(Exception)
    async def failure(request: Request, error: Exception) -> JSONResponse:
        """The last answer (uvicorn still logs the error): a full disk says so, with a time to come back, so the
        kit tells the team the portal has no room rather than that it broke."""
        if named_failure(error) is not None:
            body = error_body("storage_full", tr("sync.server.storage_full"))
            return JSONResponse(body, 507, headers={"Retry-After": str(STORAGE_FULL_RETRY_SECONDS)})
        return JSONResponse(error_body("server_error", tr("sync.server.failure")), 500)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return JSONResponse(error_body(code, tr("sync.server.no_such_route")), error.status_code, headers=error.headers)


def _add_routes(app: FastAPI, store: ServerStore, config: ServerConfig) -> None:
    def token_of(credentials: HTTPAuthorizationCredentials | None) -> str:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise ApiError(401, "unauthorized", "sync.server.unauthorized", headers={"WWW-Authenticate": "Bearer"})
        return credentials.credentials

    # async: answered from the store's memory on the event loop, without a hop to a worker thread per request.
    async def current_user(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> User:
        return store.user_for(token_of(credentials))

    async def trainer(user: Annotated[User, Depends(current_user)]) -> User:
        if not user.trainer:
            raise ApiError(403, "forbidden", "sync.server.trainers_only")
        return user

    def token_out(token: str, expires_at) -> schemas.TokenOut:
        seconds = int((expires_at - config.clock.now()).total_seconds())
        return schemas.TokenOut(access_token=token, expires_at=to_portal(expires_at), expires_in=seconds)

    @app.get("/v1/health", response_model=schemas.HealthOut, tags=["connection"])
    def health() -> schemas.HealthOut:
        """Reachable and working. Needs no token; kits poll it to know when the network is back."""
        return schemas.HealthOut(
            status="ok",
            service=config.title,
            version=__version__,
            time=to_portal(config.clock.now()),
            max_chunk_bytes=config.max_chunk_bytes,
            max_file_bytes=config.max_file_bytes,
        )

    throttle = LoginThrottle(config.clock)

    @app.post(
        "/v1/login",
        response_model=schemas.TokenOut,
        tags=["connection"],
        responses={429: {"model": schemas.ErrorOut, "description": "too many wrong passwords: wait Retry-After"}},
    )
    def login(body: schemas.LoginIn) -> schemas.TokenOut:
        """A username and password give a bearer token with an expiry. After five wrong passwords in a row the
        account's logins wait (429 `too_many_logins`, Retry-After): 1 minute, then 2, 4… up to 15."""
        throttle.check(body.username)
        try:
            issued = store.login(body.username, body.password, config.token_ttl)
        except ApiError as error:
            if error.code == "bad_credentials":
                throttle.failed(body.username)
            raise
        throttle.succeeded(body.username)
        return token_out(*issued)

    @app.post("/v1/token/refresh", response_model=schemas.TokenOut, tags=["connection"])
    def refresh(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> schemas.TokenOut:
        """A token that is still valid gives a fresh one (and ends); an expired one needs the password again."""
        token = token_of(credentials)
        user = store.user_for(token)
        renewed = store.issue_token(user.name, config.token_ttl)
        store.revoke(token)
        return token_out(*renewed)

    @app.get("/v1/files/{sha256}", response_model=schemas.FileStateOut, tags=["files"])
    def file_state(
        sha256: Annotated[str, _sha_path()], user: Annotated[User, Depends(current_user)]
    ) -> schemas.FileStateOut:
        """How many bytes of the file the server holds: an interrupted upload resumes there."""
        return _file_out(store.file_state(sha256))

    @app.post("/v1/files/state", response_model=schemas.FilesStateOut, tags=["files"])
    def files_state(body: schemas.FilesStateIn, user: Annotated[User, Depends(current_user)]) -> schemas.FilesStateOut:
        """What the server holds of several files at once: one round trip per dossier on a slow link."""
        for sha in body.files:
            if not _SHA256.match(sha):
                raise ApiError(422, "invalid_request", "sync.server.bad_sha256")
        return schemas.FilesStateOut(files=[_file_out(store.file_state(sha)) for sha in body.files])

    @app.put(
        "/v1/files/{sha256}",
        response_model=schemas.FileStateOut,
        tags=["files"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    )
    async def put_chunk(
        sha256: Annotated[str, _sha_path()],
        request: Request,
        user: Annotated[User, Depends(current_user)],
        content_range: Annotated[str, Header(description="bytes START-END/TOTAL (END inclusive)")],
    ) -> Any:
        """One chunk of a file. A chunk starting past what the server holds is refused (409, `details.received`);
        bytes it already holds are skipped. When the last byte arrives the sha256 is checked: a mismatch
        (422 `file_hash_mismatch`) drops the file so it can be sent again."""
        found = _CONTENT_RANGE.match(content_range.strip())
        if not found:
            raise ApiError(400, "bad_content_range", "sync.server.bad_content_range")
        start, end, total = (int(g) for g in found.groups())
        if end < start or end >= total or end - start + 1 > config.max_chunk_bytes:
            raise ApiError(400, "bad_content_range", "sync.server.bad_content_range")
        expected = end - start + 1
        parts: list[bytes] = []
        received = 0
        try:
            async for part in request.stream():
                received += len(part)
                if received > expected:
                    raise ApiError(400, "chunk_length", "sync.server.chunk_length")
                parts.append(part)
        except ClientDisconnect:
            await run_in_threadpool(store.record_interrupted, sha256, received)
            return Response(status_code=400)  # nobody is listening any more
        if received != expected:
            raise ApiError(400, "chunk_length", "sync.server.chunk_length")
        state = await run_in_threadpool(store.write_chunk, sha256, start, parts, total, config.max_file_bytes)
        return JSONResponse(_file_json(state))  # the same fields as FileStateOut, without validating our own answer

    @app.put(
        "/v1/dossiers/{uuid}",
        response_model=schemas.ReceiptOut,
        tags=["dossiers"],
        responses={201: {"model": schemas.ReceiptOut, "description": "a new dossier or a new revision"}},
    )
    async def put_dossier(uuid: str, body: schemas.DossierIn, user: Annotated[User, Depends(current_user)]) -> Any:
        """Take a dossier (DongBoHoSo). Every file in TaiLieuNop must be uploaded first (409 `files_missing`
        lists those that are not). The same (uuid, revision) with the same content returns the same MaHoSo;
        with other content it is a 409 `revision_conflict`; a higher revision updates the dossier."""
        # async, with the store's work (a commit flushed to disk) the one hop to a worker thread: a plain
        # endpoint costs a second hop to check our own answer, and each hop waits its turn on a busy machine.
        if uuid != body.uuid:
            raise ApiError(422, "invalid_dossier", "sync.server.uuid_mismatch")
        envelope = body.model_dump(mode="json")
        files = files_of(envelope)
        if len(files) > config.max_files_per_dossier:
            raise ApiError(422, "too_many_files", "sync.server.too_many_files", limit=config.max_files_per_dossier)
        for ref in files:
            if ref.size > config.max_file_bytes:
                raise ApiError(
                    413,
                    "file_too_large",
                    "sync.server.file_too_large",
                    size_mb=round(ref.size / 2**20, 1),
                    limit_mb=round(config.max_file_bytes / 2**20, 1),
                )
        receipt, created = await run_in_threadpool(
            store.submit, user, envelope, content_sha256(envelope), files, config.procedures, config.unit_code
        )
        return JSONResponse(receipt.to_json(), status_code=201 if created else 200)  # the fields of ReceiptOut

    @app.get("/v1/changes", response_model=schemas.ChangesOut, tags=["dossiers"])
    def changes(
        user: Annotated[User, Depends(current_user)],
        since: Annotated[str, Query(max_length=40, description="the cursor of the last page; empty at first")] = "",
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> schemas.ChangesOut:
        """Status changes of this user's dossiers after the cursor (a trainer sees every dossier's)."""
        page = store.changes(user, since, min(limit, config.changes_page))
        return schemas.ChangesOut(
            changes=[schemas.ChangeOut(**c.to_json()) for c in page.changes], cursor=page.cursor, more=page.more
        )

    @app.post("/v1/trainer/status", response_model=schemas.ChangeOut, tags=["trainer"])
    def set_status(body: schemas.StatusIn, user: Annotated[User, Depends(trainer)]) -> schemas.ChangeOut:
        """Move a dossier to another TrangThaiHoSo (5 "more documents" and 3 "not accepted" need a note)."""
        change = store.set_status(body.MaHoSo, PortalStatus(body.TrangThaiHoSo), body.GhiChu)
        return schemas.ChangeOut(**change.to_json())


def _sha_path() -> Any:
    return PathParam(pattern=SHA256_PATTERN, description="the file's sha256, lowercase hex")


def _file_json(state) -> dict[str, Any]:
    return {"sha256": state.sha256, "size": state.size, "received": state.received, "complete": state.complete}


def _file_out(state) -> schemas.FileStateOut:
    return schemas.FileStateOut(**_file_json(state))
