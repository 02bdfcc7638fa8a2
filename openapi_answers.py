# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Answers the addon gives that FastAPI's OpenAPI schema does not list.

FastAPI documents what a route declares. Around it, the addon answers a
body it cannot parse with a 400, and a value the database cannot hold (or a
constraint it breaks) with a 422 whose ``detail`` is a string, beside
FastAPI's own 422 and its list of errors (see error_handlers.py). A client
generated from the schema, or a tester checking answers against it, must
find them there.
"""

from __future__ import annotations

from typing import Any

DETAIL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
MALFORMED_BODY = "The request body cannot be read or parsed"
REFUSED_VALUE = "A value the database cannot hold, or one that breaks a constraint of the data"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def document_error_answers(schema: dict[str, Any]) -> None:
    """Add the addon's own answers to every operation of ``schema``."""
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                add_answer(responses, "400", MALFORMED_BODY)
            if "422" in responses:
                add_answer(responses, "422", REFUSED_VALUE)


def add_answer(responses: dict[str, Any], code: str, description: str) -> None:
    """Document answer ``code`` with a string ``detail``, beside what the route documents."""
    answer = responses.get(code)
    if answer is None:
        responses[code] = {"description": description, "content": {"application/json": {"schema": DETAIL_SCHEMA}}}
        return
    # The route's own answer with that code (FastAPI's 422 for invalid
    # input, a 400 of the handler's): its body may now be either.
    own = answer.get("description", "")
    if description not in own:
        answer["description"] = f"{own}; or: {description}" if own else description
    media = answer.setdefault("content", {}).setdefault("application/json", {})
    schema = media.get("schema")
    if not schema:
        media["schema"] = DETAIL_SCHEMA
    elif DETAIL_SCHEMA not in schema.get("anyOf", [schema]):
        media["schema"] = {"anyOf": [schema, DETAIL_SCHEMA]}
