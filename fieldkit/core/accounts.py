"""Rules for local accounts that need no storage: valid user names, password length, and the growing
wait after wrong passwords (so guessing at the keyboard gets slow; argon2id makes guessing offline slow)."""

from __future__ import annotations

import re
from datetime import timedelta

from fieldkit.core.errors import UserError
from fieldkit.core.text import nfc

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}$")
MIN_PASSWORD_LENGTH = 8
FREE_ATTEMPTS = 3  # typos happen; after these, each wrong password doubles the wait
MAX_WAIT = timedelta(minutes=15)


def clean_username(text: str) -> str:
    name = nfc(text).strip().lower()
    if not _USERNAME.match(name):
        raise UserError("error.user.bad_name", name=text)
    return name


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError("error.user.short_password", minimum=MIN_PASSWORD_LENGTH)


def wait_after(failures: int) -> timedelta:
    """How long to refuse further tries after `failures` wrong passwords in a row."""
    if failures <= FREE_ATTEMPTS:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - FREE_ATTEMPTS)), MAX_WAIT)
