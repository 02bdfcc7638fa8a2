# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""HEAD and OPTIONS for every route, as HTTP says a server answers them.

FastAPI routes accept the methods they were declared with only: HEAD on a GET
route and OPTIONS anywhere would get 405. Here HEAD runs the GET route (the WSGI
server sends its headers without the body); OPTIONS names the path's methods in
``Allow``. A route that declares HEAD or OPTIONS itself keeps them.
"""

from __future__ import annotations

from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

# Methods every path that answers GET also answers, through this middleware.
IMPLIED = ("HEAD", "OPTIONS")


def allowed_methods(scope: Scope) -> set[str] | None:
    """The methods the app's routes accept at the scope's path; None: any."""
    methods: set[str] = set()
    for route in scope["app"].router.routes:
        if not isinstance(route, Route):
            continue
        match, _child_scope = route.matches(scope)
        if match is Match.NONE:
            continue
        if route.methods is None:
            return None
        methods |= route.methods
    return methods


class HttpMethodsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in IMPLIED:
            await self.app(scope, receive, send)
            return
        methods = allowed_methods(scope)
        if not methods or scope["method"] in methods:
            # Unknown path (404 from the app), any method, or declared by the route.
            await self.app(scope, receive, send)
        elif scope["method"] == "OPTIONS":
            await _answer_allow(methods, send)
        elif "GET" in methods:
            # The GET answer as it is, Content-Length included (RFC 9110,
            # 9.3.2): the server sends no body for HEAD.
            await self.app({**scope, "method": "GET"}, receive, send)
        else:
            await self.app(scope, receive, send)


async def _answer_allow(methods: set[str], send: Send) -> None:
    allow = set(methods) | {"OPTIONS"}
    if "GET" in allow:
        allow.add("HEAD")
    headers = [(b"allow", ", ".join(sorted(allow)).encode("latin-1"))]
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
