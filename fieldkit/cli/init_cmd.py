"""`fieldkit init --admin NAME`: a new encrypted kit and its first administrator."""

from __future__ import annotations

from fieldkit.cli.context import CliContext
from fieldkit.core.i18n import Translator
from fieldkit.storage.security import init_kit

ORDER = 5  # place in `fieldkit --help`: the first thing anyone runs


def register(commands, tr: Translator) -> None:
    init = commands.add_parser("init", help=tr("cli.init.help"), description=tr("cli.init.description"))
    init.add_argument("--admin", required=True, metavar="NAME", help=tr("cli.init.admin"))
    init.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    init.set_defaults(handler=initialise)


def initialise(ctx: CliContext) -> int:
    password = ctx.new_password()
    kit, session = init_kit(ctx.data_dir, ctx.args.admin, password)
    ctx.adopt(kit, session)
    if ctx.args.json:
        ctx.json_line({"data_dir": str(kit.data_dir), "admin": session.user.username})
    else:
        ctx.say("cli.init.created", data_dir=str(kit.data_dir), admin=session.user.username)
    ctx.warn(ctx.tr("security.warning.lost_passwords"))
    return 0
