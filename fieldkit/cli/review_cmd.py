"""`fieldkit review`: the supervisor's review queue (list, show, approve, return with a note, edit)."""

from __future__ import annotations

from fieldkit.cli.context import CliContext
from fieldkit.cli.hub_cmd import supervisor_hub
from fieldkit.cli.present import dossier_body_lines, dossier_json
from fieldkit.core.catalog import Procedure
from fieldkit.core.dates import to_iso
from fieldkit.core.errors import NotFound, UserError
from fieldkit.core.i18n import Translator
from fieldkit.hub.review import ReviewItem, ReviewService
from fieldkit.storage.reviews import APPROVED, PENDING, RETURNED, SUPERSEDED

ORDER = 55  # place in `fieldkit --help`, after hub


def register(commands, tr: Translator) -> None:
    review = commands.add_parser("review", help=tr("cli.review.help"), description=tr("cli.review.description"))
    sub = review.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help=tr("cli.review.list"), description=tr("cli.review.list"))
    listing.add_argument("--all", action="store_true", help=tr("cli.review.opt.all"))
    listing.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    listing.set_defaults(handler=list_queue)
    show = sub.add_parser("show", help=tr("cli.review.show"), description=tr("cli.review.show"))
    show.add_argument("dossier", metavar="ID", help=tr("cli.arg.dossier_id"))
    show.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    show.set_defaults(handler=show_item)
    approve = sub.add_parser("approve", help=tr("cli.review.approve"), description=tr("cli.review.approve"))
    approve.add_argument("dossiers", nargs="+", metavar="ID", help=tr("cli.arg.dossier_id"))
    approve.set_defaults(handler=approve_items)
    back = sub.add_parser("return", help=tr("cli.review.return"), description=tr("cli.review.return"))
    back.add_argument("dossier", metavar="ID", help=tr("cli.arg.dossier_id"))
    back.add_argument("--note", required=True, metavar="TEXT", help=tr("cli.review.opt.note"))
    back.set_defaults(handler=return_item)
    edit = sub.add_parser("edit", help=tr("cli.review.edit"), description=tr("cli.review.edit"))
    edit.add_argument("dossier", metavar="ID", help=tr("cli.arg.dossier_id"))
    edit.add_argument("--field", action="append", default=[], metavar="NAME=VALUE", help=tr("cli.review.opt.field"))
    edit.set_defaults(handler=edit_item)


def _service(ctx: CliContext, hub) -> ReviewService:
    service = ReviewService(ctx.kit(), ctx.user, hub)
    service.refresh()
    return service


def _item_json(item: ReviewItem, ctx: CliContext) -> dict:
    return {
        **dossier_json(item.dossier, ctx.tr),
        "review": {
            "revision": item.review.revision,
            "state": item.review.state,
            "channel": item.review.channel,
            "kit_id": item.review.kit_id,
            "kit": item.kit_label,
            "received_at": to_iso(item.review.received_at),
            "note": item.review.note,
            "hub_code": item.review.hub_code,
            "problems": [ctx.tr.problem(p) for p in item.problems],
        },
    }


def list_queue(ctx: CliContext) -> int:
    with supervisor_hub(ctx) as hub:
        states = (PENDING, APPROVED, RETURNED, SUPERSEDED) if ctx.args.all else (PENDING,)
        items = _service(ctx, hub).queue(states)
        for item in items:
            if ctx.args.json:
                ctx.json_line(_item_json(item, ctx))
            else:
                print(
                    f"{item.uuid[:8]}  rev{item.review.revision}  {item.dossier.procedure_code:<9} "
                    f"{item.team_member:<16} {item.kit_label:<20} {ctx.tr(f'cli.review.state.{item.review.state}')}"
                )
        if not ctx.args.json:
            ctx.say("cli.review.count", count=len(items))
    return 0


def show_item(ctx: CliContext) -> int:
    with supervisor_hub(ctx) as hub:
        item = _service(ctx, hub).item(ctx.args.dossier)
        if ctx.args.json:
            ctx.json_line(_item_json(item, ctx))
            return 0
        data = _item_json(item, ctx)
        print(f"{item.uuid}  rev{item.review.revision}  {item.dossier.procedure_code}  {item.team_member}")
        if item.applicant is not None:
            print(f"  {item.applicant.full_name}  {item.applicant.id_number}")
        for line in dossier_body_lines(item.dossier, _procedure(ctx, item.dossier.procedure_code), ctx.tr):
            print(line)
        for problem in data["review"]["problems"]:
            print(f"  ! {problem}")
    return 0


def _procedure(ctx: CliContext, code: str) -> Procedure | None:
    try:
        return ctx.kit().catalog.get(code)
    except NotFound:  # a procedure this kit's catalog lacks: the fields are shown by their names
        return None


def approve_items(ctx: CliContext) -> int:
    with supervisor_hub(ctx) as hub:
        service = _service(ctx, hub)
        for uuid in ctx.args.dossiers:
            dossier = service.approve(uuid)
            ctx.say("cli.review.approved", uuid=dossier.uuid[:8])
    return 0


def return_item(ctx: CliContext) -> int:
    with supervisor_hub(ctx) as hub:
        dossier = _service(ctx, hub).return_to_member(ctx.args.dossier, ctx.args.note)
        ctx.say("cli.review.returned", uuid=dossier.uuid[:8], member=dossier.assisted_by)
    return 0


def edit_item(ctx: CliContext) -> int:
    values = {}
    for item in ctx.args.field:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UserError("error.bad_pair", option="--field", item=item)
        values[name.strip()] = value
    with supervisor_hub(ctx) as hub:
        dossier = _service(ctx, hub).edit(ctx.args.dossier, values)
        ctx.say("cli.review.edited", uuid=dossier.uuid[:8])
    return 0
