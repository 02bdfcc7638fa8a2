# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Schemathesis hooks of the reliability suite (SCHEMATHESIS_HOOKS).

Run by schemathesis in its own virtualenv, never imported by pytest.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import schemathesis

HEADER = "Idempotency-Key"
# The notes API's webhook takes its key from this body field.
BODY_KEYS = {"/webhooks/events": "event_id"}
# What idempotency/keys.py accepts once the HTTP stack stripped the value.
VALID_KEY = re.compile(r"[!-~]([ -~]{0,253}[!-~])?")
SUFFIX_LENGTH = 17


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Give each distinct request its own idempotency key, as a client does.

    Schemathesis draws keys from a few values and sends them with other
    bodies, which the API rightly refuses (422: the key was used for a
    different request). A valid key is made specific to the request here,
    the same for a request sent again (a replay); invalid keys go as drawn,
    so that their 400 stays tested.
    """
    field = BODY_KEYS.get(case.path)
    body = case.body
    if isinstance(body, dict) and field:
        body = {name: value for name, value in body.items() if name != field}
    # The order of the body's fields too: the same fields in another order
    # are other bytes, another request for the key's fingerprint.
    order = list(case.body) if isinstance(case.body, dict) else None
    request = repr((case.method, case.path, case.path_parameters, case.query, body, order)).encode()
    suffix = "-" + hashlib.sha256(request).hexdigest()[: SUFFIX_LENGTH - 1]
    key = (case.headers or {}).get(HEADER)
    if isinstance(key, str) and VALID_KEY.fullmatch(key) and not key.endswith(suffix):
        case.headers[HEADER] = key[: 255 - SUFFIX_LENGTH] + suffix
    if isinstance(case.body, dict) and isinstance(case.body.get(field), str) and not case.body[field].endswith(suffix):
        case.body[field] = case.body[field][:200] + suffix
