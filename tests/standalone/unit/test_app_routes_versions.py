# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""app_routes on FastAPIs older or newer than the one installed: baked where it knows how, FastAPI's way otherwise."""

from __future__ import annotations

import inspect
import logging
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Header
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import app_routes
from app_routes import Baker, ServedFastAPI

# The route settings FastAPI 0.115 did not have yet.
NEWER_SETTINGS = ("strict_content_type", "max_body_size", "form_limits")


async def current_user() -> str:
    raise NotImplementedError("to be overridden")


async def user_from_header(x_user: Annotated[str, Header()]) -> str:
    return x_user


async def greeting(user: Annotated[str, Depends(current_user)]) -> str:
    return f"hello {user}"


class OlderRoute(APIRoute):
    """A route as an older FastAPI makes it: without the newer settings."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in NEWER_SETTINGS:
            vars(self).pop(name, None)


def _signature_without(function: Any, *names: str) -> inspect.Signature:
    signature = inspect.signature(function)
    return signature.replace(parameters=[p for p in signature.parameters.values() if p.name not in names])


class OlderRouter(APIRouter):
    """A router whose add_api_route takes the settings of an older FastAPI."""

    def add_api_route(self, *args: Any, **kwargs: Any) -> None:
        super().add_api_route(*args, **kwargs)

    add_api_route.__signature__ = _signature_without(APIRouter.add_api_route, *NEWER_SETTINGS)


class NewerRouter(APIRouter):
    """A router whose add_api_route takes a setting no FastAPI has yet."""

    def add_api_route(self, *args: Any, future_setting: int = 0, **kwargs: Any) -> None:
        super().add_api_route(*args, **kwargs)

    add_api_route.__signature__ = inspect.signature(APIRouter.add_api_route).replace(
        parameters=[
            *inspect.signature(APIRouter.add_api_route).parameters.values(),
            inspect.Parameter("future_setting", inspect.Parameter.KEYWORD_ONLY, default=0),
        ]
    )


def greeting_router(route_class: type[APIRoute] = APIRoute) -> APIRouter:
    router = APIRouter(route_class=route_class)

    @router.get("/greet", status_code=203)
    async def greet(text: Annotated[str, Depends(greeting)]) -> dict:
        return {"text": text}

    return router


def app_with(router_class: type[APIRouter]) -> FastAPI:
    app = ServedFastAPI()
    # FastAPI takes no router class: the app's own router becomes one of
    # router_class, which adds no state of its own.
    app.router.__class__ = router_class
    return app


def assert_greets(app: FastAPI) -> None:
    with TestClient(app) as client:
        response = client.get("/greet", headers={"x-user": "ann"})
    assert response.status_code == 203, response.text
    assert response.json() == {"text": "hello ann"}


def test_the_installed_fastapi_is_baked():
    fields = app_routes.route_fields(APIRouter.add_api_route)
    assert fields is not None
    assert "response_model" in fields and "dependencies" not in fields


def test_routes_of_an_older_fastapi_are_baked():
    # Up to 0.164 routes lack some settings: copying them failed with an
    # AttributeError ('form_limits'), and no app could be built.
    app = app_with(OlderRouter)
    Baker({current_user: user_from_header}).include(app, greeting_router(OlderRoute))
    assert not app.dependency_overrides
    assert_greets(app)


def test_a_newer_fastapi_with_unknown_route_settings_falls_back(caplog: pytest.LogCaptureFixture):
    app = app_with(NewerRouter)
    with caplog.at_level(logging.WARNING, logger=app_routes.__name__):
        Baker({current_user: user_from_header}).include(app, greeting_router())
    assert "future_setting" in caplog.text
    assert app.dependency_overrides == {current_user: user_from_header}
    assert_greets(app)


def test_route_fields_refuse_what_they_cannot_read():
    def variadic(self: Any, path: str, endpoint: Any, **kwargs: Any) -> None: ...

    def older(self: Any, path: str, endpoint: Any, response_model: Any = None, name: str | None = None) -> None: ...

    assert app_routes.route_fields(variadic) is None
    assert app_routes.route_fields(older) == ("response_model", "name")


def test_a_failure_while_baking_falls_back(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    def fail_halfway(self: Baker, app: FastAPI, *args: Any) -> None:
        app.router.routes.append(app.router.routes[0])
        raise RuntimeError("something this FastAPI does differently")

    monkeypatch.setattr(Baker, "_add_routes", fail_halfway)
    app = ServedFastAPI()
    routes_before = len(app.router.routes)
    with caplog.at_level(logging.WARNING, logger=app_routes.__name__):
        Baker({current_user: user_from_header}).include(app, greeting_router())
    assert "could not be prepared ahead" in caplog.text
    assert len(app.router.routes) == routes_before + 1
    assert app.dependency_overrides == {current_user: user_from_header}
    assert_greets(app)
