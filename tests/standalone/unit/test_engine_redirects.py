# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""engine.redirects: Starlette's trailing-slash redirects stay on the host the client asked."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.testclient import TestClient
from starlette.middleware import Middleware

from engine.redirects import RelativeRedirectsMiddleware, _relative


@pytest.fixture
def client() -> TestClient:
    app = FastAPI(middleware=[Middleware(RelativeRedirectsMiddleware)])

    @app.get("/items")
    async def items() -> list[int]:
        return []

    @app.get("/away")
    async def away() -> RedirectResponse:
        return RedirectResponse("https://elsewhere.example/x")

    return TestClient(app, follow_redirects=False)


def test_trailing_slash_redirect_is_relative_whatever_the_host(client):
    response = client.get("/items/?a=1", headers={"Host": "evil.example"})
    assert response.status_code == 307
    assert response.headers["location"] == "/items?a=1"


def test_redirect_to_another_host_is_kept(client):
    response = client.get("/away")
    assert response.headers["location"] == "https://elsewhere.example/x"


def test_no_protocol_relative_location():
    header = _relative((b"location", b"http://testserver//evil.example/x/"), ("http", "testserver"))
    assert header == (b"location", b"/evil.example/x/")
