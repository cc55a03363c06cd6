"""`fieldkit settings show|set`: the kit's settings, each declared once in `core.settings`."""

from __future__ import annotations

from fieldkit.cli.context import CliContext
from fieldkit.core.i18n import Translator
from fieldkit.storage.datadir import resolve_data_dir

ORDER = 90  # place in `fieldkit --help`


def register(commands, tr: Translator) -> None:
    settings = commands.add_parser("settings", help=tr("cli.settings.help"), description=tr("cli.settings.help"))
    sub = settings.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = sub.add_parser("show", help=tr("cli.settings.show"), description=tr("cli.settings.show"))
    show.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    show.set_defaults(handler=show_settings)
    change = sub.add_parser("set", help=tr("cli.settings.set"), description=tr("cli.settings.set"))
    change.add_argument("name", metavar="NAME", help=tr("cli.arg.setting_name"))
    change.add_argument("value", metavar="VALUE", help=tr("cli.arg.setting_value"))
    change.set_defaults(handler=set_setting)


def show_settings(ctx: CliContext) -> int:
    values = ctx.kit().settings.all()
    if ctx.args.json:
        ctx.json_line({**values, "data_dir": str(resolve_data_dir(ctx.args.data_dir))})
        return 0
    print(f"{ctx.tr('setting.data_dir')}: {resolve_data_dir(ctx.args.data_dir)}")
    for name, value in values.items():
        print(f"{ctx.tr(f'setting.{name}')} ({name}): {value}")
    return 0


def set_setting(ctx: CliContext) -> int:
    value = ctx.kit().settings.set(ctx.args.name, ctx.args.value)
    ctx.say("cli.settings.changed", name=ctx.args.name, value=value)
    return 0
