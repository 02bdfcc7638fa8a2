# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""engine.methods: HEAD and OPTIONS on routes that did not declare them."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from starlette.middleware import Middleware

from engine.methods import HttpMethodsMiddleware


@pytest.fixture
def client() -> TestClient:
    app = FastAPI(middleware=[Middleware(HttpMethodsMiddleware)])

    @app.get("/items")
    async def items() -> list[int]:
        return [1, 2, 3]

    @app.post("/items")
    async def add() -> None:
        return None

    @app.put("/only-put")
    async def only_put() -> None:
        return None

    @app.options("/own-options")
    async def own_options() -> Response:
        return Response(status_code=200, headers={"X-Own": "yes"})

    return TestClient(app)


def test_head_answers_like_get_without_body(client):
    get = client.get("/items")
    head = client.head("/items")
    assert head.status_code == 200, head.text
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-type"] == "application/json"


def test_options_names_the_methods_of_the_path(client):
    response = client.options("/items")
    assert response.status_code == 204, response.text
    assert response.headers["allow"] == "GET, HEAD, OPTIONS, POST"


def test_head_on_a_path_without_get_stays_405(client):
    assert client.head("/only-put").status_code == 405
    assert client.options("/only-put").headers["allow"] == "OPTIONS, PUT"


def test_a_route_declaring_options_keeps_it(client):
    response = client.options("/own-options")
    assert response.status_code == 200
    assert response.headers["x-own"] == "yes"


def test_unknown_path_stays_404(client):
    assert client.options("/nowhere").status_code == 404
    assert client.head("/nowhere").status_code == 404
