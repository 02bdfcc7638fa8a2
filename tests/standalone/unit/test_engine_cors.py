# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""engine.cors: an endpoint's CORS policy, with HEAD/OPTIONS handling behind it."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.middleware import Middleware

from engine.cors import CorsMiddleware, CorsPolicy
from engine.methods import HttpMethodsMiddleware

SHOP = "https://shop.example"


def client(policy: CorsPolicy | None) -> TestClient:
    middleware = [Middleware(HttpMethodsMiddleware)]
    if policy:
        middleware.insert(0, Middleware(CorsMiddleware, policy=policy))
    app = FastAPI(middleware=middleware)

    @app.get("/items")
    async def items() -> list[int]:
        return [1]

    @app.post("/items")
    async def add() -> None:
        return None

    return TestClient(app)


def preflight(method: str = "POST", origin: str = SHOP, headers: str = "content-type") -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers}


def test_parse_is_off_without_origins():
    assert CorsPolicy.parse("", "GET", "x") is None
    assert CorsPolicy.parse(None) is None


def test_parse_lists():
    policy = CorsPolicy.parse(f"{SHOP}/, https://b.example", "get post", "Content-Type,api-key")
    assert policy.origins == {SHOP, "https://b.example"}
    assert policy.methods == {"GET", "POST"}
    assert policy.headers == {"content-type", "api-key"}
    assert CorsPolicy.parse(SHOP).methods == {"GET", "HEAD", "POST"}


def test_allowed_preflight():
    response = client(CorsPolicy.parse(SHOP, "GET, POST", "Content-Type")).options("/items", headers=preflight())
    assert response.status_code == 204, response.text
    assert response.headers["access-control-allow-origin"] == SHOP
    assert response.headers["access-control-allow-methods"] == "GET, POST"
    assert response.headers["access-control-allow-headers"] == "content-type"
    assert "access-control-allow-credentials" not in response.headers


def test_refused_preflights_say_why():
    app = client(CorsPolicy.parse(SHOP, "GET, POST", "Content-Type"))
    cases = {
        "CORS origin not allowed": preflight(origin="https://evil.example"),
        "CORS method not allowed": preflight(method="DELETE"),
        "CORS headers not allowed": preflight(headers="content-type, x-secret"),
    }
    for detail, headers in cases.items():
        response = app.options("/items", headers=headers)
        assert response.status_code == 400, response.text
        assert response.json() == {"detail": detail}
        assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("method", [b"\xff", b"\xb5", b"POST\x00", b"P\x0bST", b"GET;"])
def test_a_method_that_is_no_token_is_refused(method):
    # Copied into the answer, upper-cased: \xff became a character latin-1
    # cannot write (a 500 before the fix), NUL went out as it came.
    app = client(CorsPolicy.parse(SHOP, "*", "*"))
    response = app.options("/items", headers={"Origin": SHOP, "Access-Control-Request-Method": method})
    assert response.status_code == 400, response.text
    assert response.json() == {"detail": "CORS method not allowed"}


@pytest.mark.parametrize("names", [b"x-\xe9", b"x:y", b"content-type, x\x01y"])
def test_a_header_name_that_is_no_token_is_refused(names):
    app = client(CorsPolicy.parse(SHOP, "*", "*"))
    response = app.options("/items", headers={**preflight(), "Access-Control-Request-Headers": names})
    assert response.status_code == 400, response.text
    assert response.json() == {"detail": "CORS headers not allowed"}


def test_any_method_and_header_names_are_answered_as_asked():
    app = client(CorsPolicy.parse(SHOP, "*", "*"))
    response = app.options("/items", headers=preflight(method="patch", headers="X-Trace, content-type"))
    assert response.status_code == 204, response.text
    assert response.headers["access-control-allow-methods"] == "PATCH"
    assert response.headers["access-control-allow-headers"] == "x-trace, content-type"


def test_any_origin():
    response = client(CorsPolicy.parse("*")).options("/items", headers=preflight(headers=""))
    assert response.status_code == 204, response.text
    assert response.headers["access-control-allow-origin"] == "*"


def test_actual_request_from_an_allowed_origin_carries_the_header():
    app = client(CorsPolicy.parse(SHOP))
    response = app.get("/items", headers={"Origin": SHOP})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SHOP
    assert "Origin" in response.headers["vary"]
    other = app.get("/items", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_cors_off_preflight_is_a_plain_options():
    response = client(None).options("/items", headers=preflight())
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert "access-control-allow-origin" not in response.headers
