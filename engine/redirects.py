# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Redirects to the app's own host, made relative.

Starlette builds the ``Location`` of its trailing-slash redirects from the
client's ``Host`` header: a client that sends a forged host gets redirected
there. A location on the request's own scheme and host loses both, which the
client resolves against the URL it asked for. So does one on the server's own
address, which Starlette uses when the Host header is missing or not valid:
the client must not learn the worker's address and port.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# What Starlette's RedirectResponse leaves unquoted in a location.
_LOCATION_SAFE = ":/%#?=@[]!$&'()*+,;"


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
                own = (scope.get("scheme", "http"), _own_netlocs(scope))
                message = {**message, "headers": [_relative(header, own) for header in message.get("headers", ())]}
            await send(message)

        await self.app(scope, receive, send_relative)


def _own_netlocs(scope: Scope) -> frozenset[str]:
    """The hosts a redirect to this very server may name: the client's Host, the server's address."""
    netlocs = set()
    host = Headers(scope=scope).get("host")
    if host is not None:
        # As sent, and as RedirectResponse quotes a location (older Starlettes
        # build it on any Host, however odd).
        netlocs.update((host, quote(host, safe=_LOCATION_SAFE)))
    if scope.get("server"):
        address, port = scope["server"]
        if ":" in address and not address.startswith("["):
            address = f"[{address}]"
        default_port = {"http": 80, "https": 443}.get(scope.get("scheme", "http"))
        netlocs.add(address if port == default_port else f"{address}:{port}")
    return frozenset(netlocs)


def _relative(header: tuple[bytes, bytes], own: tuple[str, frozenset[str]]) -> tuple[bytes, bytes]:
    name, value = header
    if name.lower() != b"location":
        return header
    parts = urlsplit(value.decode("latin-1"))
    scheme, netlocs = own
    if parts.scheme != scheme or parts.netloc not in netlocs:
        return header
    # One leading slash: "//x" would name another host.
    path = "/" + parts.path.lstrip("/")
    return name, urlunsplit(("", "", path, parts.query, parts.fragment)).encode("latin-1")
