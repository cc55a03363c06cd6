"""`fieldkit report`: the figures of a day, a week, a month or any range, as CSV, XLSX or PDF (A4)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from fieldkit.cli.context import CliContext
from fieldkit.core.dates import local_date, parse_date
from fieldkit.core.errors import UserError
from fieldkit.core.i18n import Translator
from fieldkit.reports.export import FORMATS
from fieldkit.reports.figures import Period, day_period, month_period, week_period
from fieldkit.reports.service import export_figures, team_figures

ORDER = 60  # place in `fieldkit --help`


def register(commands, tr: Translator) -> None:
    report = commands.add_parser("report", help=tr("cli.report.help"), description=tr("cli.report.description"))
    report.add_argument("--from", dest="start", metavar="DATE", help=tr("cli.report.opt.from"))
    report.add_argument("--to", dest="end", metavar="DATE", help=tr("cli.report.opt.to"))
    report.add_argument("--day", metavar="DATE", help=tr("cli.report.opt.day"))
    report.add_argument("--week", metavar="DATE", help=tr("cli.report.opt.week"))
    report.add_argument("--month", metavar="DATE", help=tr("cli.report.opt.month"))
    report.add_argument("--format", choices=FORMATS, help=tr("cli.report.opt.format"))
    report.add_argument("-o", "--out", metavar="FILE", help=tr("cli.report.opt.out"))
    report.add_argument("--named", action="store_true", help=tr("cli.report.opt.named"))
    report.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    report.set_defaults(handler=make_report)


def _date(text: str) -> object:
    try:
        return parse_date(text)
    except ValueError:
        raise UserError("error.report.bad_date", text=text) from None


def period_of(args, today) -> Period:
    if args.day:
        return day_period(_date(args.day))
    if args.week:
        return week_period(_date(args.week))
    if args.month:
        text = args.month.strip()
        return month_period(_date(f"01/{text}" if text.count("/") == 1 else text))
    if args.start or args.end:
        start = _date(args.start) if args.start else _date(args.end)
        return Period(start, _date(args.end) if args.end else today)
    return day_period(today)


def make_report(ctx: CliContext) -> int:
    kit = ctx.kit()
    period = period_of(ctx.args, local_date(kit.clock.now()))
    result = team_figures(kit, ctx.user, period, ctx.tr, named=ctx.args.named)
    if ctx.args.out:
        fmt = ctx.args.format or Path(ctx.args.out).suffix.lstrip(".").lower()
        export_figures(kit, ctx.user, result, ctx.tr, fmt, Path(ctx.args.out))
        if not ctx.args.json:
            ctx.say("cli.report.written", path=ctx.args.out, count=result.dossiers)
    elif ctx.args.format:
        raise UserError("error.report.out_needed")
    if ctx.args.json:
        data = asdict(result)
        data["share_online"] = round(result.share_online, 4)
        ctx.json_line(data)
    elif not ctx.args.out:
        ctx.say(
            "cli.report.summary",
            count=result.dossiers,
            at_portal=result.at_portal,
            share=round(100 * result.share_online, 1),
            waiting=len(result.waiting),
        )
    return 0
