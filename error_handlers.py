# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One mapping from exceptions to JSON error responses.

Used twice with the same result: inside each app, as FastAPI exception
handlers (so that a TestClient sees production statuses), and by the
dispatcher once Odoo has rolled back. The body is ``{"detail": ...}``, as
FastAPI's own handlers answer.

A message an app wrote itself (``raise UserError("Out of stock")``) reaches
the client as written. A message Odoo composed names what a client must not
learn (users and their ids, technical model and table names, record ids):
access rights, record rules, missing records and database constraints get a
short answer of their own instead, and Odoo logs the full text. A 500 never
tells more than "Internal Server Error".
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg2
import psycopg2.errorcodes
import werkzeug.exceptions
from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError

from .validation_errors import request_validation_error_handler, validation_detail

INTERNAL_ERROR = "Internal Server Error"
BAD_VALUE = "A value is out of range or not valid."
TOO_LARGE = "A value is too large to be stored."

# Answers to database constraint violations, by PostgreSQL error code.
_INTEGRITY = {
    psycopg2.errorcodes.UNIQUE_VIOLATION: (409, "Conflict with an existing record."),
    psycopg2.errorcodes.NOT_NULL_VIOLATION: (422, "A required value is missing."),
    psycopg2.errorcodes.CHECK_VIOLATION: (422, "A value is not allowed."),
    psycopg2.errorcodes.EXCLUSION_VIOLATION: (409, "Conflict with an existing record."),
}
_FK_INSERT = (422, "A related record does not exist.")
_FK_DELETE = (409, "The record is still in use.")
_SKIPPED_HEADERS = frozenset({"content-type", "content-length"})


@dataclass(frozen=True)
class ErrorInfo:
    status: int
    detail: Any
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> bytes:
        return json.dumps({"detail": self.detail}).encode()


def describe(exc: BaseException) -> ErrorInfo:
    status, detail = _status_and_detail(exc)
    return ErrorInfo(status, detail, exception_headers(exc))


def _status_and_detail(exc: BaseException) -> tuple[int, Any]:
    # Order matters: AccessError and MissingError are UserErrors too.
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, exc.detail
    if isinstance(exc, RequestValidationError):
        return 422, validation_detail(exc)
    if isinstance(exc, AccessDenied | AccessError):
        return 403, _app_message(exc) or "Not allowed"
    if isinstance(exc, MissingError):
        return 404, _app_message(exc) or "Not found"
    if isinstance(exc, psycopg2.IntegrityError):
        return _integrity_answer(exc)
    if _value_refused_by_database(exc):
        return 422, BAD_VALUE
    if _beyond_database_limits(exc):
        return 422, TOO_LARGE
    if isinstance(exc, UserError):
        violation = _violation_behind(exc)
        if violation is not None:
            return _integrity_answer(violation)
        return 400, _app_message(exc) or "Bad request"
    if isinstance(exc, werkzeug.exceptions.HTTPException) and exc.code:
        return exc.code, exc.description or exc.name
    return 500, INTERNAL_ERROR


def _violation_behind(exc: UserError) -> psycopg2.IntegrityError | None:
    """The constraint violation Odoo was answering when it raised ``exc``.

    Odoo's retry turns a violation into a ValidationError that names the
    table and its fields. Composing that message can fail in turn: Odoo
    translates it into the language of the request as Odoo parsed it, and a
    client's Accept-Language naming a language that is not installed makes
    that a UserError ("Invalid language code"). The violation is still what
    the client is answered for.
    """
    if isinstance(exc.__cause__, psycopg2.IntegrityError):
        return exc.__cause__
    if isinstance(exc.__context__, psycopg2.IntegrityError) and _composed_by_odoo(exc):
        return exc.__context__
    return None


def _app_message(exc: BaseException) -> str | None:
    """The exception's message when an app wrote it, else None."""
    if not exc.args or _composed_by_odoo(exc):
        return None
    return str(exc.args[0])


def _composed_by_odoo(exc: BaseException) -> bool:
    """Whether Odoo's core or its ``base`` addon raised ``exc``.

    The frame that raised is the last of the traceback. Odoo's ORM and the
    ``base`` models compose the messages of access rights, record rules and
    missing records; business addons and API code write their own.
    """
    if exc.__traceback__ is None:
        return False
    module = _raising_module(exc)
    if module.startswith("odoo.addons."):
        return module.startswith("odoo.addons.base.")
    return module == "odoo" or module.startswith("odoo.")


def _value_refused_by_database(exc: BaseException) -> bool:
    """Whether a value sent by the client is one PostgreSQL cannot hold.

    Python's integers are unbounded and its strings may hold NUL: a page
    number past bigint or a NUL in a path parameter fails in the database
    (a DataError), or in psycopg2 before it (a ValueError raised while Odoo's
    cursor adapts the value), whatever the route checked.
    """
    if isinstance(exc, psycopg2.DataError):
        return True
    if not isinstance(exc, ValueError):
        return False
    module = _raising_module(exc)
    return module == "odoo.sql_db" or module.startswith("psycopg2")


def _beyond_database_limits(exc: BaseException) -> bool:
    """Whether PostgreSQL refused a statement for its size (class 54).

    A client's value does that: a name of a few thousand characters is more
    than an index row can hold. No retry or fix on the server's side helps.
    """
    return isinstance(exc, psycopg2.OperationalError) and (exc.pgcode or "").startswith(
        psycopg2.errorcodes.CLASS_PROGRAM_LIMIT_EXCEEDED
    )


def _raising_module(exc: BaseException) -> str:
    tb: types.TracebackType | None = exc.__traceback__
    if tb is None:
        return ""
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_globals.get("__name__", "")


def _integrity_answer(exc: psycopg2.IntegrityError) -> tuple[int, str]:
    if exc.pgcode == psycopg2.errorcodes.FOREIGN_KEY_VIOLATION:
        message = getattr(exc.diag, "message_primary", None) or ""
        return _FK_INSERT if message.startswith("insert or update") else _FK_DELETE
    return _INTEGRITY.get(exc.pgcode, (409, "Conflict with the stored data."))


def exception_headers(exc: BaseException) -> dict[str, str]:
    """The headers an exception carries into its answer.

    Those of HTTP exceptions (``WWW-Authenticate``, ``Retry-After``...), and a
    ``headers`` mapping any other code attached to the exception (a request
    log adds the id of its entry that way).
    """
    headers: dict[str, str] = {}
    if isinstance(exc, werkzeug.exceptions.HTTPException):
        headers.update((k, v) for k, v in exc.get_headers() if k.lower() not in _SKIPPED_HEADERS)
    extra = getattr(exc, "headers", None)
    if extra:
        headers.update(extra.items() if isinstance(extra, Mapping) else extra)
    return headers


def convert_exception_to_status_body(exc: Exception) -> tuple[int, dict[str, Any]]:
    """``(status, body)`` of the answer to ``exc``: the OCA addon's name for ``describe``."""
    info = describe(exc)
    return info.status, {"detail": info.detail}


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    info = describe(exc)
    return JSONResponse({"detail": info.detail}, info.status, info.headers)


HANDLED = (
    AccessDenied,
    AccessError,
    MissingError,
    UserError,
    psycopg2.IntegrityError,
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
    # FastAPI registers its own at creation: replace that one, not an addon's.
    if app.exception_handlers.get(RequestValidationError) in (None, request_validation_exception_handler):
        app.exception_handlers[RequestValidationError] = request_validation_error_handler
