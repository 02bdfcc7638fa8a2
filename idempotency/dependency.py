# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``idempotent()``: the dependency that makes a route run once per key."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, NoReturn

import werkzeug.exceptions
from fastapi import Depends, HTTPException, Request, status
from starlette.exceptions import HTTPException as StarletteHTTPException

from odoo.api import Environment

from ..dependencies import fastapi_endpoint_id, odoo_env, optionally_authenticated_partner_impl
from . import keys, openapi, store, written
from .middleware import STATE, Replay, RequestState

_logger = logging.getLogger(__name__)

DEFAULT_RETENTION = timedelta(hours=24)
DEFAULT_MAX_SIZE = 1 << 20
# Headers that tell one client from another when no partner is authenticated.
CREDENTIAL_HEADERS = ("authorization", "api-key", "x-api-key")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Methods whose requests may run again once the records they wrote changed.
REPEATABLE_METHODS = frozenset({"PUT", "DELETE"})

# A key taken from the request instead of the header: given the request and
# its body, it returns the key, or None when the request has none.
KeySource = Callable[[Request, bytes], str | None]


def from_body_field(name: str) -> KeySource:
    """The key is the JSON body's field ``name``, e.g. a webhook's event id."""
    read = keys.body_field(name)
    return lambda request, body: read(body)


def from_request_digest(request: Request, body: bytes) -> str:
    """The key is a digest of method, path, sorted query and body."""
    return keys.request_digest(request.method, request.url.path, request.url.query, body)


@dataclass(frozen=True)
class Policy:
    required: bool
    retention: timedelta
    methods: frozenset[str]
    wait: float
    key: KeySource | None
    replay_headers: tuple[str, ...]
    max_size: int
    credential_headers: tuple[str, ...]
    repeatable: bool | None

    def repeats(self, method: str) -> bool:
        if self.repeatable is None:
            return method in REPEATABLE_METHODS
        return self.repeatable


def idempotent(
    *,
    required: bool = False,
    retention: timedelta = DEFAULT_RETENTION,
    methods: Iterable[str] = ("POST", "PATCH"),
    wait: float = 0,
    key: KeySource | None = None,
    caller: Callable[..., Any] | None = None,
    replay_headers: Iterable[str] = (),
    max_size: int = DEFAULT_MAX_SIZE,
    credential_headers: Iterable[str] = CREDENTIAL_HEADERS,
    repeatable: bool | None = None,
) -> Callable[..., AsyncIterator[None]]:
    """A dependency that runs a route once per ``Idempotency-Key``.

    ``wait``: seconds a duplicate waits for the request holding its key
    (0: answer 409 at once). ``key``: take the key from the request
    (``from_body_field``, ``from_request_digest``). ``caller``: a dependency
    whose value (a record or a string) scopes the keys; by default the
    authenticated partner, else the endpoint's user and the credentials headers.
    ``repeatable``: whether a stored answer is dropped, and the request runs
    again, once a record the request created or wrote was changed since by
    another transaction; by default for PUT and DELETE, while POST and PATCH
    answers are replayed as they are.
    """
    methods = frozenset(method.upper() for method in methods)
    if methods & SAFE_METHODS:
        raise ValueError("idempotent(): safe methods run on a read-only cursor and never store a key")
    policy = Policy(
        required=required,
        retention=retention,
        methods=methods,
        wait=wait,
        key=key,
        replay_headers=tuple(replay_headers),
        max_size=max_size,
        credential_headers=tuple(name.lower() for name in credential_headers),
        repeatable=repeatable,
    )
    caller_dependency = caller or optionally_authenticated_partner_impl

    async def idempotency_key(request: Request, env: Environment, endpoint_id: int, who: Any) -> AsyncIterator[None]:
        claim = await _claim(policy, request, env, endpoint_id, who) if request.method in methods else None
        if claim is None:
            yield
            return
        try:
            yield
        except (StarletteHTTPException, werkzeug.exceptions.HTTPException):
            raise  # an answer the handler chose: stored like a success
        except BaseException:
            claim.discard = True
            raise

    def document_openapi_operation(operation: dict[str, Any], method: str) -> None:
        if method in methods:
            openapi.document(operation, required=required, from_header=key is None)

    idempotency_key.document_openapi_operation = document_openapi_operation
    # The caller's dependency is known only here: the signature FastAPI reads
    # is given as objects, not as the strings postponed annotations would be.
    idempotency_key.__signature__ = inspect.Signature(
        [
            inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
            _depends_parameter("env", Environment, odoo_env),
            _depends_parameter("endpoint_id", int, fastapi_endpoint_id),
            _depends_parameter("who", Any, caller_dependency),
        ]
    )
    return idempotency_key


def _depends_parameter(name: str, annotation: Any, dependency: Callable[..., Any]) -> inspect.Parameter:
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Parameter(name, kind, annotation=Annotated[annotation, Depends(dependency)])


async def _claim(policy: Policy, request: Request, env: Environment, endpoint_id: int, who: Any) -> store.Claim | None:
    state: RequestState | None = request.scope.get(STATE)
    if state is None:
        raise RuntimeError("idempotent() needs the app to run IdempotencyMiddleware")
    body = await request.body()
    key = _key(policy, request, body)
    if key is None:
        return None
    if env.cr.readonly:
        # A key is never written on a read-only cursor.
        return None
    ident = store.Identity(endpoint_id, _caller(policy, request, env, who), key)
    fingerprint = keys.fingerprint(
        request.method, request.url.path, request.url.query, request.headers.get("content-type", ""), body
    )
    repeats = policy.repeats(request.method)
    found = store.look_up(env.cr, ident)
    if found.answer is not None and not found.expired:
        _check_fingerprint(found.answer, fingerprint)
        if not (repeats and _stale(env, found.answer)):
            _replay(found.answer)
        # Runs again as an expired key does: once it holds the key's lock.
        _logger.info("FastAPI idempotency: %s %s runs again, its records changed", request.method, request.url.path)
    if not found.locked:
        if not (policy.wait and store.wait_for_lock(env.cr, ident, policy.wait)):
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                "A request with this Idempotency-Key is in progress; retry later",
                headers={"Retry-After": "1"},
            )
        store.reserve(env.cr, ident)
    if found.row_id is not None:
        store.forget(env.cr, found.row_id)  # expired: runs again
    route = f"{request.method} {request.url.path}"[:255]
    claim = store.Claim(env.cr, ident, fingerprint, route, policy.retention, policy.max_size, policy.replay_headers)
    claim.savepoint = env.cr.savepoint(flush=True)
    if repeats:
        claim.env, claim.tracker = env, written.track(env.cr)
    state.claim = claim
    return claim


def _stale(env: Environment, answer: store.StoredAnswer) -> bool:
    return bool(answer.versions) and store.changed_since(env, answer.versions)


def _replay(answer: store.StoredAnswer) -> NoReturn:
    if answer.state == store.TOO_LARGE:
        raise HTTPException(status.HTTP_409_CONFLICT, "This request was done, but its answer cannot be replayed")
    raise Replay(answer)


def _key(policy: Policy, request: Request, body: bytes) -> str | None:
    try:
        if policy.key is not None:
            key = policy.key(request, body)
        else:
            key = keys.parse_header(request.headers.getlist(keys.HEADER))
    except keys.InvalidKey as exc:
        _logger.warning("FastAPI idempotency: %s on %s %s", exc, request.method, request.url.path)
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    if key is None and policy.required:
        _logger.warning("FastAPI idempotency: no key on %s %s", request.method, request.url.path)
        detail = f"This request needs an {keys.HEADER} header" if policy.key is None else "This request has no key"
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail)
    return key


def _caller(policy: Policy, request: Request, env: Environment, who: Any) -> str:
    if isinstance(who, str):
        return who[:255]
    if who:  # a record
        return f"{who._name}:{who.id}"
    credentials = [request.headers.get(name, "") for name in policy.credential_headers]
    return keys.caller_scope(None, env.uid, credentials)


def _check_fingerprint(answer: store.StoredAnswer, fingerprint: str) -> None:
    if answer.fingerprint != fingerprint:
        _logger.warning("FastAPI idempotency: a key was reused for another request")
        raise HTTPException(
            # A number: Starlette renamed the constant, and warns on each use of the old name.
            422,
            "This Idempotency-Key was used for a different request",
        )
