# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""documenting_dependencies: an app-level dependency that only documents costs no request anything."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Cookie, Depends, FastAPI, Header
from fastapi.testclient import TestClient

from app_routes import Baker, ServedFastAPI
from documenting_dependencies import DOCUMENTS_ONLY, documenter, split
from openapi_answers import document_error_answers

calls: list[str] = []


async def language(
    accept_language: Annotated[str | None, Header(alias="Accept-Language", description="Preferred languages")] = None,
) -> str | None:
    calls.append("language")
    return accept_language


setattr(language, DOCUMENTS_ONLY, True)


async def tenant(x_tenant: Annotated[str | None, Header()] = None) -> str | None:
    return x_tenant


async def audited() -> None:
    calls.append("audited")


router = APIRouter()


@router.get("/plain")
async def plain() -> dict[str, str]:
    return {"ok": "yes"}


@router.get("/items/{item_id}")
async def item(
    item_id: int,
    q: str | None = None,
    x_own: Annotated[str | None, Header()] = None,
    who: Annotated[str | None, Depends(tenant)] = None,
    session: Annotated[str | None, Cookie()] = None,
) -> dict[str, Any]:
    return {"item_id": item_id}


@router.post("/items")
async def create(name: Annotated[str, Body(embed=True)]) -> dict[str, str]:
    return {"name": name}


@router.get("/hidden", include_in_schema=False)
async def hidden() -> None:
    return None


# As fastapi.endpoint builds its apps: the routes added one by one (Baker).
def solving_app(dependencies: list[Any]) -> FastAPI:
    app = ServedFastAPI(dependencies=dependencies)
    app.openapi_documenters = (document_error_answers,)
    Baker({}).include(app, router)
    return app


def documenting_app(dependencies: list[Any]) -> FastAPI:
    solved, documenting = split(dependencies)
    app = ServedFastAPI(dependencies=solved)
    app.openapi_documenters = (documenter(app.routes, documenting), document_error_answers)
    Baker({}).include(app, router)
    return app


def test_split_keeps_what_must_be_solved_in_its_order():
    first, second = Depends(audited), Depends(tenant)
    solved, documenting = split([first, Depends(language), second, Depends(language)])
    assert solved == [first, second]
    assert documenting == [language]


def test_the_docs_are_those_of_the_solved_dependency():
    dependencies = [Depends(audited), Depends(language)]
    assert documenting_app(dependencies).openapi() == solving_app(dependencies).openapi()


def test_the_docs_are_the_same_with_no_other_dependency():
    assert documenting_app([Depends(language)]).openapi() == solving_app([Depends(language)]).openapi()


def test_a_documenting_dependency_is_not_solved_on_a_request():
    calls.clear()
    client = TestClient(documenting_app([Depends(audited), Depends(language)]))
    assert client.get("/plain", headers={"Accept-Language": "fr"}).json() == {"ok": "yes"}
    assert calls == ["audited"]


def test_a_route_may_still_depend_on_it_for_its_value():
    calls.clear()
    app = documenting_app([Depends(language)])

    @app.get("/lang")
    async def lang(value: Annotated[str | None, Depends(language)]) -> dict[str, str | None]:
        return {"lang": value}

    assert TestClient(app).get("/lang", headers={"Accept-Language": "nl"}).json() == {"lang": "nl"}
    assert calls == ["language"]


def test_a_route_declaring_the_header_itself_keeps_its_own():
    app = documenting_app([Depends(language)])

    @app.get("/own")
    async def own(accept_language: Annotated[str | None, Header(alias="Accept-Language")] = None) -> None:
        return None

    [parameter] = app.openapi()["paths"]["/own"]["get"]["parameters"]
    assert parameter["name"] == "Accept-Language" and "description" not in parameter


def test_a_router_included_whole_gets_the_parameters_too():
    app = ServedFastAPI()
    app.openapi_documenters = (documenter(app.routes, [language]),)
    app.include_router(router)
    schema = app.openapi()
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            assert "Accept-Language" in [parameter["name"] for parameter in operation["parameters"]]
