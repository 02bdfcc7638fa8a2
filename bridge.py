# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run an ASGI app to completion for one WSGI request.

a2wsgi's ``ASGIMiddleware`` runs the app on a shared loop in another thread
and turns app errors into a canned 500. Odoo needs the opposite: the app's
exception must reach Odoo (rollback, retry on serialization failures), and
the whole response must be produced while the caller still holds the app and
its loop. So the scope comes from a2wsgi, and the app runs here, on the
caller's thread, on a loop that serves this request only.

The request body is passed in as bytes already read: Odoo may run the same
request again after a serialization failure, and the body must be there the
second time too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from a2wsgi.asgi import build_scope
from a2wsgi.asgi_typing import ASGIApp, HTTPScope, ReceiveEvent, SendEvent
from a2wsgi.wsgi_typing import Environ


@dataclass
class AsgiResponse:
    status: int = 500
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    complete: bool = False


class _Exchange:
    """The receive/send pair of one request."""

    def __init__(self, body: bytes) -> None:
        self._body: bytes | None = body
        self._done = asyncio.Event()
        self.response = AsgiResponse()

    async def receive(self) -> ReceiveEvent:
        if self._body is not None:
            body, self._body = self._body, None
            return {"type": "http.request", "body": body, "more_body": False}
        # The client is there until the response is complete: an app that
        # listens for a disconnect must not be cancelled before it answers.
        await self._done.wait()
        return {"type": "http.disconnect"}

    async def run(self, app: ASGIApp, scope: HTTPScope) -> None:
        try:
            await app(scope, self.receive, self.send)
        finally:
            self._done.set()

    async def send(self, message: SendEvent) -> None:
        if message["type"] == "http.response.start":
            self.response.status = message["status"]
            self.response.headers = [
                (name.decode("latin-1"), value.decode("latin-1")) for name, value in message.get("headers", ())
            ]
        elif message["type"] == "http.response.body":
            self.response.body += message.get("body", b"")
            if not message.get("more_body", False):
                self.response.complete = True
                self._done.set()


def make_scope(environ: Environ, root_path: str) -> HTTPScope:
    scope = build_scope(environ)
    # The app's routes are relative to the endpoint's root path; Starlette
    # strips ``root_path`` from ``path`` when it routes. a2wsgi already put
    # SCRIPT_NAME (Odoo served under a prefix) in both: keep it in front.
    scope["root_path"] += root_path
    return scope


def call_app(
    app: ASGIApp,
    loop: asyncio.AbstractEventLoop,
    scope: HTTPScope,
    body: bytes,
) -> AsgiResponse:
    """Run ``app`` for ``scope`` on ``loop`` (not running) until it returns.

    An exception of the app propagates, even when the app already sent an
    error response for it (as Starlette's ServerErrorMiddleware does).
    """
    exchange = _Exchange(body)
    try:
        loop.run_until_complete(exchange.run(app, scope))
    finally:
        _cancel_leftover_tasks(loop)
    if not exchange.response.complete:
        raise RuntimeError("The ASGI app returned without completing its response")
    return exchange.response


def _cancel_leftover_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel the tasks the app started and left running, and let them unwind.

    The loop serves the app's next request, which may be another database's:
    a task left pending would wake up then, with this request's env and a
    cursor already committed or closed. Cancelled now, its cleanup still runs
    inside this request's transaction.
    """
    leftovers = asyncio.all_tasks(loop)
    if not leftovers:
        return
    for task in leftovers:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))


class LoopedApp:
    """An ASGI app and the event loop it runs on, used by one request at a time.

    The loop lives as long as the app: concurrent requests, each on an app of
    its own, never share a loop, and no thread is started for it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()

    def __call__(self, scope: HTTPScope, body: bytes) -> AsgiResponse:
        return call_app(self.app, self.loop, scope, body)

    def close(self) -> None:
        if not self.loop.is_closed():
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()
