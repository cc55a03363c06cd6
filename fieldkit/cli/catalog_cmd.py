"""`fieldkit catalog list|show|check`: the procedures this kit knows."""

from __future__ import annotations

from pathlib import Path

from fieldkit.cli.context import CliContext
from fieldkit.cli.present import problems_json, procedure_json, procedure_text
from fieldkit.core.catalog import load_catalog
from fieldkit.core.i18n import Translator

ORDER = 10  # place in `fieldkit --help`


def register(commands, tr: Translator) -> None:
    catalog = commands.add_parser("catalog", help=tr("cli.catalog.help"), description=tr("cli.catalog.help"))
    sub = catalog.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help=tr("cli.catalog.list"), description=tr("cli.catalog.list"))
    listing.add_argument("--search", metavar="TEXT", help=tr("cli.opt.search"))
    listing.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    listing.set_defaults(handler=list_procedures)

    show = sub.add_parser("show", help=tr("cli.catalog.show"), description=tr("cli.catalog.show"))
    show.add_argument("code", metavar="CODE", help=tr("cli.arg.procedure_code"))
    show.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    show.set_defaults(handler=show_procedure)

    check = sub.add_parser("check", help=tr("cli.catalog.check"), description=tr("cli.catalog.check"))
    check.add_argument("files", metavar="FILE", nargs="+", type=Path, help=tr("cli.arg.catalog_file"))
    check.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    check.set_defaults(handler=check_files)


def _report_catalog_problems(ctx: CliContext) -> None:
    for problem in ctx.catalog().problems:
        ctx.warn(ctx.tr("cli.catalog.skipped", problem=ctx.tr.problem(problem)))


def list_procedures(ctx: CliContext) -> int:
    catalog = ctx.catalog()
    _report_catalog_problems(ctx)
    procedures = catalog.search(ctx.args.search) if ctx.args.search else list(catalog)
    for procedure in procedures:
        if ctx.args.json:
            ctx.json_line(procedure_json(procedure, ctx.tr))
        else:
            print(f"{procedure.code:<10} {procedure.name.in_language(ctx.tr.lang)}")
    return 0


def show_procedure(ctx: CliContext) -> int:
    procedure = ctx.catalog().get(ctx.args.code)
    if ctx.args.json:
        ctx.json_line(procedure_json(procedure, ctx.tr, full=True))
    else:
        print("\n".join(procedure_text(procedure, ctx.tr)))
    return 0


def check_files(ctx: CliContext) -> int:
    """Validate a province's catalog file before it is dropped into the data directory."""
    catalog = load_catalog(ctx.args.files)
    if ctx.args.json:
        ctx.json_line({"procedures": len(catalog), "problems": problems_json(catalog.problems, ctx.tr)})
    else:
        for problem in catalog.problems:
            print(ctx.tr.problem(problem))
        ctx.say("cli.catalog.checked", count=len(catalog), problems=len(catalog.problems))
    return 2 if catalog.problems else 0
