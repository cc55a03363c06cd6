"""`fieldkit user add|passwd|role|disable|list`: the kit's local accounts."""

from __future__ import annotations

from fieldkit.cli.context import CliContext
from fieldkit.core.dates import to_iso
from fieldkit.core.i18n import Translator
from fieldkit.core.roles import Role, parse_role
from fieldkit.storage.users import UserService

ORDER = 80  # place in `fieldkit --help`

_ROLES = [role.value for role in Role]


def register(commands, tr: Translator) -> None:
    user = commands.add_parser("user", help=tr("cli.user.help"), description=tr("cli.user.description"))
    sub = user.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = sub.add_parser("add", help=tr("cli.user.add"), description=tr("cli.user.add_description"))
    add.add_argument("name", metavar="NAME", help=tr("cli.arg.username"))
    add.add_argument("--role", choices=_ROLES, default=Role.FIELD_WORKER.value, help=tr("cli.opt.role"))
    add.set_defaults(handler=add_user)

    passwd = sub.add_parser("passwd", help=tr("cli.user.passwd"), description=tr("cli.user.passwd_description"))
    passwd.add_argument("name", metavar="NAME", nargs="?", help=tr("cli.arg.username_optional"))
    passwd.set_defaults(handler=change_password)

    role = sub.add_parser("role", help=tr("cli.user.role"), description=tr("cli.user.role"))
    role.add_argument("name", metavar="NAME", help=tr("cli.arg.username"))
    role.add_argument("role", metavar="ROLE", help=tr("cli.opt.role"))
    role.set_defaults(handler=change_role)

    disable = sub.add_parser("disable", help=tr("cli.user.disable"), description=tr("cli.user.disable_description"))
    disable.add_argument("name", metavar="NAME", help=tr("cli.arg.username"))
    disable.set_defaults(handler=disable_user)

    listing = sub.add_parser("list", help=tr("cli.user.list"), description=tr("cli.user.list"))
    listing.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    listing.set_defaults(handler=list_users)


def _service(ctx: CliContext) -> UserService:
    return UserService(ctx.kit(), ctx.user)


def add_user(ctx: CliContext) -> int:
    service = _service(ctx)
    account = service.add(ctx.args.name, Role(ctx.args.role), ctx.new_password())
    ctx.say("cli.user.added", name=account.username, role=ctx.tr.msg(account.role.label))
    return 0


def change_password(ctx: CliContext) -> int:
    service = _service(ctx)
    account = service.set_password(ctx.args.name or ctx.actor, ctx.new_password())
    ctx.say("cli.user.password_changed", name=account.username)
    return 0


def change_role(ctx: CliContext) -> int:
    account = _service(ctx).set_role(ctx.args.name, parse_role(ctx.args.role))
    ctx.say("cli.user.role_changed", name=account.username, role=ctx.tr.msg(account.role.label))
    return 0


def disable_user(ctx: CliContext) -> int:
    account = _service(ctx).disable(ctx.args.name)
    ctx.say("cli.user.disabled", name=account.username)
    return 0


def list_users(ctx: CliContext) -> int:
    for account in _service(ctx).list():
        if ctx.args.json:
            ctx.json_line(
                {
                    "name": account.username,
                    "role": account.role.value,
                    "disabled": account.disabled,
                    "password_changed_at": to_iso(account.password_changed_at),
                    "failed_attempts": account.failures,
                }
            )
        else:
            state = ctx.tr("cli.user.state_disabled") if account.disabled else ""
            print(f"{account.username:<20} {ctx.tr.msg(account.role.label):<20} {state}".rstrip())
    return 0
