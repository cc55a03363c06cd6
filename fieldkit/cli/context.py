"""What every command handler receives: the parsed arguments, the translator, and the kit on demand.

The kit is encrypted: `ctx.kit()` unlocks it with the user's name and password, taken from `--user` with
`--password-stdin`, else FIELDKIT_USER with FIELDKIT_PASSWORD_FILE, else asked for on a terminal. Commands
that do not need the citizens' data (the catalog) never ask for a password.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

from fieldkit.core.catalog import Catalog
from fieldkit.core.errors import UserError
from fieldkit.core.i18n import Translator
from fieldkit.core.roles import Actor
from fieldkit.core.session import Session
from fieldkit.storage.datadir import prepare_data_dir, resolve_data_dir
from fieldkit.storage.kit import Kit
from fieldkit.storage.security import init_kit, is_initialised, unlock_kit

YES = ("c", "có", "co", "y", "yes")  # what a person types to say yes, in either language

USER_ENV = "FIELDKIT_USER"
PASSWORD_FILE_ENV = "FIELDKIT_PASSWORD_FILE"


class CliUsageError(Exception):
    def __init__(self, message: str, prog: str) -> None:
        super().__init__(message)
        self.prog = prog


class TranslatingParser(argparse.ArgumentParser):
    """An ArgumentParser that reports mistakes through FieldKit's one clear line, not argparse's usage dump."""

    def __init__(self, *args: Any, tr: Translator, **kwargs: Any) -> None:
        self.tr = tr
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliUsageError(message, self.prog)

    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault("parser_class", _subparser_class(self.tr))
        return super().add_subparsers(**kwargs)


def add_common_options(parser: argparse.ArgumentParser, tr: Translator, default: Any = None) -> None:
    """Options every command takes, before or after the command's name (`fieldkit dossier list --lang en`)."""
    parser.add_argument("--lang", choices=("vi", "en"), default=default, help=tr("cli.opt.lang"))
    parser.add_argument("--data-dir", metavar="DIR", default=default, help=tr("cli.opt.data_dir"))
    # The kit's own account. Their own `dest`s keep them apart from a command's options of the same name:
    # `fieldkit login --user NAME --password-stdin` names the portal's account, which replaces these there.
    parser.add_argument("--user", metavar="NAME", dest="kit_user", default=default, help=tr("cli.opt.user"))
    parser.add_argument("--worker", metavar="NAME", dest="kit_user", default=default, help=tr("cli.opt.worker_alias"))
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        dest="kit_password_stdin",
        default=default if default is not None else False,
        help=tr("cli.opt.password_stdin"),
    )


def _subparser_class(tr: Translator) -> type:
    class _Sub(TranslatingParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # "resolve": a command may define an option of the same name for its own purpose (see above).
            kwargs.setdefault("conflict_handler", "resolve")
            super().__init__(*args, tr=tr, **kwargs)
            # SUPPRESS: a subcommand that is not given the option leaves the top-level value alone.
            add_common_options(self, tr, default=argparse.SUPPRESS)

    return _Sub


class CliContext:
    def __init__(self, args: argparse.Namespace, tr: Translator) -> None:
        self.args = args
        self.tr = tr
        self._kit: Kit | None = None
        self._session: Session | None = None

    @property
    def data_dir(self) -> Path:
        return resolve_data_dir(self.args.data_dir)

    # -- the kit, unlocked -------------------------------------------------------------------------------

    def kit(self) -> Kit:
        if self._kit is None:
            self._kit, self._session = self._open()
        return self._kit

    @property
    def session(self) -> Session:
        self.kit()
        assert self._session is not None
        return self._session

    @property
    def user(self) -> Actor:
        """Who is signed in, with their role: what the services check."""
        return self.session.user

    @property
    def actor(self) -> str:
        """The signed-in user's account name (what audit entries and `assisted_by` hold)."""
        return self.user.username

    def catalog(self) -> Catalog:
        """The public procedure catalog, read without unlocking anything."""
        return self._kit.catalog if self._kit is not None else Kit.load_catalog(self.data_dir)

    def adopt(self, kit: Kit, session: Session) -> None:
        """A kit opened by the command itself (`fieldkit init`) becomes the one closed at the end."""
        self._kit, self._session = kit, session

    def _open(self) -> tuple[Kit, Session]:
        data_dir = prepare_data_dir(self.data_dir)  # an unusable folder is a failure (exit 1), said first
        if not is_initialised(data_dir):
            if not self._interactive():
                raise UserError("error.kit.not_initialised", data_dir=str(data_dir))
            return self._create_interactively(data_dir)
        username, password = self.credentials()
        return unlock_kit(data_dir, username, password)

    def _create_interactively(self, data_dir: Path) -> tuple[Kit, Session]:
        """First run on a terminal: make the administrator's account there and then."""
        self.warn(self.tr("security.first_run", data_dir=str(data_dir)))
        self.warn(self.tr("security.warning.lost_passwords"))
        name = input(self.tr("security.prompt.admin_name")).strip()
        password = self.new_password()
        kit, session = init_kit(data_dir, name, password)
        self.say("cli.init.created", data_dir=str(data_dir), admin=session.user.username)
        return kit, session

    # -- secrets -----------------------------------------------------------------------------------------

    def credentials(self) -> tuple[str, str]:
        """(user name, password) from the flags, the environment, or a terminal; refused otherwise."""
        username = self.args.kit_user or os.environ.get(USER_ENV) or ""
        if self.args.kit_password_stdin:
            password = self._stdin_line()
        elif os.environ.get(PASSWORD_FILE_ENV):
            password = read_password_file(Path(os.environ[PASSWORD_FILE_ENV]))
        elif self._interactive():
            username = username or input(self.tr("security.prompt.user")).strip()
            password = getpass.getpass(self.tr("security.prompt.password"))
        else:
            raise UserError("error.auth.need_credentials")
        if not username:
            raise UserError("error.auth.need_user")
        return username, password

    def new_password(self) -> str:
        """A new password: the next line of standard input with --password-stdin, else typed twice."""
        if self.args.kit_password_stdin:
            return self._stdin_line()
        if not self._interactive():
            raise UserError("error.auth.need_new_password")
        first = getpass.getpass(self.tr("security.prompt.new_password"))
        if getpass.getpass(self.tr("security.prompt.repeat_password")) != first:
            raise UserError("error.auth.passwords_differ")
        return first

    def _stdin_line(self) -> str:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise UserError("error.auth.no_password_on_stdin")
        return password

    def _interactive(self) -> bool:
        return not self.args.kit_password_stdin and sys.stdin is not None and sys.stdin.isatty()

    def close(self) -> None:
        if self._kit is not None:
            self._kit.close()
            self._kit = None

    def gui_arguments(self) -> list[str]:
        forwarded = []
        for name, option in (
            ("data_dir", "--data-dir"),
            ("lang", "--lang"),
            ("kit_user", "--user"),
            ("camera", "--camera"),
        ):
            value = getattr(self.args, name, None)
            if value:
                forwarded += [option, value]
        return forwarded

    # -- output ------------------------------------------------------------------------------------------

    def json_line(self, obj: Any) -> None:
        print(json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str))

    def confirm(self, ask_key: str, refused_key: str, shown: str = "") -> None:
        """A person at the terminal reads `shown` and answers yes to `ask_key`; anything else (or no terminal,
        where a script must pass its own flag) raises UserError(`refused_key`). Silence is never a yes."""
        if not sys.stdin.isatty():
            raise UserError(refused_key)
        if shown:
            print(shown)
        if input(self.tr(ask_key)).strip().lower() not in YES:
            raise UserError(refused_key)

    def say(self, key: str, **params: Any) -> None:
        print(self.tr(key, **params))

    def warn(self, text: str) -> None:
        print(text, file=sys.stderr)


def read_password_file(path: Path) -> str:
    """The first line of a file only its owner can read; a file others could read is refused."""
    try:
        if os.name == "posix":
            # On Windows the mode bits do not describe who may read (ACLs do); the check is skipped there and
            # the file should live in the user's own profile folder.
            info = path.stat()
            if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) or info.st_uid != os.getuid():
                raise UserError("error.auth.password_file_open", path=str(path))
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError("error.auth.password_file_unreadable", path=str(path)) from exc
    password = text.splitlines()[0] if text else ""
    if not password:
        raise UserError("error.auth.password_file_unreadable", path=str(path))
    return password
