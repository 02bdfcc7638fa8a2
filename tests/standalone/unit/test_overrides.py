# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""overrides.Baker: dependency overrides written into the routes at build time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException
from fastapi.testclient import TestClient

from overrides import Baker

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
    app = FastAPI()
    app.include_router(Baker({current_user: override}).router(router))
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
