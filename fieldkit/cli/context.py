"""What every command handler receives: the parsed arguments, the translator, and the kit on demand."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any

from fieldkit.core.i18n import Translator
from fieldkit.storage.datadir import resolve_data_dir
from fieldkit.storage.kit import Kit


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
    parser.add_argument("--worker", metavar="NAME", default=default, help=tr("cli.opt.worker"))


def _subparser_class(tr: Translator) -> type:
    class _Sub(TranslatingParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, tr=tr, **kwargs)
            # SUPPRESS: a subcommand that is not given the option leaves the top-level value alone.
            add_common_options(self, tr, default=argparse.SUPPRESS)

    return _Sub


class CliContext:
    def __init__(self, args: argparse.Namespace, tr: Translator) -> None:
        self.args = args
        self.tr = tr
        self._kit: Kit | None = None

    @property
    def actor(self) -> str:
        """Who is doing this: --worker, else FIELDKIT_WORKER, else the operating-system account."""
        return self.args.worker or os.environ.get("FIELDKIT_WORKER") or getpass.getuser()

    def kit(self) -> Kit:
        if self._kit is None:
            self._kit = Kit.open(resolve_data_dir(self.args.data_dir))
        return self._kit

    def close(self) -> None:
        if self._kit is not None:
            self._kit.close()
            self._kit = None

    def gui_arguments(self) -> list[str]:
        forwarded = []
        for name in ("data_dir", "lang", "worker", "camera"):
            value = getattr(self.args, name, None)
            if value:
                forwarded += [f"--{name.replace('_', '-')}", value]
        return forwarded

    # -- output ------------------------------------------------------------------------------------------

    def json_line(self, obj: Any) -> None:
        print(json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str))

    def say(self, key: str, **params: Any) -> None:
        print(self.tr(key, **params))

    def warn(self, text: str) -> None:
        print(text, file=sys.stderr)
