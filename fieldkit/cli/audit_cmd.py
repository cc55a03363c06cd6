"""`fieldkit audit verify|show`: the tamper-evident audit log (supervisors and administrators)."""

from __future__ import annotations

from fieldkit.cli.context import CliContext
from fieldkit.core.dates import to_iso
from fieldkit.core.i18n import Translator
from fieldkit.core.roles import Permission, require
from fieldkit.storage.audit import AuditLog

ORDER = 85  # place in `fieldkit --help`


def register(commands, tr: Translator) -> None:
    audit = commands.add_parser("audit", help=tr("cli.audit.help"), description=tr("cli.audit.help"))
    sub = audit.add_subparsers(dest="action", metavar="ACTION", required=True)

    verify = sub.add_parser("verify", help=tr("cli.audit.verify"), description=tr("cli.audit.verify_description"))
    verify.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    verify.set_defaults(handler=verify_log)

    show = sub.add_parser("show", help=tr("cli.audit.show"), description=tr("cli.audit.show"))
    show.add_argument("--dossier", metavar="ID", help=tr("cli.opt.audit_dossier"))
    show.add_argument("--limit", type=int, default=50, metavar="N", help=tr("cli.opt.limit"))
    show.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    show.set_defaults(handler=show_log)


def _log(ctx: CliContext) -> AuditLog:
    kit = ctx.kit()
    require(ctx.user, Permission.VIEW_AUDIT)
    return AuditLog(kit.db)


def verify_log(ctx: CliContext) -> int:
    """Exit 0 when the log is whole; 1, naming each entry, when it was edited, cut or reordered."""
    log = _log(ctx)
    breaks = log.verify()
    count, head = log.head()
    if ctx.args.json:
        ctx.json_line(
            {
                "intact": not breaks,
                "entries": count,
                "head": head,
                "breaks": [{"entry": b.entry_id, "kind": b.kind} for b in breaks],
            }
        )
    elif breaks:
        ctx.say("cli.audit.broken", count=len(breaks))
        for found in breaks:
            print("  - " + ctx.tr(f"cli.audit.break.{found.kind}", entry=found.entry_id))
    else:
        ctx.say("cli.audit.intact", entries=count, head=head[:16])
    return 1 if breaks else 0


def show_log(ctx: CliContext) -> int:
    log = _log(ctx)
    uuid = ctx.kit().dossiers.get(ctx.args.dossier).uuid if ctx.args.dossier else None
    for number, entry in log.recent(max(ctx.args.limit, 1), uuid):
        if ctx.args.json:
            ctx.json_line(
                {
                    "id": number,
                    "at": to_iso(entry.at),
                    "actor": entry.actor,
                    "action": entry.action,
                    "dossier": entry.dossier_uuid,
                    "from": entry.from_status,
                    "to": entry.to_status,
                    "reason": entry.reason,
                }
            )
        else:
            moved = f" {entry.from_status or ''}→{entry.to_status}" if entry.to_status else ""
            dossier = f" {entry.dossier_uuid[:8]}" if entry.dossier_uuid else ""
            print(f"#{number:<5} {to_iso(entry.at)} {entry.actor:<12} {entry.action}{dossier}{moved} {entry.reason}")
    return 0
