# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""An endpoint's CORS policy: which browser pages of other origins may call it.

A preflight (OPTIONS with ``Access-Control-Request-Method``) from an allowed
origin, for allowed methods and headers, is answered here without reaching
the app; a refused one gets a 400 saying what was refused. Other requests
from an allowed origin run as usual and their answer carries
``Access-Control-Allow-Origin``. Credentials (cookies) are never allowed:
APIs authenticate with headers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ANY = "*"
# Methods a browser may use when the policy names none.
DEFAULT_METHODS = frozenset({"GET", "HEAD", "POST"})
# A method or header name (RFC 9110's token): what a browser can ask for.
# Anything else is refused before it could be copied into an answer.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").replace(",", " ").split() if part.strip()]


@dataclass(frozen=True)
class CorsPolicy:
    origins: frozenset[str]
    methods: frozenset[str] = DEFAULT_METHODS
    headers: frozenset[str] = frozenset()
    max_age: int = 600

    @classmethod
    def parse(cls, origins: str | None, methods: str | None = None, headers: str | None = None) -> CorsPolicy | None:
        """The policy of comma- or space-separated lists; None without origins (CORS off)."""
        allowed_origins = frozenset(origin.rstrip("/") for origin in _split(origins))
        if not allowed_origins:
            return None
        return cls(
            origins=allowed_origins,
            methods=frozenset(method.upper() for method in _split(methods)) or DEFAULT_METHODS,
            headers=frozenset(header.lower() for header in _split(headers)),
        )

    def allows_origin(self, origin: str) -> bool:
        return ANY in self.origins or origin in self.origins

    def origin_headers(self, origin: str | None) -> list[tuple[str, str]]:
        """The headers that let a page of ``origin`` read an answer; none if it may not."""
        if origin is None or not self.allows_origin(origin):
            return []
        return [("Access-Control-Allow-Origin", ANY if ANY in self.origins else origin), ("Vary", "Origin")]

    def refusal(self, origin: str, method: str, headers: Iterable[str]) -> str | None:
        """Why a preflight is refused, or None."""
        if not self.allows_origin(origin):
            return "CORS origin not allowed"
        if not _TOKEN.fullmatch(method) or (ANY not in self.methods and method.upper() not in self.methods):
            return "CORS method not allowed"
        headers = set(headers)
        if not all(map(_TOKEN.fullmatch, headers)) or (ANY not in self.headers and not headers <= self.headers):
            return "CORS headers not allowed"
        return None


class CorsMiddleware:
    def __init__(self, app: ASGIApp, policy: CorsPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        origin = headers.get("origin") if scope["type"] == "http" else None
        if origin is None:
            await self.app(scope, receive, send)
        elif scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(origin, headers, send)
        else:
            await self.app(scope, receive, self._with_origin(origin, send))

    async def _preflight(self, origin: str, headers: Headers, send: Send) -> None:
        method = headers["access-control-request-method"]
        requested = [h.lower() for h in _split(headers.get("access-control-request-headers"))]
        refusal = self.policy.refusal(origin, method, requested)
        if refusal is not None:
            body = json.dumps({"detail": refusal}).encode()
            answer = [(b"content-type", b"application/json"), (b"vary", b"Origin")]
            await send({"type": "http.response.start", "status": 400, "headers": answer})
            await send({"type": "http.response.body", "body": body})
            return
        answer = MutableHeaders()
        for name, value in self.policy.origin_headers(origin):
            answer[name] = value
        answer["Access-Control-Allow-Methods"] = (
            method.upper() if ANY in self.policy.methods else ", ".join(sorted(self.policy.methods))
        )
        if requested:
            answer["Access-Control-Allow-Headers"] = ", ".join(requested)
        answer["Access-Control-Max-Age"] = str(self.policy.max_age)
        await send({"type": "http.response.start", "status": 204, "headers": answer.raw})
        await send({"type": "http.response.body", "body": b""})

    def _with_origin(self, origin: str, send: Send) -> Send:
        added = self.policy.origin_headers(origin)
        if not added:
            return send

        async def send_with_origin(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in added:
                    if name == "Vary":
                        headers.add_vary_header(value)
                    else:
                        headers[name] = value
            await send(message)

        return send_with_origin
