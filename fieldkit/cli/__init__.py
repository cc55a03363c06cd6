"""The `fieldkit` command: a thin layer over the services, every user action reachable without the GUI.

User mistakes exit 2 with one clear line (Vietnamese by default, English with --lang en or
FIELDKIT_LANG=en); failures of the kit exit 1; a traceback is never the answer to a user mistake.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence

import fieldkit.cli as cli_package
from fieldkit import __version__
from fieldkit.cli.argparse_words import speak
from fieldkit.cli.context import CliContext, CliUsageError, TranslatingParser, add_common_options
from fieldkit.cli.streams import carry_vietnamese
from fieldkit.core.errors import FieldKitError
from fieldkit.core.i18n import Translator
from fieldkit.storage.datadir import resolve_data_dir
from fieldkit.storage.logfile import configure_logging, failure_summary

log = logging.getLogger("fieldkit")


def command_modules() -> list:
    """Every `fieldkit/cli/*_cmd.py`, in the order of its ORDER (help lists commands that way)."""
    modules = [
        importlib.import_module(f"{cli_package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(cli_package.__path__)
        if info.name.endswith("_cmd")
    ]
    return sorted(modules, key=lambda module: (getattr(module, "ORDER", 100), module.__name__))


EXIT_OK, EXIT_FAILURE, EXIT_USER_ERROR = 0, 1, 2


def _language_from(argv: Sequence[str]) -> str | None:
    """--lang is needed before the parser exists: its help texts are translated."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def build_parser(tr: Translator) -> argparse.ArgumentParser:
    parser = TranslatingParser(
        prog="fieldkit",
        description=tr("cli.description"),
        tr=tr,
    )
    parser.add_argument(
        "--version", action="version", version=f"FieldKit {__version__}", help=tr("cli.argparse.version")
    )
    add_common_options(parser, tr)
    parser.add_argument("--camera", metavar="SOURCE", help=tr("cli.opt.camera"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title=tr("cli.commands"))
    gui = commands.add_parser("gui", help=tr("cli.gui.help"), description=tr("cli.gui.help"))
    gui.set_defaults(handler=run_gui)
    for module in command_modules():
        module.register(commands, tr)
    return parser


def run_gui(ctx: CliContext) -> int:
    from fieldkit.gui.app import run  # Qt is loaded only when the window is wanted

    return run(ctx.gui_arguments())


def main(argv: Sequence[str] | None = None) -> int:
    carry_vietnamese()
    argv = list(sys.argv[1:] if argv is None else argv)
    tr = Translator(_language_from(argv))
    speak(tr)
    parser = build_parser(tr)
    try:
        args = parser.parse_args(argv)
    except CliUsageError as exc:
        print(tr("cli.usage_error", detail=str(exc), prog=exc.prog), file=sys.stderr)
        return EXIT_USER_ERROR
    ctx = CliContext(args, tr)
    configure_logging(resolve_data_dir(args.data_dir))
    handler = getattr(args, "handler", None) or run_gui
    try:
        return handler(ctx) or EXIT_OK
    except FieldKitError as exc:
        log.info("%s: %s", args.command, exc.message.key)
        print(tr.describe(exc), file=sys.stderr)
        return EXIT_USER_ERROR if exc.user_error else EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `fieldkit dossier list | head`: the reader has gone, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # the last line of defence: a message, and the details in the log only
        log.error("unexpected failure in %s: %s", args.command, failure_summary(exc))
        print(tr.describe(exc), file=sys.stderr)
        return EXIT_FAILURE
    finally:
        ctx.close()
