"""argparse's own words (the usage line, section titles, its error messages) in the user's language.

argparse looks each of them up through gettext's `_` at the moment it needs it, and ships no Vietnamese; a
Vietnamese user would otherwise read "Lệnh chưa đúng: argument ACTION: invalid choice…". Its module-level `_`
and `ngettext` are the hook it offers for this: `speak(tr)` points them at FieldKit's catalog for the words
listed here, and leaves any other (a programming error's text) as argparse wrote it.
"""

from __future__ import annotations

import argparse

from fieldkit.core.i18n import Translator

# argparse's message (Python 3.11-3.13) -> the catalog key with it in the user's language.
_WORDS = {
    "usage: ": "cli.argparse.usage",
    "options": "cli.argparse.options",
    "positional arguments": "cli.argparse.positional",
    "show this help message and exit": "cli.argparse.help",
    "the following arguments are required: %s": "cli.argparse.required",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.invalid_choice",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "expected one argument": "cli.argparse.expected_one",
    "expected at most one argument": "cli.argparse.expected_at_most_one",
    "expected at least one argument": "cli.argparse.expected_at_least_one",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "not allowed with argument %s": "cli.argparse.not_allowed_with",
    "ignored explicit argument %r": "cli.argparse.ignored_value",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "one of the arguments %s is required": "cli.argparse.one_required",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid_value",
}
_COUNTED = {"expected %s argument": "cli.argparse.expected_count"}


def speak(tr: Translator) -> None:
    """From now on argparse words its help and its complaints in `tr`'s language."""

    def words(message: str) -> str:
        key = _WORDS.get(message)
        return tr(key) if key else message

    def counted(singular: str, plural: str, count: int) -> str:
        key = _COUNTED.get(singular)
        if key:
            return tr(key)
        return singular if count == 1 else plural

    argparse._ = words  # type: ignore[attr-defined]
    argparse.ngettext = counted  # type: ignore[attr-defined]
