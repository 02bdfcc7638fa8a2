# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The ASGI middleware that sees the whole answer of an idempotent request.

The ``idempotent()`` dependency claims the key; only the app's outermost
layers see the final status, headers and body, after the exception handlers
made their answer. This middleware stores that answer with the claim, and
sends a stored answer when the dependency found one (``Replay``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from .store import Claim, StoredAnswer

# Scope keys. The dispatcher reads ANSWER_KEPT: an error answer stored with
# its key is committed (without the handler's writes, undone by then).
STATE = "fastapi.idempotency"
ANSWER_KEPT = "fastapi.idempotency.answer_kept"
REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass
class RequestState:
    claim: Claim | None = None
    start: Message | None = None
    body: bytearray = field(default_factory=bytearray)


class Replay(Exception):
    """Raised by the dependency: answer with what was stored."""

    def __init__(self, answer: StoredAnswer) -> None:
        super().__init__("replay")
        self.answer = answer


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Also when an app built by the endpoint is wrapped once more (tests).
        if scope["type"] != "http" or STATE in scope:
            await self.app(scope, receive, send)
            return
        state = scope[STATE] = RequestState()

        async def capture(message: Message) -> None:
            if state.claim is None:
                await send(message)
            elif message["type"] == "http.response.start":
                state.start = message
            elif message["type"] == "http.response.body":
                state.body += message.get("body", b"")
                if not message.get("more_body", False):
                    await _finish(scope, state, send)

        try:
            await self.app(scope, receive, capture)
        except Replay as replay:
            await _send_replay(replay.answer, send)


async def _finish(scope: Scope, state: RequestState, send: Send) -> None:
    start, claim = state.start, state.claim
    assert start is not None and claim is not None
    headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in start.get("headers", ())]
    if claim.store(start["status"], headers, bytes(state.body)) and start["status"] >= 400:
        scope[ANSWER_KEPT] = True
    await send(start)
    await send({"type": "http.response.body", "body": bytes(state.body)})


async def _send_replay(answer: StoredAnswer, send: Send) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers]
    headers.append((REPLAYED_HEADER.lower().encode(), b"true"))
    headers.append((b"content-length", str(len(answer.body)).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
