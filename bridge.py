# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run an ASGI app to completion for one WSGI request.

a2wsgi's ``ASGIMiddleware`` runs the app on a shared loop in another thread
and turns app errors into a canned 500. Odoo needs the opposite: the app's
exception must reach Odoo (rollback, retry on serialization failures), and
the whole response must be produced while the caller still holds the app and
its loop. So the app runs here, on the caller's thread, on a loop that serves
this request only. The scope is built here too: a2wsgi's refuses a non-ASCII
byte in the query string.

The request body is passed in as bytes already read: Odoo may run the same
request again after a serialization failure, and the body must be there the
second time too.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from a2wsgi.asgi_typing import ASGIApp, HTTPScope, ReceiveEvent, SendEvent
from a2wsgi.wsgi_typing import Environ

_logger = logging.getLogger(__name__)

# Seconds a request waits for the tasks its app left running (see
# settle_leftover_tasks), then again for the cancelled ones to unwind.
LEFTOVER_TIMEOUT = 5.0


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


def _wsgi_bytes(value: str) -> bytes:
    # PEP 3333: a WSGI string carries the bytes the server received, one
    # character per byte (latin-1): encoding it back gives those bytes.
    return value.encode("latin-1")


def make_scope(environ: Environ, root_path: str) -> HTTPScope:
    """The ASGI scope of a WSGI request, for an app under ``root_path``.

    Whatever bytes the server accepted reach the app: a raw non-ASCII byte in
    the query string stays in ``query_string``, a path that is not UTF-8 gets
    replacement characters (as werkzeug decodes it for Odoo), never an error.
    """
    script_name = _wsgi_bytes(environ.get("SCRIPT_NAME", "")).decode("utf-8", "replace")
    path = _wsgi_bytes(environ.get("PATH_INFO", "")).decode("utf-8", "replace")
    scope: HTTPScope = {
        "wsgi_environ": environ,  # type: ignore[typeddict-unknown-key] as a2wsgi names it
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.5"},
        "http_version": environ.get("SERVER_PROTOCOL", "HTTP/1.0").partition("/")[2] or "1.0",
        "method": environ["REQUEST_METHOD"],
        "scheme": environ.get("wsgi.url_scheme", "http"),
        "path": script_name + path,
        "query_string": _wsgi_bytes(environ.get("QUERY_STRING", "")),
        # The app's routes are relative to the endpoint's root path; Starlette
        # strips ``root_path`` from ``path`` when it routes. SCRIPT_NAME (Odoo
        # served under a prefix) stays in front.
        "root_path": script_name + root_path,
        "server": (environ["SERVER_NAME"], int(environ["SERVER_PORT"])),
        "headers": _headers(environ),
        "extensions": {},
    }
    if environ.get("REMOTE_ADDR") and environ.get("REMOTE_PORT"):
        scope["client"] = (environ["REMOTE_ADDR"], int(environ["REMOTE_PORT"]))
    return scope


def _headers(environ: Environ) -> list[tuple[bytes, bytes]]:
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
            name = key[5:]
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key
        else:
            continue
        headers.append((_wsgi_bytes(name.lower().replace("_", "-")), _wsgi_bytes(value)))
    return headers


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
    loop.run_until_complete(exchange.run(app, scope))
    if not exchange.response.complete:
        raise RuntimeError("The ASGI app returned without completing its response")
    return exchange.response


def settle_leftover_tasks(loop: asyncio.AbstractEventLoop, timeout: float) -> bool:
    """Finish, or else cancel, the tasks an app left running on ``loop``.

    The loop only runs while a request holds it, and the transaction ends
    when the request does: a task left pending would wake up during the
    app's next request, with an env whose cursor is gone. So what the app
    started (``asyncio.create_task``, work awaiting a thread) is given
    ``timeout`` seconds to finish inside the request; what is still running
    then is cancelled and given as long again to unwind, and so on for the
    tasks started while unwinding.

    Return False when some task would not stop: the loop must not be reused.
    """
    for _round in range(3):
        leftovers = asyncio.all_tasks(loop)
        if not leftovers:
            return True
        _done, pending = loop.run_until_complete(asyncio.wait(leftovers, timeout=timeout))
        if pending:
            # A cancelled task that was awaiting a thread stops at once, but
            # its thread runs on: this is why the tasks get time first.
            _logger.warning("FastAPI: cancelling %d task(s) still running %ss on", len(pending), timeout)
            for task in pending:
                task.cancel()
            _done, stubborn = loop.run_until_complete(asyncio.wait(pending, timeout=timeout))
            if stubborn:
                break
    stuck = asyncio.all_tasks(loop)
    if stuck:
        _logger.error("FastAPI: %d task(s) would not stop; the app's event loop is discarded", len(stuck))
    return not stuck


class LoopedApp:
    """An ASGI app and the event loop it runs on, used by one request at a time.

    The loop lives as long as the app: concurrent requests, each on an app of
    its own, never share a loop, and no thread is started for it.
    """

    def __init__(self, app: ASGIApp, leftover_timeout: float = LEFTOVER_TIMEOUT) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.leftover_timeout = leftover_timeout
        # False once a task of the app would not stop: the pool drops it.
        self.reusable = True

    def __call__(self, scope: HTTPScope, body: bytes) -> AsgiResponse:
        try:
            return call_app(self.app, self.loop, scope, body)
        finally:
            if not settle_leftover_tasks(self.loop, self.leftover_timeout):
                self.reusable = False

    def close(self) -> None:
        if not self.loop.is_closed():
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()
