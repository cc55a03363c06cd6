"""`fieldkit citizen add|find|show`: citizens declared once and found again."""

from __future__ import annotations

from pathlib import Path

from fieldkit.cli.context import CliContext
from fieldkit.cli.present import citizen_json, citizen_text, problems_json
from fieldkit.core.cccd_qr import looks_like_cccd, parse_cccd_qr
from fieldkit.core.citizen import CITIZEN_FIELDS, citizen_from_text
from fieldkit.core.dates import local_date
from fieldkit.core.errors import UserError, ValidationError
from fieldkit.core.i18n import Translator
from fieldkit.qr import QrReader
from fieldkit.qr.image import load_image
from fieldkit.storage.citizen_service import CitizenService

ORDER = 20  # place in `fieldkit --help`


def register(commands, tr: Translator) -> None:
    citizen = commands.add_parser("citizen", help=tr("cli.citizen.help"), description=tr("cli.citizen.help"))
    sub = citizen.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = sub.add_parser("add", help=tr("cli.citizen.add"), description=tr("cli.citizen.add"))
    add.add_argument("--qr-payload", metavar="TEXT", help=tr("cli.opt.qr_payload"))
    add.add_argument("--from-image", metavar="IMAGE", type=Path, help=tr("cli.opt.from_image"))
    for name in CITIZEN_FIELDS:
        add.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="TEXT", help=tr(f"field.{name}"))
    add.add_argument("--accept-mismatch", action="store_true", help=tr("cli.opt.accept_mismatch"))
    add.add_argument("--update", action="store_true", help=tr("cli.opt.update"))
    add.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    add.set_defaults(handler=add_citizen)

    find = sub.add_parser("find", help=tr("cli.citizen.find"), description=tr("cli.citizen.find"))
    find.add_argument("text", metavar="TEXT", help=tr("cli.arg.search_text"))
    find.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    find.set_defaults(handler=find_citizens)

    show = sub.add_parser("show", help=tr("cli.citizen.show"), description=tr("cli.citizen.show"))
    show.add_argument("id_number", metavar="ID", help=tr("field.id_number"))
    show.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    show.set_defaults(handler=show_citizen)


def add_citizen(ctx: CliContext) -> int:
    args = ctx.args
    kit = ctx.kit()
    warnings = []
    payload = args.qr_payload or (card_payload_in(args.from_image) if args.from_image else None)
    if payload:
        card = parse_cccd_qr(payload, local_date(kit.clock.now()))
        warnings = card.unparsed
        typed = {name: getattr(args, name) for name in CITIZEN_FIELDS if getattr(args, name)}
        citizen, problems = citizen_from_text({**_as_text(card.citizen.to_dict()), **typed})
    else:
        citizen, problems = citizen_from_text({name: getattr(args, name) or "" for name in CITIZEN_FIELDS})
    if problems:
        raise ValidationError(problems)
    for warning in warnings:
        ctx.warn(ctx.tr.problem(warning))
    result = CitizenService(kit, ctx.actor).save(citizen, accept_mismatch=args.accept_mismatch, update=args.update)
    if args.json:
        ctx.json_line(
            {
                "citizen": citizen_json(result.citizen),
                "created": result.created,
                "changed": list(result.changed),
                "warnings": problems_json(warnings, ctx.tr),
            }
        )
    elif result.created:
        ctx.say("cli.citizen.added", id_number=result.citizen.id_number)
    elif result.changed:
        ctx.say("cli.citizen.updated", id_number=result.citizen.id_number)
    else:
        ctx.say("cli.citizen.known", id_number=result.citizen.id_number)
    return 0


def card_payload_in(path: Path) -> str:
    """The text of the ID card's QR code in a photograph of the card."""
    for code in QrReader.create().read(load_image(path), exhaustive=True):
        if looks_like_cccd(code.text):
            return code.text
    raise UserError("error.qr.no_card_in_image", path=str(path))


def _as_text(values: dict) -> dict[str, str]:
    return {name: str(value) for name, value in values.items() if value not in (None, "")}


def find_citizens(ctx: CliContext) -> int:
    found = ctx.kit().citizens.search(ctx.args.text)
    for citizen in found:
        if ctx.args.json:
            ctx.json_line(citizen_json(citizen))
        else:
            print(f"{citizen.id_number}  {citizen.full_name}")
    if not found and not ctx.args.json:
        ctx.say("cli.citizen.none_found")
    return 0


def show_citizen(ctx: CliContext) -> int:
    citizen = ctx.kit().citizens.get(ctx.args.id_number)
    if ctx.args.json:
        ctx.json_line(citizen_json(citizen))
    else:
        print("\n".join(citizen_text(citizen, ctx.tr)))
    return 0
