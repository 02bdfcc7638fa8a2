# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One mapping from exceptions to JSON error responses.

Used twice with the same result: inside each app, as FastAPI exception
handlers (so that a TestClient sees production statuses), and by the
dispatcher for what fails outside the app, once Odoo has rolled back.
A 500 never tells more than "Internal Server Error": tracebacks, SQL and
model names stay in the server log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import werkzeug.exceptions
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError

INTERNAL_ERROR = "Internal Server Error"


@dataclass(frozen=True)
class ErrorInfo:
    status: int
    detail: str
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> bytes:
        return json.dumps({"detail": self.detail}).encode()


def describe(exc: BaseException) -> ErrorInfo:
    # Order matters: AccessError and MissingError are UserErrors too.
    if isinstance(exc, AccessDenied | AccessError):
        return ErrorInfo(403, _message(exc) or "Access denied")
    if isinstance(exc, MissingError):
        return ErrorInfo(404, _message(exc) or "Not found")
    if isinstance(exc, UserError):
        return ErrorInfo(400, _message(exc) or "Bad request")
    if isinstance(exc, werkzeug.exceptions.HTTPException) and exc.code:
        return ErrorInfo(exc.code, exc.description or exc.name, _werkzeug_headers(exc))
    return ErrorInfo(500, INTERNAL_ERROR)


def _message(exc: BaseException) -> str:
    return str(exc.args[0]) if exc.args else ""


def _werkzeug_headers(exc: werkzeug.exceptions.HTTPException) -> dict[str, str]:
    skip = {"content-type", "content-length"}
    return {k: v for k, v in exc.get_headers() if k.lower() not in skip}


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    info = describe(exc)
    return JSONResponse({"detail": info.detail}, info.status, info.headers)


HANDLED = (
    AccessDenied,
    AccessError,
    MissingError,
    UserError,
    werkzeug.exceptions.HTTPException,
)


def add_exception_handlers(app: FastAPI) -> None:
    """Make ``app`` answer Odoo errors as the dispatcher would.

    Handlers an addon registered already are kept. ``Exception`` goes to
    Starlette's ServerErrorMiddleware, which answers and re-raises: the
    exception still reaches Odoo, which rolls back or retries.
    """
    for exc_class in (*HANDLED, Exception):
        app.exception_handlers.setdefault(exc_class, _handle)
