"""`fieldkit purge [--dry-run]`: erase finished dossiers' scans and personal data after the retention period."""

from __future__ import annotations

from fieldkit.cli.context import CliContext
from fieldkit.core.dates import format_date, local_date, to_iso
from fieldkit.core.i18n import Translator
from fieldkit.storage.retention import PurgeItem, RetentionService

ORDER = 70  # place in `fieldkit --help`


def register(commands, tr: Translator) -> None:
    purge = commands.add_parser("purge", help=tr("cli.purge.help"), description=tr("cli.purge.description"))
    purge.add_argument("--dry-run", action="store_true", help=tr("cli.purge.dry_run"))
    purge.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    purge.set_defaults(handler=purge_dossiers)


def purge_dossiers(ctx: CliContext) -> int:
    service = RetentionService(ctx.kit(), ctx.user)
    if ctx.args.dry_run:
        items, orphans = service.plan(), 0
    else:
        report = service.purge()
        items, orphans = list(report.purged), report.orphans_removed
    for item in items:
        if ctx.args.json:
            ctx.json_line(_item_json(item, ctx.args.dry_run))
        else:
            print(
                f"{item.uuid}  {item.procedure_code:<10} TrangThaiHoSo={item.portal_status} "
                f"{format_date(local_date(item.closed_at))}  {ctx.tr('cli.purge.files', count=item.files)}"
            )
    if not ctx.args.json:
        key = "cli.purge.would_purge" if ctx.args.dry_run else "cli.purge.purged"
        ctx.say(key, count=len(items), days=service.retention_days())
        if orphans:
            ctx.say("cli.purge.orphans", count=orphans)
    return 0


def _item_json(item: PurgeItem, dry_run: bool) -> dict:
    return {
        "uuid": item.uuid,
        "procedure": item.procedure_code,
        "assisted_by": item.assisted_by,
        "portal_status": item.portal_status,
        "closed_at": to_iso(item.closed_at),
        "due_at": to_iso(item.due_at),
        "files": item.files,
        "purged": not dry_run,
    }
