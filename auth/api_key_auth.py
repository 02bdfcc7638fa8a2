# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo API keys on a request: the decision, its answers and its log.

The dependencies of ``dependencies.py`` call ``verify``. A key the worker
already verified costs a dictionary look-up and a comparison of times; any
other key one query by its index, and a hash only when a stored key shares
that index (see ``res.users.apikeys._fastapi_verified_key``).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from fastapi import HTTPException, status

from odoo.tools import config

from .api_key import (
    FailureThrottle,
    LookupSkipped,
    UnknownKey,
    VerifiedKey,
    bearer_token,
    key_digest,
    key_index,
    plausible,
    refusal,
)

if TYPE_CHECKING:
    from odoo.api import Environment

_logger = logging.getLogger(__name__)

throttle = FailureThrottle(
    limit=int(config.get("fastapi_api_key_failures_limit", 20)),
    window=float(config.get("fastapi_api_key_failures_window", 60)),
)


def presented_key(authorization: str | None, api_key_header: str | None, header_allowed: bool) -> str | None:
    """The key of the request: the bearer token, else the api-key header if the endpoint takes it."""
    key = bearer_token(authorization)
    if key is None and header_allowed and api_key_header:
        key = api_key_header.strip()
    return key


def verify(
    env: Environment,
    endpoint_id: int,
    client: str,
    authorization: str | None,
    api_key_header: str | None,
) -> VerifiedKey:
    """The verified key of the request, or an HTTPException (401, or 429 for a throttled client)."""
    scope, header_allowed = env["fastapi.endpoint"]._fastapi_api_key_policy(endpoint_id)
    key = presented_key(authorization, api_key_header, header_allowed)
    if key is None:
        raise _unauthorized("Missing API key")
    now = time.time()
    verified = _lookup(env, key, client)
    reason = refusal(verified, scope, now)
    if reason:
        _refused(client, key, reason)
        raise _unauthorized("Invalid API key")
    return verified


def user_env(env: Environment, verified: VerifiedKey) -> Environment:
    """``env`` as the key's user: its access rights and record rules apply.

    The endpoint's company is dropped: the key's user works in its own
    companies, as Odoo's JSON-2 API has it.
    """
    context = dict(env.context, uid=verified.user_id)
    context.pop("allowed_company_ids", None)
    return env(user=verified.user_id, su=False, context=context)


def _lookup(env: Environment, key: str, client: str) -> VerifiedKey | None:
    if not plausible(key):
        return None
    try:
        # The throttle is asked only for a key the worker does not know: a
        # client sharing the address of a guesser keeps working with its own.
        return env["res.users.apikeys"]._fastapi_verified_key(key_digest(key), key, client)
    except LookupSkipped as skipped:
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail="Too many failed attempts",
            headers={"Retry-After": str(skipped.retry_after)},
        ) from None
    except UnknownKey:
        return None


def _refused(client: str, key: str, reason: str) -> None:
    failures = throttle.record(client)
    if failures < throttle.limit:
        _logger.warning("API key refused (%s), index %r, from %s", reason, key_index(key), client)
    elif failures == throttle.limit:
        _logger.warning(
            "API key refused (%s), index %r, from %s: %d failures, further attempts of unknown keys "
            "from this address refused for %d s",
            reason,
            key_index(key),
            client,
            failures,
            throttle.window,
        )


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )
