# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Redirects to the app's own host, made relative.

Starlette builds the ``Location`` of its trailing-slash redirects from the
client's ``Host`` header: a client that sends a forged host gets redirected
there. A location on the request's own scheme and host loses both, which the
client resolves against the URL it asked for.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RelativeRedirectsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_relative(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                # The host is looked up for a redirect only: most answers are not.
                own = (scope.get("scheme", "http"), _host(scope))
                message = {**message, "headers": [_relative(header, own) for header in message.get("headers", ())]}
            await send(message)

        await self.app(scope, receive, send_relative)


def _host(scope: Scope) -> str:
    host = Headers(scope=scope).get("host")
    if host is None and scope.get("server"):
        host, port = scope["server"]
        return f"{host}:{port}"
    return host or ""


def _relative(header: tuple[bytes, bytes], own: tuple[str, str]) -> tuple[bytes, bytes]:
    name, value = header
    if name.lower() != b"location":
        return header
    parts = urlsplit(value.decode("latin-1"))
    if (parts.scheme, parts.netloc) != own:
        return header
    # One leading slash: "//x" would name another host.
    path = "/" + parts.path.lstrip("/")
    return name, urlunsplit(("", "", path, parts.query, parts.fragment)).encode("latin-1")
