"""What the server answers when it says no: an HTTP status, a stable code the kit acts on, and words."""

from __future__ import annotations

from typing import Any

from fieldkit.core.errors import UserError


class ApiError(UserError):
    """`code` is part of the protocol (the kit decides what to do by it); the message is for people."""

    status = 400

    def __init__(self, status: int, code: str, key: str, /, headers: dict[str, str] | None = None, **params: Any):
        super().__init__(key, **params)
        self.status = status
        self.code = code
        self.headers = headers or {}
        self.details: dict[str, Any] = {}
