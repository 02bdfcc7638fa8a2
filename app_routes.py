# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How an endpoint's routers become the routes of its app, cheaply.

Two costs are moved out of the request path:

- Dependency overrides. With anything in ``app.dependency_overrides``,
  FastAPI analyses every dependency of a route again on every request
  (signatures, annotations, pydantic fields): an app whose authentication is
  an override, as the OCA API has it, would pay that on each call. The
  overrides are written into the routes instead: each dependency function
  that reaches an overridden one gets a twin whose signature names the
  override, and FastAPI analyses the result once. The docs then show the
  overrides' parameters (an api-key header, ...) too.
- Route analysis. Building the routes of an app is most of the cost of
  building it, paid by the first request after each change of the endpoint.
  The analysed routes of a router are kept per process and shared by the
  apps built with the same overrides and app settings; they hold no state of
  a request. Runtime overrides still work on a shared route: it asks the app
  that is serving the request (``ServingApp``), which also maps an override
  of a function to the twin the routes hold in its place.
- Repeated dependencies. FastAPI calls a dependency once per request and
  reuses its value where it is met again, but walks the whole subtree below
  it each time before it looks in its cache. The OCA API meets its
  authentication twice in every authenticated route (``authenticated_partner``
  depends on ``authenticated_partner_impl``, and on ``authenticated_partner_env``
  which depends on it again). A dependency met again once solved becomes a
  leaf in the route (``prune_repeats``): FastAPI finds its value at once.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator
from contextvars import ContextVar
from typing import Annotated, Any, get_args, get_origin

import fastapi
from fastapi import APIRouter, FastAPI, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

try:  # FastAPI 0.12x and later: the key of a dependency's cached value is computed
    from fastapi.dependencies.models import _get_cache_key
except ImportError:  # before: an attribute of the node (see _cache_key)
    _get_cache_key = None

_logger = logging.getLogger(__name__)

Overrides = dict[Callable[..., Any], Callable[..., Any]]

# The parameters of add_api_route that are route settings this module knows,
# each held by a route under its own name: include_router copies them from
# route to route, and so do we. Older FastAPIs have fewer of them (the last
# ones came with 0.16x).
_KNOWN_ROUTE_FIELDS = frozenset(
    (
        "response_model",
        "status_code",
        "tags",
        "summary",
        "description",
        "response_description",
        "responses",
        "deprecated",
        "methods",
        "operation_id",
        "response_model_include",
        "response_model_exclude",
        "response_model_by_alias",
        "response_model_exclude_unset",
        "response_model_exclude_defaults",
        "response_model_exclude_none",
        "include_in_schema",
        "response_class",
        "name",
        "callbacks",
        "openapi_extra",
        "generate_unique_id_function",
        "strict_content_type",
        "max_body_size",
        "form_limits",
    )
)
# The parameters of add_api_route that are not copied as they are.
_NOT_COPIED = frozenset(("self", "path", "endpoint", "dependencies", "route_class_override"))


@functools.cache
def route_fields(add_api_route: Callable[..., Any]) -> tuple[str, ...] | None:
    """The route settings to copy for this ``add_api_route``.

    None if it takes one this module does not know: what a new setting means
    (a dependency to bake, a value to merge) cannot be guessed, so routers are
    then included by FastAPI itself.
    """
    parameters = inspect.signature(add_api_route).parameters.values()
    names = tuple(p.name for p in parameters if p.name not in _NOT_COPIED)
    variadic = any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters)
    if variadic or not _KNOWN_ROUTE_FIELDS.issuperset(names):
        _logger.warning(
            "FastAPI %s takes route settings this addon does not know (%s): its routers are included "
            "by FastAPI itself, and dependency overrides resolved on every request (slower)",
            fastapi.__version__,
            ", ".join(sorted(set(names) - _KNOWN_ROUTE_FIELDS)) or "**kwargs",
        )
        return None
    return names


_serving_app: ContextVar[FastAPI] = ContextVar("fastapi_serving_app")
# Where an app's exception handlers leave the exception they answered, in the
# request's scope: the dispatcher raises it again for Odoo (rollback, retry on
# serialization failures, addons that log a request's exception).
HANDLED_EXCEPTION = "fastapi.handled_exception"


class ServedFastAPI(FastAPI):
    """A FastAPI app that tells shared routes it is the one serving.

    ``baked_overrides`` are the dependency overrides written into its routes:
    they stay in ``dependency_overrides`` too, where code written for the OCA
    API looks for them, without FastAPI applying them again on each request.
    """

    baked_overrides: Overrides | None = None
    # Functions that add to its OpenAPI schema what FastAPI does not list
    # (answers made around the routes), called once the schema is built.
    openapi_documenters: tuple[Callable[[dict[str, Any]], None], ...] = ()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        token = _serving_app.set(self)
        try:
            await super().__call__(scope, receive, send)
        finally:
            _serving_app.reset(token)

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            schema = super().openapi()
            document_dependencies(schema, self.routes)
            for document in self.openapi_documenters:
                document(schema)
        return self.openapi_schema

    def build_middleware_stack(self) -> Any:
        # The handlers tell the dispatcher which exception they answered, so
        # that it reaches Odoo as raised (see ``recording``).
        handlers = self.exception_handlers
        self.exception_handlers = {key: recording(handler) for key, handler in handlers.items()}
        try:
            return super().build_middleware_stack()
        finally:
            self.exception_handlers = handlers


# A dependency may carry a function of this name, (operation, method) -> None:
# it adds to the OpenAPI operation of each route that depends on it what
# FastAPI cannot see (a header the dependency reads itself, its answers).
DOCUMENT_OPERATION = "document_openapi_operation"


def document_dependencies(schema: dict[str, Any], routes: Iterable[Any]) -> None:
    """Let the routes' dependencies document themselves in ``schema``."""
    paths = schema.get("paths", {})
    for route in routes:
        if not (isinstance(route, APIRoute) and route.include_in_schema):
            continue
        documenters = _documenters(route.dependant)
        for method in sorted(route.methods):
            operation = paths.get(route.path_format, {}).get(method.lower())
            for document in documenters if operation is not None else []:
                document(operation, method)


def _documenters(dependant: Dependant) -> list[Callable[[dict[str, Any], str], None]]:
    found: dict[int, Callable[[dict[str, Any], str], None]] = {}
    for node in _nodes(dependant):
        document = getattr(node.call, DOCUMENT_OPERATION, None)
        if callable(document):
            found.setdefault(id(document), document)
    return list(found.values())


def _nodes(dependant: Dependant) -> Iterator[Dependant]:
    """``dependant`` and every dependency below it, each time it is met."""
    pending = [dependant]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(current.dependencies)


ExceptionHandler = Callable[[Request, Exception], Response | Awaitable[Response]]


def recording(handler: ExceptionHandler) -> ExceptionHandler:
    """``handler``, leaving the exception it answers in the request's scope."""
    run_async = _is_async(handler)

    async def record_and_handle(request: Request, exc: Exception) -> Response:
        request.scope[HANDLED_EXCEPTION] = exc
        if run_async:
            return await handler(request, exc)  # type: ignore[misc]
        # Starlette runs a plain function on a worker thread: so do we.
        return await run_in_threadpool(handler, request, exc)

    return record_and_handle


def _is_async(handler: Any) -> bool:
    while isinstance(handler, functools.partial):
        handler = handler.func
    return inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(getattr(handler, "__call__", None))  # noqa: B004


class _ServingApp:
    """The dependency overrides provider of shared routes."""

    @property
    def dependency_overrides(self) -> Overrides:
        app = _serving_app.get(None)
        if app is None:
            return {}
        current, baked = app.dependency_overrides, app.baked_overrides or {}
        if current == baked:
            return {}
        overrides = dict(current)
        # An override written into the routes and since taken out of the
        # app's overrides (a test client sets its own): the routes call the
        # original again, as FastAPI would.
        for original, override in baked.items():
            if original not in current:
                overrides.setdefault(override, original)
        twins = getattr(app, "baked_twins", {})
        for original, override in current.items():
            if (twin := twins.get(original)) is not None:
                overrides[twin] = override
        return overrides


SERVING_APP = _ServingApp()
# Per router (by id: routers are not hashable; the weak reference tells a
# reused id from the same router): the analysed routes for the latest few
# (overrides, app settings).
_ROUTES: dict[int, tuple[weakref.ref, OrderedDict[str, tuple]]] = {}
_ROUTES_LOCK = threading.Lock()
_ROUTES_PER_ROUTER = 4
# The settings of an app's router that shape the routes added to it.
_ROUTER_SETTINGS = (
    "dependencies",
    "deprecated",
    "include_in_schema",
    "responses",
    "callbacks",
    "route_class",
    "default_response_class",
    "generate_unique_id_function",
    "strict_content_type",
    "max_body_size",
    "tags",
    "prefix",
    "form_limits",
)


class Baker:
    def __init__(self, overrides: Overrides) -> None:
        self.overrides = overrides
        self._baked: dict[Any, Any] = {}
        # Each callable met in the routers to what the routes call instead.
        self.twins: dict[Any, Any] = {}

    def include(self, app: FastAPI, router: APIRouter) -> None:
        """Add the routes of ``router`` to ``app`` with the overrides written in.

        Routes are added one by one, so that FastAPI analyses them now, once,
        rather than on the app's first request. A router this cannot rewrite
        (one holding other routers, or websockets; any router on a FastAPI
        whose route settings this module does not know, or where rewriting
        fails) is included as it is, and its overrides are left to FastAPI
        at request time.
        """
        fields = route_fields(type(app.router).add_api_route)
        if fields is None or not all(_can_copy(route, fields) for route in router.routes):
            self._include_as_is(app, router)
            return
        start = len(app.router.routes)
        try:
            self._include_baked(app, router, fields)
        except Exception:
            # Something this FastAPI does differently: FastAPI's own way
            # builds the app all the same. Had the router itself a fault,
            # include_router raises it again.
            _logger.warning(
                "FastAPI %s: the routes of a router could not be prepared ahead, it is included by FastAPI itself",
                fastapi.__version__,
                exc_info=True,
            )
            del app.router.routes[start:]
            self._include_as_is(app, router)

    def _include_as_is(self, app: FastAPI, router: APIRouter) -> None:
        app.include_router(router)
        app.dependency_overrides.update(self.overrides)

    def _include_baked(self, app: FastAPI, router: APIRouter, fields: tuple[str, ...]) -> None:
        key = self._cache_key(app, router)
        with _ROUTES_LOCK:
            cached = _routes_of(router).get(key)
        if cached is not None:
            routes, twins, _keep_alive = cached
            app.router.routes.extend(routes)
            _twins_of(app).update(twins)
            return
        start = len(app.router.routes)
        own_provider = app.router.dependency_overrides_provider
        app.router.dependency_overrides_provider = SERVING_APP
        try:
            self._add_routes(app, router, fields)
        finally:
            app.router.dependency_overrides_provider = own_provider
        _twins_of(app).update(self.twins)
        with _ROUTES_LOCK:
            per_key = _routes_of(router)
            # The entry holds the overrides: their ids in the key stay theirs.
            per_key[key] = (app.router.routes[start:], dict(self.twins), list(self.overrides.items()))
            while len(per_key) > _ROUTES_PER_ROUTER:
                per_key.popitem(last=False)

    def _add_routes(self, app: FastAPI, router: APIRouter, fields: tuple[str, ...]) -> None:
        for route in router.routes:
            if isinstance(route, APIRoute):
                kwargs = {name: getattr(route, name) for name in fields}
                kwargs["dependencies"] = [self.depends(dep) for dep in route.dependencies]
                app.router.add_api_route(
                    route.path,
                    self.call(route.endpoint, endpoint=True),
                    route_class_override=type(route),
                    **kwargs,
                )
                prune_repeats(app.router.routes[-1].dependant)
            else:
                app.router.routes.append(route)

    def _cache_key(self, app: FastAPI, router: APIRouter) -> str:
        # Overrides by identity: two with the same repr (partials over a
        # record of each database) must not share routes. The routes of the
        # router by identity too: one added later makes a new entry.
        overrides = sorted((id(k), id(v)) for k, v in self.overrides.items())
        settings = tuple(getattr(app.router, name, None) for name in _ROUTER_SETTINGS)
        dependencies = tuple(id(dep.dependency) for dep in app.router.dependencies or ())
        return repr((overrides, settings, dependencies, tuple(map(id, router.routes))))

    def depends(self, dep: params.Depends, annotation: Any = None) -> params.Depends:
        # Depends() with no callable depends on the annotation (a class).
        original = dep.dependency if dep.dependency is not None else annotation
        if original is None:
            return dep
        call = self.call(original)
        return dep if call is original else _replace(dep, dependency=call)

    def call(self, call: Callable[..., Any], endpoint: bool = False) -> Callable[..., Any]:
        """``call``, or its override, with the overrides written into its signature."""
        target = call if endpoint else self.overrides.get(call, call)
        if target in self._baked:
            return self._remember(call, self._baked[target])
        self._baked[target] = target  # a cycle, if any, resolves to the original
        try:
            signature = inspect.signature(target, eval_str=True)
        except (TypeError, ValueError, NameError):
            return self._remember(call, target)  # a callable FastAPI analyses its own way (a builtin)
        parameters = [self._parameter(p) for p in signature.parameters.values()]
        if all(new is old for new, old in zip(parameters, signature.parameters.values(), strict=True)):
            return self._remember(call, target)
        baked = _twin(target, signature.replace(parameters=parameters))
        self._baked[target] = baked
        return self._remember(call, baked)

    def _remember(self, call: Any, result: Any) -> Any:
        if result is not call:
            self.twins[call] = result
        return result

    def _parameter(self, parameter: inspect.Parameter) -> inspect.Parameter:
        annotation, default = parameter.annotation, parameter.default
        if get_origin(annotation) is Annotated:
            base, *metadata = get_args(annotation)
            baked_metadata = [self.depends(m, base) if isinstance(m, params.Depends) else m for m in metadata]
            if any(new is not old for new, old in zip(baked_metadata, metadata, strict=True)):
                annotation = Annotated[(base, *baked_metadata)]
        if isinstance(default, params.Depends):
            default = self.depends(default, None if annotation is inspect.Parameter.empty else annotation)
        if annotation is parameter.annotation and default is parameter.default:
            return parameter
        return parameter.replace(annotation=annotation, default=default)


def _can_copy(route: Any, fields: tuple[str, ...]) -> bool:
    """Whether ``route`` can be added again with the same settings.

    Routes holding other routers, or websockets, are left to include_router.
    """
    if isinstance(route, APIRoute):
        return all(hasattr(route, name) for name in fields)
    return isinstance(route, Route | Mount)


def _twins_of(app: FastAPI) -> dict[Any, Any]:
    """Each callable of the app's routers to the twin its routes hold instead.

    A runtime override of the callable must reach the twin (``_ServingApp``).
    """
    if "baked_twins" not in vars(app):
        app.baked_twins = {}
    return app.baked_twins


def _routes_of(router: APIRouter) -> OrderedDict[str, tuple]:
    """The cache entry of ``router``; call with _ROUTES_LOCK held."""
    ref, per_key = _ROUTES.get(id(router), (None, None))
    if ref is None or ref() is not router:
        key = id(router)
        per_key = OrderedDict()
        _ROUTES[key] = (weakref.ref(router, lambda _ref: _ROUTES.pop(key, None)), per_key)
    return per_key


def _replace(dep: params.Depends, **changes: Any) -> params.Depends:
    if dataclasses.is_dataclass(dep):
        return dataclasses.replace(dep, **changes)
    new = type(dep).__new__(type(dep))
    new.__dict__.update(vars(dep), **changes)
    return new


def _twin(target: Callable[..., Any], signature: inspect.Signature) -> Callable[..., Any]:
    """A function that calls ``target``, of the same kind, with ``signature``."""
    # A callable instance is of the kind of its __call__, as FastAPI sees it.
    # (A class gets type.__call__, neither async nor a generator: a sync call.)
    kind = target if inspect.isroutine(target) or isinstance(target, functools.partial) else type(target).__call__
    if inspect.isasyncgenfunction(kind):

        async def twin(*args: Any, **kwargs: Any) -> Any:
            # Delegate like "yield from" does: an exception FastAPI throws in
            # at the yield (the route failed) must reach the original.
            inner = target(*args, **kwargs)
            try:
                value = await inner.__anext__()
            except StopAsyncIteration:
                return
            while True:
                try:
                    sent = yield value
                except GeneratorExit:
                    await inner.aclose()
                    raise
                except BaseException as exc:  # noqa: BLE001 - handed to the original
                    try:
                        value = await inner.athrow(exc)
                    except StopAsyncIteration:
                        return
                else:
                    try:
                        value = await inner.asend(sent)
                    except StopAsyncIteration:
                        return

    elif inspect.isgeneratorfunction(kind):

        def twin(*args: Any, **kwargs: Any) -> Any:
            yield from target(*args, **kwargs)

    elif inspect.iscoroutinefunction(kind):

        async def twin(*args: Any, **kwargs: Any) -> Any:
            return await target(*args, **kwargs)

    else:

        def twin(*args: Any, **kwargs: Any) -> Any:
            return target(*args, **kwargs)

    functools.update_wrapper(twin, target)
    del twin.__wrapped__  # FastAPI must read the new signature, not the original's
    twin.__signature__ = signature
    return twin


# Repeated dependencies (see the module docstring).
_PARAMS = ("path_params", "query_params", "header_params", "cookie_params", "body_params")


def prune_repeats(root: Dependant) -> None:
    """Cut the repeated subtrees below ``root``, whose own list is changed in place."""
    try:
        pruned, _changed = _prune_children(root, set())
    except Exception:  # noqa: BLE001 - a FastAPI this does not know: the route stays as FastAPI made it
        _logger.debug("repeated dependencies of %s left as they are", getattr(root, "path", root), exc_info=True)
        return
    # The root itself is what the route's handler holds.
    root.dependencies[:] = pruned


def _prune_children(node: Dependant, solved: set[Hashable]) -> tuple[list[Dependant], bool]:
    """``node``'s dependencies with their repeats cut; whether any was."""
    children, changed = [], False
    for child in node.dependencies:
        key = _cache_key(child)
        if key in solved and child.use_cache and child.dependencies:
            leaf = _leaf(child)
            if leaf is not None and _cache_key(leaf) == key:
                children.append(leaf)
                changed = True
                continue
        grandchildren, cut = _prune_children(child, solved)
        if cut:
            # Never changed in place: FastAPI may share the node.
            child = dataclasses.replace(child, dependencies=grandchildren)
            changed = True
        children.append(child)
        # Once walked, its value is cached (FastAPI caches every value it
        # solves): if nothing below can fail validation, a repeat needs no walk.
        if key is not None and not any(getattr(n, name, None) for n in _nodes(child) for name in _PARAMS):
            solved.add(key)
    return children, changed


def _leaf(node: Dependant) -> Dependant | None:
    try:
        return dataclasses.replace(node, dependencies=[], **{name: [] for name in _PARAMS})
    except (TypeError, ValueError):
        return None


def _cache_key(node: Dependant) -> Any:
    """The key FastAPI caches ``node``'s value under; None if it cannot be told."""
    key = getattr(node, "cache_key", None)
    if key is None and _get_cache_key is not None:
        key = _get_cache_key(dependant=node)
    return key
