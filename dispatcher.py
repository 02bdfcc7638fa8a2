# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's side of a FastAPI request.

``ir.http._match`` hands every URL under an endpoint's root path to
``FastApiDispatcher``, registered for the ``fastapi`` routing type. Odoo has
by then opened the cursor (read-only for safe methods) and will commit it
once ``dispatch`` returns, roll it back if it raises, and run it again on a
serialization failure. The dispatcher leases the endpoint's app from the
pool, runs it with the request's env in ``odoo_env_ctx``, and turns any error
response of the app into a rollback: an exception the app answered is raised
again, as the app raised it, for Odoo (its retry on serialization failures)
and for the addons that log or inspect a request's exception; the client gets
the app's answer.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import werkzeug.exceptions
from starlette.exceptions import HTTPException as StarletteHTTPException
from werkzeug.routing import Rule

from odoo import http
from odoo.modules.registry import Registry
from odoo.tools import config

from .app_routes import HANDLED_EXCEPTION
from .bridge import AsgiResponse, LoopedApp, make_scope
from .context import fastapi_endpoint_id_ctx, odoo_env_ctx
from .engine.cors import CorsPolicy
from .error_handlers import describe, exception_headers
from .idempotency.middleware import ANSWER_KEPT
from .pools import AppPool
from .routing import RoutingTable

if TYPE_CHECKING:
    from odoo.api import Environment

_logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Where the request body is kept once read (see FastApiDispatcher._read_body).
BODY_ENVIRON_KEY = "fastapi.body"
BODY_PIECE_SIZE = 64 * 1024


class AppVersion(NamedTuple):
    """What a pooled app was built from; a newer version discards it."""

    registry: int
    endpoint: int


app_pool: AppPool[LoopedApp] = AppPool(
    max_idle=int(config.get("fastapi_max_idle_apps", 4)),
    dispose=LoopedApp.close,
    reusable=lambda app: app.reusable,
)


def prune_pool(dbname: str, table: RoutingTable[EndpointRoute]) -> None:
    """Free the apps of endpoints gone from ``dbname`` and of dropped databases."""

    def keep(key: Any) -> bool:
        db, root_path = key
        if db == dbname:
            return root_path in table
        return db in Registry.registries

    app_pool.prune(keep)


class _RouteTarget:
    """What Odoo sees as the controller of an endpoint's routes."""

    def __init__(self, route: EndpointRoute) -> None:
        self.route = route

    def serve(self, **_params: Any) -> None:
        raise NotImplementedError("FastAPI routes are served by FastApiDispatcher")


def _readonly(target: _RouteTarget, rule: Rule, args: Mapping[str, Any]) -> bool:
    return not target.route.force_readwrite and http.request.httprequest.method in SAFE_METHODS


@dataclass(frozen=True)
class EndpointRoute:
    """The routing facts of one endpoint, cached per registry."""

    endpoint_id: int
    root_path: str
    app_version: int
    uid: int
    company_id: int | None
    save_session: bool
    force_readwrite: bool
    lang: str | None = None
    tz: str | None = None
    pooled: bool = True
    # For the answers made outside the app (its CORS layer makes the others').
    cors: CorsPolicy | None = field(default=None, compare=False)
    rule: Rule = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        endpoint = functools.partial(_RouteTarget(self).serve)
        endpoint.routing = {  # type: ignore[attr-defined]
            "type": FastApiDispatcher.routing_type,
            "auth": "none",
            "methods": None,
            "routes": [self.root_path],
            "csrf": False,
            "readonly": _readonly,
            "save_session": self.save_session,
        }
        object.__setattr__(self, "rule", Rule(self.root_path, endpoint=endpoint))


@dataclass(frozen=True)
class _AppError:
    """An exception the app answered, and its answer."""

    exception: BaseException
    response: AsgiResponse


def _piece_size(read: int, limit: int | None) -> int:
    # A read returns once it has all it asked for: near the limit, ask for
    # one byte past it, so that crossing it is seen without waiting for more.
    return BODY_PIECE_SIZE if limit is None else max(1, min(BODY_PIECE_SIZE, limit + 1 - read))


class FastApiDispatcher(http.Dispatcher):
    routing_type = "fastapi"

    @classmethod
    def is_compatible_with(cls, request: http.Request) -> bool:
        return True

    def __init__(self, request: http.Request) -> None:
        super().__init__(request)
        self._env_context: dict[str, Any] | None = None
        self._env: Environment | None = None
        self._app_error: _AppError | None = None
        self._route: EndpointRoute | None = None

    def pre_dispatch(self, rule: Rule, args: Mapping[str, Any]) -> None:
        # ir.http's _pre_dispatch hooks run after this one: they then see the
        # endpoint's user and language instead of an anonymous env, and
        # Odoo's get_lang needs no fallback on the company's language (three
        # queries) when the client's language is not installed.
        self._route = rule.endpoint.func.__self__.route
        self._prepare_env(self._route)
        return super().pre_dispatch(rule, args)

    def dispatch(self, endpoint: Callable, args: Mapping[str, Any]) -> http.Response:
        route: EndpointRoute = endpoint.func.__self__.route
        self._app_error = None
        # Again: a _pre_dispatch hook may have changed the env since.
        env = self._prepare_env(route)
        body = self._read_body()
        scope = make_scope(self.request.httprequest.environ, route.root_path)
        env_token = odoo_env_ctx.set(env)
        endpoint_token = fastapi_endpoint_id_ctx.set(route.endpoint_id)
        try:
            with self._lease_app(env, route) as app:
                result = app(scope, body)
        except Exception as exc:
            # Raised through the app's last-resort handler, which answered it.
            _log_client_error_briefly(exc, describe(exc).status)
            raise
        finally:
            fastapi_endpoint_id_ctx.reset(endpoint_token)
            odoo_env_ctx.reset(env_token)
        # An error the app answered itself: its writes must not be committed.
        # Unless idempotency stored it with its key, having undone the writes.
        if result.status >= 400 and not scope.get(ANSWER_KEPT):
            self._raise_app_error(result, scope.get(HANDLED_EXCEPTION))
        env.flush_all()
        return _to_response(result)

    def _raise_app_error(self, result: AsgiResponse, exc: BaseException | None) -> None:
        if exc is None:
            werkzeug.exceptions.abort(_to_response(result))
        self._app_error = _AppError(exc, result)
        _log_client_error_briefly(exc, result.status)
        raise exc

    def handle_error(self, exc: Exception) -> Callable:
        app_error = self._app_error
        if app_error is not None and app_error.exception is exc:
            response = _to_response(app_error.response)
        else:
            info = describe(exc)
            response = http.Response(info.body(), status=info.status, content_type="application/json")
            # Refused before the app ran (a body over the limit, broken
            # framing) or failed after it (the commit): a browser page the
            # endpoint's CORS policy allows must still be able to read why.
            for name, value in self._cors_headers():
                response.headers[name] = value
        # Headers the exception carries, some of them added since the app
        # answered (a request log adds its entry's id).
        for name, value in exception_headers(exc).items():
            response.headers[name] = value
        return response

    def _cors_headers(self) -> list[tuple[str, str]]:
        policy = self._route.cors if self._route else None
        return policy.origin_headers(self.request.httprequest.headers.get("Origin")) if policy else []

    def _get_environ(self) -> dict[str, Any]:
        """The WSGI environ, its body readable from the start (OCA's API).

        Each call rewinds it: a request log may read the body before the app
        and again on Odoo's retry.
        """
        environ = self.request.httprequest.environ
        environ["wsgi.input"] = io.BytesIO(self._read_body())
        return environ

    def _prepare_env(self, route: EndpointRoute) -> Environment:
        # Unless a hook replaced the request's env, it is still the one made
        # for the route: making it again would give the same env.
        if self._env is None or self.request.env is not self._env:
            if self._env_context is None:
                self._env_context = self._route_context(route)
            self.request.update_env(user=route.uid, context=self._env_context)
            self._env = self.request.env
        return self._env

    def _route_context(self, route: EndpointRoute) -> dict[str, Any]:
        # The user's language and timezone come with the route: no cache an
        # unrelated invalidation empties is read on the way.
        accept_language = self.request.httprequest.headers.get("Accept-Language")
        lang = accept_language and self.request.env["res.lang"]._get_lang_from_accept_language(accept_language)
        context = {"lang": lang or route.lang or "en_US", "tz": route.tz, "uid": route.uid}
        if route.company_id:
            context["allowed_company_ids"] = [route.company_id]
        return context

    def _read_body(self) -> bytes:
        """The request body, read once in bounded pieces and kept in the environ.

        Odoo may run the request again after a serialization failure, with
        the same environ: the second try finds the bytes the first one read.
        """
        environ = self.request.httprequest.environ
        if BODY_ENVIRON_KEY not in environ:
            environ[BODY_ENVIRON_KEY] = self._read_stream() if _may_have_body(environ) else b""
        return environ[BODY_ENVIRON_KEY]

    def _read_stream(self) -> bytes:
        httprequest = self.request.httprequest
        # Odoo's upload limit (web.max_file_upload_size, or the route's): the
        # werkzeug Odoo pins applies it to forms only, not to a JSON body.
        limit = httprequest.max_content_length
        if limit is not None and (httprequest.content_length or 0) > limit:
            raise werkzeug.exceptions.RequestEntityTooLarge()
        # Odoo's wrapper of the werkzeug request does not expose its stream
        # (Odoo's own code reaches the wrapped request the same way).
        stream = httprequest._HTTPRequest__wrapped.stream
        body = io.BytesIO()
        try:
            # A chunked body has no length to check first: it is read piece by
            # piece and refused as soon as it crosses the limit, so that no
            # client can make a worker hold more than that.
            while piece := stream.read(_piece_size(body.tell(), limit)):
                body.write(piece)
                if limit is not None and body.tell() > limit:
                    raise werkzeug.exceptions.RequestEntityTooLarge()
        except OSError as exc:
            # werkzeug's de-chunking reports broken framing this way.
            _logger.warning("FastAPI: unreadable request body: %s", exc)
            raise werkzeug.exceptions.BadRequest("Malformed request body") from exc
        chunked = "chunked" in httprequest.headers.get("Transfer-Encoding", "").lower()
        if not body.tell() and chunked and httprequest.content_length is None:
            # A server that does not de-chunk leaves werkzeug no length: the
            # body would silently read as empty.
            raise werkzeug.exceptions.LengthRequired()
        return body.getvalue()

    def _lease_app(self, env: Environment, route: EndpointRoute) -> AbstractContextManager[LoopedApp]:
        build = functools.partial(self._build_app, env, route)
        if not route.pooled:
            return contextlib.closing(build())
        version = AppVersion(self.request.registry.registry_sequence, route.app_version)
        return app_pool.lease((env.cr.dbname, route.root_path), version, build)

    def _build_app(self, env: Environment, route: EndpointRoute) -> LoopedApp:
        endpoint = env["fastapi.endpoint"].sudo().browse(route.endpoint_id)
        return LoopedApp(endpoint._get_app())


def _may_have_body(environ: Mapping[str, Any]) -> bool:
    """Whether werkzeug would read anything of the request's body.

    It reads nothing without a length, unless the server says its input ends
    (a body it de-chunked); a chunked body the server left as it is must
    still be refused (see ``_read_stream``).
    """
    return bool(
        environ.get("CONTENT_LENGTH") or environ.get("wsgi.input_terminated") or environ.get("HTTP_TRANSFER_ENCODING")
    )


def _log_client_error_briefly(exc: BaseException, status: int) -> None:
    """Odoo logs what a request raised: a client's error is one line, not a traceback.

    A WARNING with Odoo's full message, or, for an HTTP error the app chose
    (the access log shows its status), a DEBUG line.
    """
    if status >= 500 or hasattr(exc, "loglevel"):
        return
    level = logging.DEBUG if isinstance(exc, StarletteHTTPException) else logging.WARNING
    with contextlib.suppress(AttributeError):
        exc.loglevel = level  # type: ignore[attr-defined]


def _to_response(result: AsgiResponse) -> http.Response:
    response = http.Response(bytes(result.body), status=result.status, headers=result.headers)
    # werkzeug labels an answer without a type as HTML: the app's 204 says none.
    if not any(name.lower() == "content-type" for name, _value in result.headers):
        response.headers.pop("Content-Type", None)
    return response
