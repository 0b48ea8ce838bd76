"""The error tree: each error has a stable code, a Chinese message for a clerk, an HTTP status.

One handler in `web/errors.py` maps these to JSON or an error page; the CLI prints the message and
exits 1. Domain modules subclass these at the top of the module that raises them.
"""

from __future__ import annotations

from typing import Any, ClassVar


class XinyongError(Exception):
    """Base error: a code (`domain.reason`), a Chinese message, an HTTP status and details."""

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.details: dict[str, Any] = details or {}

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "details": self.details}


class NotFound(XinyongError):
    """The thing asked for does not exist (404)."""

    code = "not_found"
    status = 404


class Forbidden(XinyongError):
    """The actor may not do this (403)."""

    code = "forbidden"
    status = 403


class Unauthenticated(XinyongError):
    """No valid login or API key (401)."""

    code = "unauthenticated"
    status = 401


class Conflict(XinyongError):
    """The state changed under the caller, or the thing already exists (409)."""

    code = "conflict"
    status = 409


class InvalidInput(XinyongError):
    """The input is malformed or fails a rule (422)."""

    code = "invalid_input"
    status = 422


class DueProcessError(XinyongError):
    """A due-process step was skipped or a deadline has not passed (409)."""

    code = "due_process"
    status = 409


class ConfigurationError(XinyongError):
    """Catalog or calendar data is missing or malformed (HTTP 500; the CLI exits 1)."""

    code = "configuration"
    status = 500
