# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""validation_errors: a 422 for any invalid body, NaN and lone surrogates included."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Header
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.testclient import TestClient

from validation_errors import MAX_ECHO_DEPTH, json_safe, request_validation_error_handler


class Item(BaseModel):
    count: int


def make_app() -> FastAPI:
    app = FastAPI()
    app.exception_handlers[RequestValidationError] = request_validation_error_handler

    @app.post("/items")
    def create(item: Item) -> Item:
        return item

    return app


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_number_is_a_422(number):
    client = TestClient(make_app(), raise_server_exceptions=False)
    response = client.post("/items", content=f'{{"count": {number}}}', headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "count"]


def test_finite_input_echoed_as_fastapi_does():
    client = TestClient(make_app())
    response = client.post("/items", json={"count": "x"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["input"] == "x"


def test_json_safe():
    assert json_safe({"a": [float("nan"), 1.5, (float("-inf"),)]}) == {"a": ["nan", 1.5, ["-inf"]]}


@pytest.mark.parametrize(
    ("body", "echoed"),
    [
        # A JSON string may hold a lone surrogate, and the 422 echoing it
        # could not be encoded (a 500 before the fix).
        ('{"count": "\\ud800"}', "\\ud800"),
        # The whole body is echoed when a field is missing: its keys too.
        ('{"\\udfff": 1}', {"\\udfff": 1}),
    ],
)
def test_lone_surrogate_is_a_422(body, echoed):
    client = TestClient(make_app(), raise_server_exceptions=False)
    response = client.post("/items", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["input"] == echoed


def test_deeply_nested_input_is_a_422_with_its_echo_cut():
    # Python's JSON parser accepts a body nested hundreds of levels deep; the
    # encoders of the echo walked it recursively (a 500 before the fix).
    client = TestClient(make_app(), raise_server_exceptions=False)
    depth = 800
    response = client.post(
        "/items", content='{"count": ' + "[" * depth + "]" * depth + "}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    echoed, levels = response.json()["detail"][0]["input"], 0
    while isinstance(echoed, list):
        echoed, levels = echoed[0], levels + 1
    assert (levels, echoed) == (MAX_ECHO_DEPTH, "...")


def test_json_safe_escapes_lone_surrogates():
    assert json_safe({"\udc80": ["a\ud800b", "é"]}) == {"\\udc80": ["a\\ud800b", "é"]}


def token(x_ref: Annotated[str, Header()]) -> str:
    return x_ref


def first(value: Annotated[str, Depends(token)]) -> str:
    return value


def second(value: Annotated[str, Depends(token)]) -> str:
    return value


def test_an_error_met_through_several_dependencies_is_listed_once():
    # FastAPI solves the failed dependency again for each dependant: three
    # identical "Field required" before the fix.
    app = make_app()

    @app.get("/guarded", dependencies=[Depends(first)])
    def guarded(value: Annotated[str, Depends(second)], again: Annotated[str, Depends(token)]) -> str:
        return value

    response = TestClient(app).get("/guarded")
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == [
        {"type": "missing", "loc": ["header", "x-ref"], "msg": "Field required", "input": None}
    ]
