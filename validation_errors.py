# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""422 answers that can always be written as JSON.

FastAPI's own handler echoes the invalid input in its answer. Python's JSON
parser accepts ``NaN`` and ``Infinity``, which the JSON encoder then refuses:
a body with ``NaN`` where a number is expected made FastAPI's handler fail,
and the client got a 500 for its own mistake. So does a lone surrogate
(``"\\ud800"``), which a JSON string may hold and UTF-8 cannot encode. Here
non-finite numbers are echoed as strings, lone surrogates as escapes.

FastAPI solves a failed dependency again for each dependant that needs it,
and lists its errors each time: a header required by the authentication was
missing once per dependency of the route that reaches it. Each error is
listed once here.

Python's JSON parser accepts bodies nested hundreds of levels deep, and the
encoders walk the echo recursively: past ``MAX_ECHO_DEPTH`` levels, the echo
is cut.
"""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

# Levels of lists and objects echoed in an error's input; deeper ones are
# echoed as CUT.
MAX_ECHO_DEPTH = 32
CUT = "..."


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float replaced by its name ('nan', 'inf'),
    and every lone surrogate in a string by its escape ('\\ud800')."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return _utf8_safe(value)
    if isinstance(value, dict):
        return {json_safe(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def _cut_deep(value: Any, depth: int = MAX_ECHO_DEPTH) -> Any:
    """``value`` with its lists and objects deeper than ``depth`` levels replaced by CUT."""
    if not isinstance(value, dict | list | tuple):
        return value
    if depth == 0:
        return CUT
    if isinstance(value, dict):
        return {key: _cut_deep(item, depth - 1) for key, item in value.items()}
    return [_cut_deep(item, depth - 1) for item in value]


def _utf8_safe(text: str) -> str:
    try:
        text.encode()
    except UnicodeEncodeError:
        return text.encode(errors="backslashreplace").decode()
    return text


def validation_detail(exc: RequestValidationError) -> list[Any]:
    """The ``detail`` of the 422 answering ``exc``: its errors, JSON-safe, each once."""
    seen: set[str] = set()
    detail = []
    errors = [{name: _cut_deep(value) for name, value in error.items()} for error in exc.errors()]
    for error in json_safe(jsonable_encoder(errors)):
        # A set of their JSON: a hostile body may make thousands of errors.
        text = json.dumps(error, sort_keys=True)
        if text not in seen:
            seen.add(text)
            detail.append(error)
    return detail


async def request_validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": validation_detail(exc)}, status_code=422)
