# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""app_routes: overrides written into the routes, analysed routes shared between apps."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException
from fastapi.testclient import TestClient

from app_routes import Baker, ServedFastAPI
from openapi_answers import document_error_answers

events: list[str] = []


async def current_user() -> str:
    raise NotImplementedError("to be overridden")


async def user_from_header(x_user: Annotated[str, Header()]) -> str:
    return x_user


def sync_user_from_header(x_user: Annotated[str, Header()]) -> str:
    return f"sync {x_user}"


async def greeting(user: Annotated[str, Depends(current_user)]) -> str:
    return f"hello {user}"


def tracked_transaction():
    events.append("begin")
    try:
        yield "tx"
    except HTTPException:
        events.append("rollback")
        raise
    else:
        events.append("commit")


async def async_tracked():
    events.append("abegin")
    try:
        yield "atx"
    except HTTPException:
        events.append("arollback")
        raise
    else:
        events.append("acommit")


def audit(user: str = Depends(current_user)) -> None:
    events.append(f"audit {user}")


router = APIRouter()


@router.get("/greet", dependencies=[Depends(audit)])
async def greet(text: Annotated[str, Depends(greeting)], tx: Annotated[str, Depends(tracked_transaction)]) -> dict:
    return {"text": text, "tx": tx}


@router.get("/fail")
async def fail(tx: Annotated[str, Depends(tracked_transaction)], atx: Annotated[str, Depends(async_tracked)]) -> None:
    raise HTTPException(409, "nope")


@router.get("/plain")
async def plain() -> dict:
    return {"plain": True}


def baked_app(override) -> FastAPI:
    app = ServedFastAPI()
    Baker({current_user: override}).include(app, router)
    assert not app.dependency_overrides
    return app


def test_override_reaches_nested_dependencies():
    events.clear()
    with TestClient(baked_app(user_from_header)) as client:
        response = client.get("/greet", headers={"x-user": "ann"})
    assert response.status_code == 200, response.text
    assert response.json() == {"text": "hello ann", "tx": "tx"}
    assert events == ["audit ann", "begin", "commit"]


def test_sync_override():
    with TestClient(baked_app(sync_user_from_header)) as client:
        assert client.get("/greet", headers={"x-user": "bo"}).json()["text"] == "hello sync bo"


def test_override_params_are_validated_and_documented():
    app = baked_app(user_from_header)
    with TestClient(app) as client:
        assert client.get("/greet").status_code == 422
    parameters = app.openapi()["paths"]["/greet"]["get"]["parameters"]
    assert [p["name"] for p in parameters] == ["x-user"]


def test_generator_dependencies_see_the_route_error():
    events.clear()
    with TestClient(baked_app(user_from_header)) as client:
        assert client.get("/fail").status_code == 409
    assert "rollback" in events and "arollback" in events


def test_untouched_routes_and_functions_are_kept():
    baker = Baker({current_user: user_from_header})
    assert baker.call(plain, endpoint=True) is plain
    assert baker.call(tracked_transaction) is tracked_transaction
    assert baker.call(current_user) is user_from_header
    assert baker.call(greeting) is not greeting


def test_router_of_routers_falls_back_to_runtime_overrides():
    outer = APIRouter()
    outer.include_router(router, prefix="/inner")
    app = FastAPI()
    Baker({current_user: user_from_header}).include(app, outer)
    with TestClient(app) as client:
        response = client.get("/inner/greet", headers={"x-user": "cy"})
    assert response.json()["text"] == "hello cy"


def test_apps_built_alike_share_their_analysed_routes():
    first, second = baked_app(user_from_header), baked_app(user_from_header)
    assert [id(r) for r in first.router.routes[-3:]] == [id(r) for r in second.router.routes[-3:]]
    other = baked_app(sync_user_from_header)
    assert first.router.routes[-1] is not other.router.routes[-1]
    with TestClient(second) as client:
        assert client.get("/greet", headers={"x-user": "di"}).json()["text"] == "hello di"
    with TestClient(other) as client:
        assert client.get("/greet", headers={"x-user": "di"}).json()["text"] == "hello sync di"


def test_runtime_overrides_on_an_app_with_shared_routes():
    # The OCA way: an override set on the app after it was built.
    shared = baked_app(user_from_header)
    shared.dependency_overrides[user_from_header] = sync_user_from_header
    with TestClient(shared) as client:
        assert client.get("/greet", headers={"x-user": "ed"}).json()["text"] == "hello sync ed"
    with TestClient(baked_app(user_from_header)) as client:
        assert client.get("/greet", headers={"x-user": "ed"}).json()["text"] == "hello ed"


def test_runtime_override_of_a_baked_dependency():
    # The OCA test helper overrides the abstract dependency on a built app.
    app = baked_app(user_from_header)
    app.dependency_overrides[current_user] = constant_user
    with TestClient(app) as client:
        assert client.get("/greet").json()["text"] == "hello fixed"


async def constant_user() -> str:
    return "fixed"


def evaluated(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` with its annotations evaluated.

    FastAPI 0.115 cannot evaluate the annotations the __future__ import
    leaves as strings on a class or a callable instance: it looks for the
    names in globals these have not.
    """
    method.__signature__ = inspect.signature(method, eval_str=True)
    return method


class RequireAdmin:
    """A callable instance whose async __call__ reaches the overridden dependency."""

    @evaluated
    async def __call__(self, user: Annotated[str, Depends(current_user)]) -> None:
        if user != "admin":
            raise HTTPException(403, "admins only")


class UserBox:
    @evaluated
    def __init__(self, user: Annotated[str, Depends(current_user)]) -> None:
        self.user = user


def test_callable_instances_and_class_dependencies_are_baked():
    extra = APIRouter()

    @extra.get("/admin", dependencies=[Depends(RequireAdmin())])
    async def admin() -> dict:
        return {"ok": True}

    @extra.get("/box")
    async def box(found: Annotated[UserBox, Depends()]) -> dict:
        return {"user": found.user}

    app = ServedFastAPI()
    Baker({current_user: user_from_header}).include(app, extra)
    with TestClient(app) as client:
        assert client.get("/admin", headers={"x-user": "eve"}).status_code == 403
        assert client.get("/admin", headers={"x-user": "admin"}).status_code == 200
        assert client.get("/box", headers={"x-user": "fay"}).json() == {"user": "fay"}


# A route setting of the newest FastAPIs only.
BODY_LIMITS = "max_body_size" in inspect.signature(APIRouter.add_api_route).parameters


def test_route_settings_and_later_routes_are_kept():
    extra = APIRouter()
    limits = {"max_body_size": 10} if BODY_LIMITS else {}

    @extra.post("/small", status_code=202, **limits)
    async def small(payload: dict) -> dict:
        return payload

    def app() -> FastAPI:
        built = ServedFastAPI()
        Baker({current_user: user_from_header}).include(built, extra)
        return built

    with TestClient(app()) as client:
        if BODY_LIMITS:
            assert client.post("/small", json={"a": "b" * 100}).status_code == 413
        assert client.post("/small", json={"a": "b"}).status_code == 202
        assert client.get("/later").status_code == 404

    @extra.get("/later")
    async def later() -> dict:
        return {"later": True}

    with TestClient(app()) as client:
        assert client.get("/later").json() == {"later": True}


def documented_dependency(user: Annotated[str, Depends(current_user)]) -> None:
    """Reads a header by hand; documents it and its answer itself."""


def _document_token(operation: dict, method: str) -> None:
    operation.setdefault("parameters", []).append({"name": "X-Token", "in": "header", "schema": {"type": "string"}})
    operation["responses"]["409"] = {"description": f"taken ({method})"}


documented_dependency.document_openapi_operation = _document_token


def test_dependencies_document_themselves():
    documented = APIRouter()

    @documented.post("/baked", dependencies=[Depends(documented_dependency)])
    async def baked() -> None: ...

    @documented.put("/app-wide")
    async def app_wide() -> None: ...

    # Through a twin of the baker (an overridden sub-dependency), and app-wide.
    baker = Baker({current_user: user_from_header})
    app = ServedFastAPI(dependencies=[baker.depends(Depends(documented_dependency))])
    baker.include(app, documented)
    paths = app.openapi()["paths"]
    for path, method in [("/baked", "post"), ("/app-wide", "put")]:
        operation = paths[path][method]
        assert [p["name"] for p in operation["parameters"]] == ["x-user", "X-Token"], operation
        assert operation["responses"]["409"] == {"description": f"taken ({method.upper()})"}
    assert app.openapi() is app.openapi()


def test_the_addons_own_answers_are_documented():
    router = APIRouter()

    @router.post("/items")
    async def create(item: dict[str, int]) -> None: ...

    @router.get("/plain")
    async def plain() -> None: ...

    app = ServedFastAPI()
    app.openapi_documenters = (document_error_answers,)
    Baker({}).include(app, router)
    paths = app.openapi()["paths"]
    responses = paths["/items"]["post"]["responses"]
    detail = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
    # A body that cannot be parsed; a value the database refuses, beside FastAPI's list of errors.
    assert responses["400"]["content"]["application/json"]["schema"] == detail
    assert responses["422"]["content"]["application/json"]["schema"] == {
        "anyOf": [{"$ref": "#/components/schemas/HTTPValidationError"}, detail]
    }
    assert set(paths["/plain"]["get"]["responses"]) == {"200"}


# Repeated dependencies: the OCA shape, where the authentication is reached
# twice (directly, and through the env that carries the partner).
calls: list[str] = []


async def request_context() -> str:
    calls.append("context")
    return "ctx"


async def partner_impl(context: Annotated[str, Depends(request_context)]) -> str:
    calls.append("impl")
    return f"partner of {context}"


async def partner_env(partner: Annotated[str, Depends(partner_impl)]) -> str:
    return f"env of {partner}"


async def header_partner(x_partner: Annotated[str, Header()]) -> str:
    calls.append("header")
    return x_partner


async def header_partner_env(partner: Annotated[str, Depends(header_partner)]) -> str:
    return f"env of {partner}"


def _walks(dependant: Any) -> list[Any]:
    """Each callable FastAPI walks into, once per time it is met."""
    found, pending = [], [dependant]
    while pending:
        current = pending.pop()
        found.append(current.call)
        pending.extend(current.dependencies)
    return found


def repeated_router() -> APIRouter:
    repeated = APIRouter()

    @repeated.get("/twice")
    async def twice(partner: Annotated[str, Depends(partner_impl)], env: Annotated[str, Depends(partner_env)]) -> dict:
        return {"partner": partner, "env": env}

    @repeated.get("/uncached")
    async def uncached(
        partner: Annotated[str, Depends(partner_impl)],
        again: Annotated[str, Depends(partner_impl, use_cache=False)],
    ) -> dict:
        return {"partner": partner, "again": again}

    @repeated.get("/header")
    async def header(
        partner: Annotated[str, Depends(header_partner)], env: Annotated[str, Depends(header_partner_env)]
    ) -> dict:
        return {"partner": partner, "env": env}

    return repeated


def repeated_app() -> FastAPI:
    app = ServedFastAPI()
    Baker({}).include(app, repeated_router())
    return app


def route_of(app: FastAPI, path: str) -> Any:
    [route] = [r for r in app.router.routes if getattr(r, "path", None) == path]
    return route


def test_a_repeated_dependency_is_walked_once():
    app = repeated_app()
    # partner_impl and its request_context: walked once, where FastAPI walked them twice.
    walks = _walks(route_of(app, "/twice").dependant)
    assert walks.count(request_context) == 1
    assert walks.count(partner_impl) == 2  # met twice, the second time as a leaf
    calls.clear()
    with TestClient(app) as client:
        response = client.get("/twice")
    assert response.json() == {"partner": "partner of ctx", "env": "env of partner of ctx"}
    assert calls == ["context", "impl"]


def test_a_dependency_not_cached_is_called_again():
    app = repeated_app()
    calls.clear()
    with TestClient(app) as client:
        response = client.get("/uncached")
    assert response.json() == {"partner": "partner of ctx", "again": "partner of ctx"}
    assert calls == ["context", "impl", "impl"]


def test_a_repeated_dependency_with_request_parameters_is_kept_whole():
    # Its subtree may fail validation: FastAPI must walk it each time.
    app = repeated_app()
    assert _walks(route_of(app, "/header").dependant).count(header_partner) == 2
    assert all(node.header_params for node in _dependants_of(route_of(app, "/header").dependant, header_partner))
    with TestClient(app) as client:
        assert client.get("/header").status_code == 422
        assert client.get("/header", headers={"x-partner": "gus"}).json() == {"partner": "gus", "env": "env of gus"}


def _dependants_of(dependant: Any, call: Any) -> list[Any]:
    found, pending = [], [dependant]
    while pending:
        current = pending.pop()
        if current.call is call:
            found.append(current)
        pending.extend(current.dependencies)
    return found


def test_the_docs_of_a_route_with_repeats_are_unchanged():
    plain = FastAPI()
    plain.include_router(repeated_router())
    assert repeated_app().openapi()["paths"] == plain.openapi()["paths"]
