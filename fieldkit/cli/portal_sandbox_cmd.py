"""`fieldkit portal-sandbox`: the training portal. With no action (or `serve`) it serves the sync API;
`add-user`, `list`, `set-status` and `openapi` work on its store directly, for the trainer."""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from fieldkit.cli.context import CliContext
from fieldkit.cli.login_cmd import read_password
from fieldkit.core.catalog import base_code, catalog_files, load_catalog
from fieldkit.core.errors import UserError
from fieldkit.core.i18n import Translator
from fieldkit.core.portal_format import UNIT_CODE_PATTERN
from fieldkit.core.resources import resource_path
from fieldkit.core.workflow import PortalStatus
from fieldkit.server.app import create_app
from fieldkit.server.config import ServerConfig, parse_faults
from fieldkit.server.run import serve
from fieldkit.server.store import ServerStore
from fieldkit.storage.datadir import resolve_data_dir

ORDER = 80  # place in `fieldkit --help`

# Names a trainer types for TrangThaiHoSo (numbers 1-10 work too).
STATUS_NAMES = {
    "new": PortalStatus.NEW,
    "accepted": PortalStatus.ACCEPTED,
    "rejected": PortalStatus.NOT_ACCEPTED,
    "in-progress": PortalStatus.IN_PROGRESS,
    "more-documents": PortalStatus.MORE_DOCUMENTS,
    "payment": PortalStatus.PAYMENT_REQUESTED,
    "withdrawn": PortalStatus.WITHDRAWN,
    "stopped": PortalStatus.STOPPED,
    "processed": PortalStatus.PROCESSED,
    "result-returned": PortalStatus.RESULT_RETURNED,
}


def register(commands, tr: Translator) -> None:
    sandbox = commands.add_parser(
        "portal-sandbox", help=tr("cli.sandbox.help"), description=tr("cli.sandbox.description")
    )
    _serve_options(sandbox, tr, None)
    sandbox.set_defaults(handler=serve_sandbox)
    sub = sandbox.add_subparsers(dest="action", metavar="ACTION")

    serving = sub.add_parser("serve", help=tr("cli.sandbox.serve"), description=tr("cli.sandbox.serve"))
    _serve_options(serving, tr, argparse.SUPPRESS)
    serving.set_defaults(handler=serve_sandbox)

    add_user = sub.add_parser("add-user", help=tr("cli.sandbox.add_user"), description=tr("cli.sandbox.add_user"))
    add_user.add_argument("name", metavar="NAME", help=tr("cli.sandbox.arg.user"))
    add_user.add_argument("--password-stdin", action="store_true", help=tr("cli.login.opt.password_stdin"))
    add_user.add_argument("--trainer", action="store_true", help=tr("cli.sandbox.opt.trainer"))
    add_user.set_defaults(handler=add_sandbox_user)

    listing = sub.add_parser("list", help=tr("cli.sandbox.list"), description=tr("cli.sandbox.list"))
    listing.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    listing.add_argument("--verify", action="store_true", help=tr("cli.sandbox.opt.verify"))
    listing.set_defaults(handler=list_sandbox)

    status = sub.add_parser("set-status", help=tr("cli.sandbox.set_status"), description=tr("cli.sandbox.set_status"))
    status.add_argument("dossier", metavar="MAHOSO", help=tr("cli.sandbox.arg.dossier"))
    status.add_argument("status", metavar="STATUS", help=tr("cli.sandbox.arg.status", names=", ".join(STATUS_NAMES)))
    status.add_argument("--note", default="", metavar="TEXT", help=tr("cli.sandbox.opt.note"))
    status.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    status.set_defaults(handler=set_sandbox_status)

    openapi = sub.add_parser("openapi", help=tr("cli.sandbox.openapi"), description=tr("cli.sandbox.openapi"))
    openapi.add_argument("--out", metavar="FILE", help=tr("cli.sandbox.opt.out"))
    openapi.set_defaults(handler=write_openapi)


def _serve_options(parser, tr: Translator, default) -> None:
    """On `portal-sandbox` itself (real defaults) and on `serve` (SUPPRESS: the parent's values stand)."""

    def value(real):
        return real if default is None else default

    parser.add_argument("--host", default=value("127.0.0.1"), metavar="HOST", help=tr("cli.sandbox.opt.host"))
    parser.add_argument("--port", type=int, default=value(8765), metavar="PORT", help=tr("cli.sandbox.opt.port"))
    parser.add_argument(
        "--unit-code", default=value(ServerConfig.unit_code), metavar="CODE", help=tr("cli.sandbox.opt.unit_code")
    )
    parser.add_argument(
        "--token-minutes", type=float, default=value(480.0), metavar="MINUTES", help=tr("cli.sandbox.opt.token_minutes")
    )
    parser.add_argument(
        "--max-file-mb", type=float, default=value(60.0), metavar="MB", help=tr("cli.sandbox.opt.max_file_mb")
    )
    parser.add_argument(
        "--any-procedure", action="store_true", default=value(False), help=tr("cli.sandbox.opt.any_procedure")
    )
    parser.add_argument("--faults", default=value(""), metavar="SPEC", help=tr("cli.sandbox.opt.faults"))


def sandbox_dir(ctx: CliContext) -> Path:
    """`--data-dir` itself when given; else a `portal-sandbox` folder inside the kit's data folder."""
    if ctx.args.data_dir:
        return Path(ctx.args.data_dir).expanduser()
    return resolve_data_dir(None) / "portal-sandbox"


def _open_store(ctx: CliContext) -> ServerStore:
    return ServerStore(sandbox_dir(ctx))


def _config(ctx: CliContext, folder: Path) -> ServerConfig:
    args = ctx.args
    if not re.match(UNIT_CODE_PATTERN, args.unit_code):
        raise UserError("error.sync.sandbox.unit_code", code=args.unit_code)
    try:
        faults = parse_faults(args.faults)
    except ValueError as exc:
        raise UserError("error.sync.sandbox.faults", detail=str(exc)) from None
    if args.token_minutes <= 0 or args.max_file_mb <= 0:
        raise UserError("error.sync.sandbox.positive")
    procedures = None
    if not args.any_procedure:
        catalog = load_catalog(catalog_files(resource_path("catalog"), folder / "catalog"))
        procedures = frozenset(filter(None, (base_code(p.code) for p in catalog)))
    return ServerConfig(
        unit_code=args.unit_code,
        token_ttl=timedelta(minutes=args.token_minutes),
        max_file_bytes=int(args.max_file_mb * 1024 * 1024),
        procedures=procedures,
        faults=faults,
        lang=ctx.tr.lang,
    )


def serve_sandbox(ctx: CliContext) -> int:
    folder = sandbox_dir(ctx)
    store = ServerStore(folder)
    config = _config(ctx, folder)
    try:
        print(ctx.tr("cli.sandbox.serving", url=f"http://{ctx.args.host}:{ctx.args.port}", folder=folder), flush=True)
        if config.faults.active:
            ctx.warn(ctx.tr("cli.sandbox.faults_on", spec=ctx.args.faults))
        if not store.has_users():
            ctx.warn(ctx.tr("cli.sandbox.no_users"))
        serve(store, config, ctx.args.host, ctx.args.port)
    finally:
        store.close()
    return 0


def add_sandbox_user(ctx: CliContext) -> int:
    password = read_password(ctx, ctx.args.password_stdin, ctx.args.name)
    store = _open_store(ctx)
    try:
        created = store.add_user(ctx.args.name, password, "trainer" if ctx.args.trainer else "worker")
    finally:
        store.close()
    ctx.say("cli.sandbox.user_added" if created else "cli.sandbox.user_updated", name=ctx.args.name)
    return 0


def list_sandbox(ctx: CliContext) -> int:
    store = _open_store(ctx)
    try:
        dossiers = store.dossiers(verify=ctx.args.verify)
    finally:
        store.close()
    for item in dossiers:
        if ctx.args.json:
            ctx.json_line(item)
            continue
        label = ctx.tr.msg(PortalStatus(item["TrangThaiHoSo"]).label)
        print(f"{item['MaHoSo']}  {item['uuid']}  rev{item['revision']}  {item['MaTTHC']}  {label}")
        for entry in item["files"]:
            mark = {True: "ok", False: "!!"}.get(entry.get("verified", entry["present"]))
            print(f"    {mark} {entry['MaThanhPhanHoSo']:<12} {entry['sha256'][:16]}…  {entry['size']} B")
    if not dossiers and not ctx.args.json:
        ctx.say("cli.sandbox.empty")
    return 0


def parse_status(text: str) -> PortalStatus:
    key = text.strip().lower().replace("_", "-")
    if key in STATUS_NAMES:
        return STATUS_NAMES[key]
    if key.isdigit() and 1 <= int(key) <= 10:
        return PortalStatus(int(key))
    raise UserError("error.sync.sandbox.status", status=text, names=", ".join(STATUS_NAMES))


def set_sandbox_status(ctx: CliContext) -> int:
    status = parse_status(ctx.args.status)
    store = _open_store(ctx)
    try:
        change = store.set_status(ctx.args.dossier, status, ctx.args.note)
    finally:
        store.close()
    if ctx.args.json:
        ctx.json_line(change.to_json())
    else:
        ctx.say("cli.sandbox.status_set", code=change.ma_ho_so, status=ctx.tr.msg(status.label))
    return 0


def write_openapi(ctx: CliContext) -> int:
    """The API description, exactly as the server serves it at /openapi.json (kept in resources/openapi/)."""
    with tempfile.TemporaryDirectory() as folder:
        store = ServerStore(Path(folder))
        try:
            document = create_app(store, ServerConfig()).openapi()
        finally:
            store.close()
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if ctx.args.out:
        Path(ctx.args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
