"""`fieldkit sync`: send the queued dossiers and bring back MaHoSo and statuses, once or whenever the
connection returns (--watch)."""

from __future__ import annotations

import sys
import threading
from typing import Any

from fieldkit.cli.context import CliContext
from fieldkit.cli.login_cmd import read_password
from fieldkit.cli.present import portal_status_text
from fieldkit.core.errors import UserError
from fieldkit.core.i18n import Translator
from fieldkit.core.workflow import LocalStatus
from fieldkit.hub.enrol import use_hub_login
from fieldkit.sync.credentials import open_credentials
from fieldkit.sync.errors import NetworkError
from fieldkit.sync.outbox import DEFAULT_MAX_CHUNK, Outbox, SyncProgress, SyncReport
from fieldkit.sync.service import chunk_sizes, portal_client, portal_url, run_locked
from fieldkit.sync.session import PortalSession
from fieldkit.sync.watch import Watcher, reachable

ORDER = 45  # place in `fieldkit --help`


def register(commands, tr: Translator) -> None:
    sync = commands.add_parser("sync", help=tr("cli.sync.help"), description=tr("cli.sync.description"))
    sync.add_argument("--portal", metavar="URL", help=tr("cli.sync.opt.portal"))
    mode = sync.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help=tr("cli.sync.opt.once"))
    mode.add_argument("--watch", action="store_true", help=tr("cli.sync.opt.watch"))
    sync.add_argument("--interval", type=float, metavar="SECONDS", help=tr("cli.sync.opt.interval"))
    sync.add_argument("--user", metavar="NAME", help=tr("cli.sync.opt.user"))
    sync.add_argument("--password-stdin", action="store_true", help=tr("cli.login.opt.password_stdin"))
    sync.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    sync.set_defaults(handler=run_sync)


def run_sync(ctx: CliContext) -> int:
    kit = ctx.kit()
    url = portal_url(kit, ctx.args.portal)
    client = portal_client(kit, url)
    credentials = open_credentials()
    interactive = sys.stdin.isatty() and not ctx.args.password_stdin
    session = PortalSession(
        client,
        credentials,
        kit.clock,
        ask_password=(lambda user: read_password(ctx, False, user)) if interactive else None,
    )
    if ctx.args.user or ctx.args.password_stdin:
        stored = credentials.load(url)
        user = ctx.args.user or (stored.username if stored else None)
        if not user:
            raise UserError("error.sync.user_needed")
        session.login(user, read_password(ctx, ctx.args.password_stdin, user))
    # The supervisor's hub this kit enrolled with logs in with the password the kit keeps, whenever needed.
    elif not use_hub_login(kit, session, url) and not credentials.persistent:
        raise UserError("error.sync.headless_login")
    if ctx.args.watch:
        return _watch(ctx, kit, client, _outbox(ctx, kit, session, DEFAULT_MAX_CHUNK))
    try:
        health = client.health()
    except NetworkError as error:
        _print_unreachable(ctx, kit, error)
        return 1
    minutes = health.clock_off_minutes(kit.clock.now())
    if minutes is not None:
        ctx.warn(ctx.tr("cli.sync.clock_skew", minutes=minutes))
    report = run_locked(kit, _outbox(ctx, kit, session, health.max_chunk_bytes))
    _print_report(ctx, report)
    return _exit_code(report)


def _outbox(ctx: CliContext, kit, session: PortalSession, server_limit: int) -> Outbox:
    first, largest = chunk_sizes(kit, server_limit)
    return Outbox(
        kit,
        session,
        actor=ctx.actor,
        tr=ctx.tr,
        chunk_size=first,
        max_chunk=largest,
        progress=_progress_printer(ctx) if sys.stderr.isatty() and not ctx.args.json else None,
    )


def _watch(ctx: CliContext, kit, client, outbox: Outbox) -> int:
    stop = threading.Event()
    outbox.cancel = stop
    interval = ctx.args.interval or kit.settings.get("sync_watch_seconds")
    watcher = Watcher(
        lambda: reachable(client),
        lambda: run_locked(kit, outbox),
        lambda: bool(kit.dossiers.list(status=LocalStatus.QUEUED)),
        interval=interval,
        stop=stop,
        on_report=lambda report: _print_report(ctx, report),
        on_online=lambda online: _say_event(ctx, "online" if online else "offline"),
    )
    if not ctx.args.json:
        ctx.say("cli.sync.watching", portal=client.base_url, seconds=interval)
    try:
        watcher.run()
    except KeyboardInterrupt:
        stop.set()
    return 0


def _say_event(ctx: CliContext, event: str) -> None:
    if ctx.args.json:
        ctx.json_line({"event": event})
    else:
        ctx.say(f"cli.sync.{event}")


def _print_unreachable(ctx: CliContext, kit, error: NetworkError) -> None:
    """Offline, or behind a Wi-Fi login page: say which, and that nothing is lost."""
    queued = len(kit.dossiers.list(status=LocalStatus.QUEUED))
    if ctx.args.json:
        ctx.json_line(
            {
                "event": "summary",
                "reachable": False,
                "remaining": queued,
                "sent": 0,
                "set_aside": 0,
                "stopped": ctx.tr.describe(error),
                "stopped_code": error.message.key,
            }
        )
    ctx.warn(ctx.tr.describe(error))
    ctx.warn(ctx.tr("cli.sync.unreachable", count=queued))


def _print_report(ctx: CliContext, report: SyncReport) -> None:
    tr = ctx.tr
    for sent in report.sent:
        if ctx.args.json:
            ctx.json_line(
                {
                    "event": "sent",
                    "uuid": sent.uuid,
                    "revision": sent.revision,
                    "portal_code": sent.portal_code,
                    "portal_status": int(sent.portal_status),
                    "portal_status_label": tr.msg(sent.portal_status.label),
                }
            )
        else:
            ctx.say("cli.sync.sent", uuid=sent.uuid[:8], code=sent.portal_code, status=tr.msg(sent.portal_status.label))
    for aside in report.set_aside:
        if ctx.args.json:
            ctx.json_line({"event": "needs_attention", "uuid": aside.uuid, "code": aside.code, "reason": aside.reason})
        else:
            ctx.say("cli.sync.set_aside", uuid=aside.uuid[:8], reason=aside.reason)
    for change in report.statuses:
        label = tr.msg(change.portal_status.label)
        if ctx.args.json:
            ctx.json_line(
                {
                    "event": "status",
                    "uuid": change.uuid,
                    "portal_code": change.portal_code,
                    "portal_status": int(change.portal_status),
                    "portal_status_label": label,
                    "note": change.note,
                }
            )
        else:
            status = portal_status_text(tr, change.portal_status, change.note)
            ctx.say("cli.sync.status", uuid=change.uuid[:8], code=change.portal_code, status=status)
    summary: dict[str, Any] = {
        "event": "summary",
        "reachable": True,
        "sent": len(report.sent),
        "set_aside": len(report.set_aside),
        "statuses": len(report.statuses),
        "recovered": report.recovered,
        "remaining": report.remaining,
        "bytes_sent": report.bytes_sent,
        "bytes_needed": report.bytes_needed,
        "cancelled": report.cancelled,
        "stopped": tr.describe(report.stopped) if report.stopped else None,
        "stopped_code": report.stopped.message.key if report.stopped else None,
    }
    if ctx.args.json:
        ctx.json_line(summary)
    else:
        ctx.say(
            "cli.sync.summary",
            sent=len(report.sent),
            set_aside=len(report.set_aside),
            statuses=len(report.statuses),
            remaining=report.remaining,
        )
    if report.stopped is not None:
        ctx.warn(tr.describe(report.stopped))


def _exit_code(report: SyncReport) -> int:
    if report.stopped is None:
        return 130 if report.cancelled else 0
    return 2 if report.stopped.user_error else 1


def _progress_printer(ctx: CliContext):
    def show(progress: SyncProgress) -> None:
        text = ctx.tr(
            "cli.sync.progress",
            done=progress.dossiers_done,
            total=progress.dossiers_total,
            mb_done=round(progress.bytes_done / 2**20, 1),
            mb_total=round(progress.bytes_total / 2**20, 1),
        )
        print(f"\r{text}", end="", file=sys.stderr, flush=True)
        if progress.dossiers_done == progress.dossiers_total:
            print(file=sys.stderr)

    return show
