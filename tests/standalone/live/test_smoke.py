# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The smoke stage: what every supported FastAPI must do, on a live Odoo.

Run by tools/test with the FastAPI installed, and by tools/test-fastapi-lowest
and tools/canary with the lowest and the newest ones: the demo hello, an
authenticated route, a dependency override, errors, the docs pages.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from server import OdooServer, running

requests = pytest.importorskip("requests")


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[OdooServer]:
    with running([database], workers=2) as started:
        yield started


def get(server: OdooServer, path: str, **kwargs) -> requests.Response:
    return requests.get(server.base_url + path, timeout=30, allow_redirects=False, **kwargs)


def test_hello(server):
    response = get(server, "/fastapi_demo/demo/")
    assert response.status_code == 200, response.text
    assert response.json() == {"Hello": "World"}


def test_api_key_route(server):
    who = "/fastapi_demo_login_key/demo/who_ami"
    response = get(server, who, headers={"api-key": "admin"})
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"name", "display_name"}
    assert get(server, who, headers={"api-key": "nobody"}).status_code == 401
    missing = get(server, who)
    assert missing.status_code == 401, missing.text
    assert missing.headers["WWW-Authenticate"] == "APIKey"


def test_basic_auth_route(server):
    auth = {"Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()}
    for root in ("/fastapi_demo", "/fastapi/demo-multi"):
        response = get(server, f"{root}/demo/who_ami", headers=auth)
        assert response.status_code == 200, response.text
        missing = get(server, f"{root}/demo/who_ami")
        assert missing.status_code == 401, missing.text
        assert missing.headers["WWW-Authenticate"] == "Basic"


def test_dependency_override(server):
    # The notes app authenticates through an override of authenticated_partner_impl.
    notes = server.base_url + "/test_notes/notes"
    created = requests.post(notes, json={"name": "smoke"}, headers={"X-Partner-Ref": "alice-token"}, timeout=30)
    assert created.status_code == 201, created.text
    listed = requests.get(notes, headers={"X-Partner-Ref": "alice-token"}, timeout=30)
    assert listed.status_code == 200, listed.text
    assert "smoke" in [item["name"] for item in listed.json()["items"]]
    assert requests.get(notes, headers={"X-Partner-Ref": "nobody"}, timeout=30).status_code == 401
    assert requests.get(notes, timeout=30).status_code == 422


def test_errors(server):
    response = get(server, "/fastapi_demo/demo/exception", params={"exception_type": "UserError", "error_message": "x"})
    assert response.status_code == 400, response.text
    assert get(server, "/fastapi_demo/nope").json() == {"detail": "Not Found"}


def test_docs_pages(server):
    for path in ("/fastapi_demo/docs", "/fastapi_demo/redoc"):
        response = get(server, path)
        assert response.status_code == 200, response.text
        assert "/fastapi/static/lib/" in response.text
    spec = get(server, "/fastapi_demo/openapi.json")
    assert spec.status_code == 200, spec.text
    assert "/demo/who_ami" in spec.json()["paths"]
