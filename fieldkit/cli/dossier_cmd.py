"""`fieldkit dossier new|list|show|set|validate|queue|unqueue|discard`."""

from __future__ import annotations

from pathlib import Path

from fieldkit.cli.context import CliContext
from fieldkit.cli.present import dossier_body_lines, dossier_json, dossier_line, portal_status_text, problems_json
from fieldkit.core.dossier import Place, PlaceKind
from fieldkit.core.errors import UserError
from fieldkit.core.i18n import Translator
from fieldkit.core.workflow import LocalStatus
from fieldkit.storage.documents import read_document
from fieldkit.storage.dossier_service import DossierService

ORDER = 30  # place in `fieldkit --help`


def register(commands, tr: Translator) -> None:
    dossier = commands.add_parser("dossier", help=tr("cli.dossier.help"), description=tr("cli.dossier.help"))
    sub = dossier.add_subparsers(dest="action", metavar="ACTION", required=True)

    new = sub.add_parser("new", help=tr("cli.dossier.new"), description=tr("cli.dossier.new"))
    new.add_argument("--procedure", required=True, metavar="CODE", help=tr("cli.arg.procedure_code"))
    new.add_argument("--citizen", required=True, metavar="ID", help=tr("cli.arg.citizen_id"))
    _content_options(new, tr)
    new.add_argument("--place", choices=[k.value for k in PlaceKind], help=tr("cli.opt.place"))
    new.add_argument("--village", metavar="NAME", help=tr("cli.opt.village"))
    new.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    new.set_defaults(handler=new_dossier)

    listing = sub.add_parser("list", help=tr("cli.dossier.list"), description=tr("cli.dossier.list"))
    listing.add_argument("--status", choices=[s.value for s in LocalStatus], help=tr("cli.opt.status"))
    listing.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    listing.set_defaults(handler=list_dossiers)

    for action, handler in (
        ("show", show_dossier),
        ("validate", validate_dossier),
        ("queue", queue_dossier),
        ("unqueue", unqueue_dossier),
    ):
        cmd = sub.add_parser(action, help=tr(f"cli.dossier.{action}"), description=tr(f"cli.dossier.{action}"))
        cmd.add_argument("uuid", metavar="ID", help=tr("cli.arg.dossier_id"))
        cmd.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
        cmd.set_defaults(handler=handler)

    discard = sub.add_parser("discard", help=tr("cli.dossier.discard"), description=tr("cli.dossier.discard"))
    discard.add_argument("uuid", metavar="ID", help=tr("cli.arg.dossier_id"))
    discard.add_argument("--yes", action="store_true", help=tr("cli.opt.yes_discard"))
    discard.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    discard.set_defaults(handler=discard_dossier)

    edit = sub.add_parser("set", help=tr("cli.dossier.set"), description=tr("cli.dossier.set"))
    edit.add_argument("uuid", metavar="ID", help=tr("cli.arg.dossier_id"))
    _content_options(edit, tr)
    edit.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    edit.set_defaults(handler=edit_dossier)


def _content_options(parser, tr: Translator) -> None:
    parser.add_argument("--field", action="append", default=[], metavar="NAME=VALUE", help=tr("cli.opt.field"))
    parser.add_argument("--doc", action="append", default=[], metavar="SLOT=FILE", help=tr("cli.opt.doc"))


def _pairs(items: list[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UserError("error.bad_pair", option=option, item=item)
        pairs.append((name.strip(), value))
    return pairs


def _read_docs(ctx: CliContext) -> list[tuple[str, bytes, str]]:
    """Read and check every --doc file before anything is saved, so a typo does not leave half a dossier."""
    docs = []
    for slot, file in _pairs(ctx.args.doc, "--doc"):
        data, _ = read_document(Path(file))
        docs.append((slot, data, Path(file).name))
    return docs


def _attach(service: DossierService, uuid: str, docs: list[tuple[str, bytes, str]]) -> None:
    for slot, data, name in docs:
        service.attach_bytes(uuid, slot, data, name)


def _print_dossier(ctx: CliContext, service: DossierService, uuid: str) -> None:
    dossier = service.view(uuid)  # shown to a person: recorded in the audit log
    problems = service.problems(dossier)
    labels = service.procedure_of(dossier).where_labels()
    if ctx.args.json:
        ctx.json_line(dossier_json(dossier, ctx.tr, problems, labels))
        return
    print(dossier_line(dossier, ctx.tr))
    print(ctx.tr("cli.dossier.uuid", uuid=dossier.uuid))
    for line in dossier_body_lines(dossier, service.procedure_of(dossier), ctx.tr):
        print(line)
    if dossier.portal_status:
        print(f"  {portal_status_text(ctx.tr, dossier.portal_status, dossier.portal_note)}")
    if dossier.attention_reason and dossier.attention_reason != dossier.portal_note:  # not the same words twice
        print(ctx.tr("cli.dossier.attention", reason=dossier.attention_reason))
    for problem in problems:
        print(f"  ! {ctx.tr.problem(problem, labels)}")


def new_dossier(ctx: CliContext) -> int:
    kit = ctx.kit()
    service = DossierService(kit, ctx.user)
    values = dict(_pairs(ctx.args.field, "--field"))
    docs = _read_docs(ctx)
    procedure = kit.catalog.get(ctx.args.procedure)
    for slot, _, _ in docs:
        if procedure.slot(slot) is None:
            raise UserError("error.slot_unknown", slot=slot, known=", ".join(s.code for s in procedure.slots))
    place = Place(
        PlaceKind(ctx.args.place or kit.settings.get("place_kind")),
        ctx.args.village if ctx.args.village is not None else kit.settings.get("village"),
    )
    dossier = service.create(procedure.code, ctx.args.citizen, values, place)
    _attach(service, dossier.uuid, docs)
    if not ctx.args.json:
        ctx.say("cli.dossier.created", uuid=dossier.uuid)
    _print_dossier(ctx, service, dossier.uuid)
    return 0


def edit_dossier(ctx: CliContext) -> int:
    service = DossierService(ctx.kit(), ctx.user)
    uuid = service.get(ctx.args.uuid).uuid
    values = dict(_pairs(ctx.args.field, "--field"))
    docs = _read_docs(ctx)
    if values:
        service.set_values(uuid, values)
    _attach(service, uuid, docs)
    _print_dossier(ctx, service, uuid)
    return 0


def list_dossiers(ctx: CliContext) -> int:
    status = LocalStatus(ctx.args.status) if ctx.args.status else None
    dossiers = ctx.kit().dossiers.list(status=status)
    for dossier in dossiers:
        if ctx.args.json:
            ctx.json_line(dossier_json(dossier, ctx.tr))
        else:
            print(dossier_line(dossier, ctx.tr))
    if not dossiers and not ctx.args.json:
        ctx.say("cli.dossier.none")
    return 0


def show_dossier(ctx: CliContext) -> int:
    service = DossierService(ctx.kit(), ctx.user)
    _print_dossier(ctx, service, ctx.args.uuid)
    return 0


def validate_dossier(ctx: CliContext) -> int:
    """Exit 0 when the dossier could be queued, 2 with the list of what is missing otherwise."""
    service = DossierService(ctx.kit(), ctx.user)
    dossier = service.get(ctx.args.uuid)
    problems = service.problems(dossier)
    labels = service.procedure_of(dossier).where_labels()
    if ctx.args.json:
        ctx.json_line(
            {"uuid": dossier.uuid, "ready": not problems, "problems": problems_json(problems, ctx.tr, labels)}
        )
    elif problems:
        ctx.say("cli.dossier.not_ready", count=len(problems))
        for problem in problems:
            print(f"  - {ctx.tr.problem(problem, labels)}")
    else:
        ctx.say("cli.dossier.ready")
    return 2 if problems else 0


def queue_dossier(ctx: CliContext) -> int:
    dossier = DossierService(ctx.kit(), ctx.user).queue(ctx.args.uuid)
    if ctx.args.json:
        ctx.json_line(dossier_json(dossier, ctx.tr))
    else:
        ctx.say("cli.dossier.queued", uuid=dossier.uuid)
    return 0


def unqueue_dossier(ctx: CliContext) -> int:
    dossier = DossierService(ctx.kit(), ctx.user).unqueue(ctx.args.uuid)
    if ctx.args.json:
        ctx.json_line(dossier_json(dossier, ctx.tr))
    else:
        ctx.say("cli.dossier.unqueued", uuid=dossier.uuid)
    return 0


def discard_dossier(ctx: CliContext) -> int:
    """Throw a draft away: a person at the terminal answers yes to the dossier shown; a script says --yes."""
    service = DossierService(ctx.kit(), ctx.user)
    dossier = service.get(ctx.args.uuid)
    if not ctx.args.yes:
        ctx.confirm("cli.dossier.discard_ask", "error.dossier.discard_unconfirmed", shown=dossier_line(dossier, ctx.tr))
    service.discard(dossier.uuid)
    if ctx.args.json:
        ctx.json_line({"uuid": dossier.uuid, "discarded": True})
    else:
        ctx.say("cli.dossier.discarded", uuid=dossier.uuid)
    return 0
