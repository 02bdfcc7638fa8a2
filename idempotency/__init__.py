# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Idempotent requests: a retried POST runs once and its answer is replayed.

``idempotent()`` is the dependency a route (or an endpoint's switch) uses;
``IdempotencyMiddleware`` stores and replays answers; ``store`` keeps both
in the request's own transaction. See readme/USAGE.md.
"""

from .dependency import DEFAULT_RETENTION, from_body_field, from_request_digest, idempotent
from .middleware import REPLAYED_HEADER, IdempotencyMiddleware

__all__ = [
    "DEFAULT_RETENTION",
    "REPLAYED_HEADER",
    "IdempotencyMiddleware",
    "from_body_field",
    "from_request_digest",
    "idempotent",
]
