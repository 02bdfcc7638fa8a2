# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Test helpers for addons that write FastAPI apps.

``FastAPITransactionCase`` runs an app in a FastAPI ``TestClient`` inside an
Odoo ``TransactionCase``: the app sees the test's env, its writes are rolled
back with the test, and with ``raise_server_exceptions=False`` errors become
the same JSON responses as in production.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from odoo.api import Environment
from odoo.tests.common import tagged

from odoo.addons.base.tests.common import TransactionCaseWithUserDemo

from ..context import ContextProvided, fastapi_endpoint_id_ctx, odoo_env_ctx
from ..dependencies import (
    authenticated_partner_impl,
    company_id,
    constant,
    fastapi_endpoint_id,
    optionally_authenticated_partner_impl,
)
from ..error_handlers import add_exception_handlers, describe
from ..idempotency import IdempotencyMiddleware

_logger = logging.getLogger(__name__)


def default_exception_handler(request: Request, exc: Exception) -> Response:
    """The answer the dispatcher would give to ``exc``; a 500 is logged with its traceback."""
    info = describe(exc)
    if info.status >= 500:
        _logger.error("The app failed with %s", type(exc).__name__, exc_info=exc)
    return JSONResponse({"detail": info.detail}, info.status, info.headers)


@tagged("post_install", "-at_install")
class FastAPITransactionCase(TransactionCaseWithUserDemo):
    """Class defaults, each overridable per call of ``_create_test_client``:

    - ``default_fastapi_app`` / ``default_fastapi_router``: what to serve
      (give one of them);
    - ``default_fastapi_odoo_env``: the env the app runs in;
    - ``default_fastapi_running_user``: the user it runs as;
    - ``default_fastapi_authenticated_partner``: what the
      ``authenticated_partner`` dependencies provide (an empty recordset when
      not set, unless an override of ``authenticated_partner_impl`` is given);
    - ``default_fastapi_dependency_overrides``: extra overrides.

    The names and behaviour are those of the OCA API's helper.
    """

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.default_fastapi_app: FastAPI | None = None
        cls.default_fastapi_router: APIRouter | None = None
        cls.default_fastapi_odoo_env: Environment = cls.env
        cls.default_fastapi_running_user = None
        cls.default_fastapi_authenticated_partner = None
        cls.default_fastapi_dependency_overrides: dict[Callable[..., Any], Callable[..., Any]] = {}

    @contextmanager
    def _create_test_client(
        self,
        app: FastAPI | None = None,
        router: APIRouter | None = None,
        user: Any = None,
        partner: Any = None,
        env: Environment | None = None,
        dependency_overrides: dict[Callable[..., Any], Callable[..., Any]] | None = None,
        raise_server_exceptions: bool = True,
        testclient_kwargs: dict[str, Any] | None = None,
    ) -> Iterator[TestClient]:
        """A TestClient of the app (or of a new app with the router) in ``env``.

        With ``raise_server_exceptions`` (the default), an exception of the
        app is raised in the test, and the app's exception handlers are not
        called; without it, the client gets the dispatcher's answers.
        """
        env = env or self.default_fastapi_odoo_env
        user = user or self.default_fastapi_running_user
        if user:
            env = env(user=user)
        overrides = {**self.default_fastapi_dependency_overrides, **(dependency_overrides or {})}
        partner = partner or self.default_fastapi_authenticated_partner or self.env["res.partner"]
        for impl in (authenticated_partner_impl, optionally_authenticated_partner_impl):
            if partner and impl in overrides:
                raise ValueError(f"Give either a partner or an override of {impl.__name__}, not both")
            # An empty partner still stands for the caller, unless the test
            # brings its own authentication.
            if partner or impl not in overrides:
                overrides[impl] = constant(partner)
        app = app or self.default_fastapi_app or FastAPI()
        # As in an endpoint's app: routes may depend on idempotent().
        if not any(middleware.cls is IdempotencyMiddleware for middleware in app.user_middleware):
            app.add_middleware(IdempotencyMiddleware)
        router = router or self.default_fastapi_router
        if router:
            app.include_router(router)
        app.dependency_overrides = overrides
        if not raise_server_exceptions:
            add_exception_handlers(app)
            app.exception_handlers[Exception] = default_exception_handler
        endpoint_id = _context_value(overrides, fastapi_endpoint_id)
        company = _context_value(overrides, company_id)
        if company:
            env = env(context=dict(env.context, allowed_company_ids=[company]))
        env_token = odoo_env_ctx.set(env)
        endpoint_token = fastapi_endpoint_id_ctx.set(endpoint_id) if endpoint_id else None
        try:
            yield TestClient(app, raise_server_exceptions=raise_server_exceptions, **(testclient_kwargs or {}))
        finally:
            if endpoint_token is not None:
                fastapi_endpoint_id_ctx.reset(endpoint_token)
            odoo_env_ctx.reset(env_token)


def _context_value(overrides: dict[Callable[..., Any], Callable[..., Any]], dependency: Callable[..., Any]) -> Any:
    """The value of an override that stands for the request's context.

    The overrides copied from an endpoint's app carry its id and company,
    which the dispatcher puts in the request's context in production, where
    the app's routes read them (see context.ContextProvided): the test client
    puts them there too.
    """
    override = overrides.get(dependency)
    return override() if isinstance(override, ContextProvided) else None
