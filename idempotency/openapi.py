# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What ``idempotent()`` adds to the OpenAPI operations of its routes.

FastAPI documents the parameters it parses, not the header the dependency
reads itself (by hand, so that a missing required key answers 400 naming the
header rather than FastAPI's 422), nor the answers the dependency gives.
The app adds them after FastAPI built the schema (see app_routes.py).
"""

from __future__ import annotations

from typing import Any

from ..openapi_answers import add_answer
from . import keys

# keys.validate's alphabet, without the spaces a client's HTTP stack strips
# at either end of a header value.
KEY_SCHEMA: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": keys.MAX_LENGTH,
    "pattern": "^[!-~]([ -~]*[!-~])?$",
}
ANSWERS = {
    "400": f"The request has no key while it needs one, or its {keys.HEADER} is empty, "
    "too long, repeated or not printable ASCII",
    "409": "A request with this key is in progress (retry after Retry-After), or it was done "
    "and its answer cannot be replayed",
    "422": "This key was used for a different request",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before a retry", "schema": {"type": "integer"}}}


def document(operation: dict[str, Any], *, required: bool, from_header: bool) -> None:
    """Add the key's header (when the key comes from it) and the answers to ``operation``."""
    if from_header:
        _add_header(operation, required)
    responses = operation.setdefault("responses", {})
    for code, description in ANSWERS.items():
        add_answer(responses, code, description)
    responses["409"].setdefault("headers", RETRY_AFTER)


def _add_header(operation: dict[str, Any], required: bool) -> None:
    parameters = operation.setdefault("parameters", [])
    for parameter in parameters:
        if parameter.get("in") == "header" and parameter.get("name", "").lower() == keys.HEADER.lower():
            parameter["required"] = parameter.get("required", False) or required
            return
    parameters.append(
        {
            "name": keys.HEADER,
            "in": "header",
            "required": required,
            "description": "Runs the request once per key: a retry with the same key gets the stored answer",
            "schema": KEY_SCHEMA,
        }
    )
