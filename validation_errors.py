# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""422 answers that can always be written as JSON.

FastAPI's own handler echoes the invalid input in its answer. Python's JSON
parser accepts ``NaN`` and ``Infinity``, which the JSON encoder then refuses:
a body with ``NaN`` where a number is expected made FastAPI's handler fail,
and the client got a 500 for its own mistake. Here non-finite numbers are
echoed as strings.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float replaced by its name ('nan', 'inf')."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


async def request_validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": json_safe(jsonable_encoder(exc.errors()))}, status_code=422)
