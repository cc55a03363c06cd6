"""`fieldkit bundle`: USB bundles for kits without the office network. A team kit exports its unsent dossiers
(sealed for the supervisor, signed by the kit); the supervisor imports them, and exports a reply for a kit."""

from __future__ import annotations

from pathlib import Path

from fieldkit.cli.context import CliContext
from fieldkit.cli.hub_cmd import supervisor_hub
from fieldkit.core.i18n import Translator
from fieldkit.hub.bundles import bundle_kind, export_dossiers, export_replies, import_dossiers, import_replies
from fieldkit.hub.service import hub_config

ORDER = 52  # place in `fieldkit --help`, after hub


def register(commands, tr: Translator) -> None:
    bundle = commands.add_parser("bundle", help=tr("cli.bundle.help"), description=tr("cli.bundle.description"))
    sub = bundle.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = sub.add_parser("export", help=tr("cli.bundle.export"), description=tr("cli.bundle.export"))
    export.add_argument("-o", "--out", required=True, metavar="FILE", help=tr("cli.bundle.opt.out"))
    export.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    export.set_defaults(handler=export_bundle)
    reading = sub.add_parser("import", help=tr("cli.bundle.import"), description=tr("cli.bundle.import"))
    reading.add_argument("file", metavar="FILE", help=tr("cli.bundle.arg.file"))
    reading.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    reading.set_defaults(handler=import_bundle)
    reply = sub.add_parser("reply", help=tr("cli.bundle.reply"), description=tr("cli.bundle.reply"))
    reply.add_argument("--kit", required=True, metavar="KIT", help=tr("cli.hub.arg.kit"))
    reply.add_argument("-o", "--out", required=True, metavar="FILE", help=tr("cli.bundle.opt.out"))
    reply.set_defaults(handler=reply_bundle)


def export_bundle(ctx: CliContext) -> int:
    done = export_dossiers(ctx.kit(), ctx.actor, Path(ctx.args.out))
    if ctx.args.json:
        ctx.json_line(
            {"bundle_id": done.bundle_id, "dossiers": list(done.dossiers), "files": done.files, "bytes": done.bytes}
        )
    else:
        ctx.say("cli.bundle.exported", count=len(done.dossiers), path=ctx.args.out, mb=round(done.bytes / 2**20, 1))
    return 0


def import_bundle(ctx: CliContext) -> int:
    path = Path(ctx.args.file)
    kit = ctx.kit()
    if bundle_kind(path) == "replies":
        applied = import_replies(kit, ctx.actor, path)
        if ctx.args.json:
            ctx.json_line(
                {
                    "bundle_id": applied.bundle_id,
                    "delivered": [r.uuid for r in applied.delivered],
                    "updated": [r.uuid for r in applied.updated],
                }
            )
        else:
            ctx.say("cli.bundle.replies", delivered=len(applied.delivered), updated=len(applied.updated))
        return 0
    with supervisor_hub(ctx) as hub:
        report = import_dossiers(kit, ctx.user, hub, path, hub_config(kit, ctx.tr.lang))
    if ctx.args.json:
        ctx.json_line(
            {
                "bundle_id": report.bundle_id,
                "kit_id": report.kit_id,
                "dossiers": report.dossiers,
                "new": [uuid for uuid, _ in report.new],
                "already": report.already,
                "refused": [{"uuid": uuid, "code": code} for uuid, code in report.refused],
                "collected": len(report.collected),
                "seen_before": report.seen_before,
            }
        )
    else:
        ctx.say(
            "cli.bundle.imported",
            kit=report.kit_label,
            count=report.dossiers,
            new=len(report.new),
            already=report.already,
            refused=len(report.refused),
        )
        for uuid, code in report.refused:
            ctx.warn(ctx.tr("cli.bundle.refused", uuid=uuid[:8], code=code))
    return 0


def reply_bundle(ctx: CliContext) -> int:
    with supervisor_hub(ctx) as hub:
        _, count = export_replies(ctx.kit(), ctx.user, hub, ctx.args.kit, Path(ctx.args.out))
    ctx.say("cli.bundle.reply_written", count=count, path=ctx.args.out)
    return 0
