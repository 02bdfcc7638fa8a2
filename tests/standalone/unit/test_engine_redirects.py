# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""engine.redirects: Starlette's trailing-slash redirects stay on the host the client asked."""

from __future__ import annotations

import asyncio

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
    header = _relative((b"location", b"http://testserver//evil.example/x/"), ("http", frozenset({"testserver"})))
    assert header == (b"location", b"/evil.example/x/")


def _redirect_location(app, host: bytes | None) -> str:
    """The Location of a trailing-slash redirect, for a Host header sent as it is (None: none)."""
    headers = [] if host is None else [(b"host", host)]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/items/",
        "raw_path": b"/items/",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "server": ("127.0.0.1", 38929),
        "client": ("127.0.0.1", 5000),
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    [start] = [message for message in sent if message["type"] == "http.response.start"]
    assert start["status"] == 307
    return dict(start["headers"])[b"location"].decode("latin-1")


@pytest.mark.parametrize("host", [None, b"", b"a b", b"\xff\xfe", b"h\tx"])
def test_redirect_stays_relative_for_an_odd_or_missing_host(client, host):
    # Starlette builds the location on the server's own address when the
    # Host header is empty, and quotes an odd one: the worker's address and
    # port went out (found by an attack run).
    assert _redirect_location(client.app, host) == "/items"
