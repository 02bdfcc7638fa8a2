# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""routing: root paths and which endpoint a URL reaches, no Odoo needed."""

from __future__ import annotations

import doctest

import pytest

import routing
from routing import RoutingTable, app_route_taken, normalize_root_path, root_path_problem, shadows


def test_doctests():
    assert doctest.testmod(routing).failed == 0


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("api", "/api"), ("/api/", "/api"), ("//api///v1//", "/api/v1"), (" /a ", "/a"), ("", "/")],
)
def test_normalize(raw, clean):
    assert normalize_root_path(raw) == clean


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/web",
        "/web/x",
        "/odoo",
        "/website",
        "/json",
        "/jsonrpc",
        "/xmlrpc",
        "/websocket",
        "/WEB",
        "/a b",
        "/x/static",
        "/x/static/y",
        "/x/../web",
        "/..",
        "/a/.",
        "/%2e%2e",
        "/x/%2E%2e/web",
        "/x/%2e",
        "/a%2fb",
        "/a%5Cb",
    ],
)
def test_refused(path):
    assert root_path_problem(path)


@pytest.mark.parametrize(
    "path",
    ["/api", "/fastapi_demo", "/fastapi_demo/test", "/fastapi/demo-multi", "/a/b/c", "/webshop", "/v1.0", "/a/..b"],
)
def test_allowed(path):
    assert root_path_problem(path) is None


def test_shadows_at_segment_boundary():
    assert shadows("/shop", "/shop")
    assert shadows("/shop", "/shop/cart")
    assert not shadows("/shop", "/shopping")


def test_longest_root_path_wins():
    table = RoutingTable({"/a": "a", "/a/b": "ab", "/a/b/c": "abc", "/x": "x"})
    assert table.match("/a") == "a"
    assert table.match("/a/") == "a"
    assert table.match("/a/bb") == "a"
    assert table.match("/a/b/cd/e") == "ab"
    assert table.match("/a/b/c/d/e") == "abc"
    assert table.match("/x/y") == "x"
    assert table.match("/y") is None
    assert table.match("/") is None
    assert table.match("") is None


def test_empty_table():
    table = RoutingTable({})
    assert table.match("/anything") is None
    assert len(table) == 0 and "/anything" not in table


def test_dot_segments_named_in_the_message():
    assert "'..'" in root_path_problem("/x/../web")


DEMO_ROUTES = ["/openapi.json", "/docs", "/demo/", "/demo/who_ami", "/demo/{name}/items", "/files/{rest:path}"]


@pytest.mark.parametrize(
    ("subpath", "taken"),
    [
        ("/demo", "/demo/"),
        ("/demo/who_ami", "/demo/who_ami"),
        ("/demo/anything", "/demo/{name}/items"),
        ("/docs", "/docs"),
        ("/files/a/b", "/files/{rest:path}"),
        ("/test", None),
        ("/demox", None),
        ("/demo/who_ami/deeper", None),
    ],
)
def test_app_route_taken(subpath, taken):
    assert app_route_taken(subpath, DEMO_ROUTES) == taken
