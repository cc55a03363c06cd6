"""`fieldkit login` and `fieldkit logout`: the portal login kept in the OS keyring (username and token only)."""

from __future__ import annotations

import getpass
import sys

from fieldkit.cli.context import CliContext
from fieldkit.core.dates import to_iso
from fieldkit.core.errors import UserError
from fieldkit.core.i18n import Translator
from fieldkit.sync.credentials import open_credentials
from fieldkit.sync.service import portal_client, portal_url
from fieldkit.sync.session import PortalSession

ORDER = 40  # place in `fieldkit --help`


def register(commands, tr: Translator) -> None:
    login = commands.add_parser("login", help=tr("cli.login.help"), description=tr("cli.login.help"))
    login.add_argument("--portal", metavar="URL", help=tr("cli.sync.opt.portal"))
    login.add_argument("--user", required=True, metavar="NAME", help=tr("cli.login.opt.user"))
    login.add_argument("--password-stdin", action="store_true", help=tr("cli.login.opt.password_stdin"))
    login.add_argument("--json", action="store_true", help=tr("cli.opt.json"))
    login.set_defaults(handler=log_in)

    logout = commands.add_parser("logout", help=tr("cli.logout.help"), description=tr("cli.logout.help"))
    logout.add_argument("--portal", metavar="URL", help=tr("cli.sync.opt.portal"))
    logout.set_defaults(handler=log_out)


def read_password(ctx: CliContext, from_stdin: bool, user: str) -> str:
    """The first line of standard input with --password-stdin, else a prompt that does not echo."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass(ctx.tr("cli.login.prompt", user=user))
    else:
        raise UserError("error.sync.password_needed")
    if not password:
        raise UserError("error.sync.password_empty")
    return password


def log_in(ctx: CliContext) -> int:
    kit = ctx.kit()
    url = portal_url(kit, ctx.args.portal)
    credentials = open_credentials()
    session = PortalSession(portal_client(kit, url), credentials, kit.clock)
    stored = session.login(ctx.args.user, read_password(ctx, ctx.args.password_stdin, ctx.args.user))
    kit.settings.set("portal_url", url)  # where `fieldkit sync` sends from now on
    if ctx.args.json:
        ctx.json_line(
            {
                "portal": url,
                "user": stored.username,
                "expires_at": to_iso(stored.expires_at),
                "kept": credentials.persistent,
            }
        )
    else:
        ctx.say("cli.login.done", user=stored.username, portal=url, until=stored.expires_at.strftime("%H:%M %d/%m/%Y"))
    if not credentials.persistent:
        ctx.warn(ctx.tr("cli.sync.no_keyring"))
    return 0


def log_out(ctx: CliContext) -> int:
    kit = ctx.kit()
    url = portal_url(kit, ctx.args.portal)
    open_credentials().forget(url)
    ctx.say("cli.logout.done", portal=url)
    return 0
