# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo API keys, as an API checks them on every request: the Odoo-free part.

Odoo stores a key as a PBKDF2-SHA512 hash (6,000 rounds, about 3.5 ms of CPU)
beside its first 8 characters, the index. Checking a key on each request as
Odoo's JSON-2 does pays that hash every time. A key once verified is
remembered by the worker instead, under a digest of the key (never the key
itself), with what deciding on a request needs: its user, scope and expiry.
Remembering and forgetting are Odoo's business (an ``ormcache``, emptied on
every worker when a key is revoked, its user archived or its scope changed):
here are the values, the decisions on them, and the throttle of failures.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from typing import NamedTuple

# Odoo's: the key's first 8 hex digits are stored in clear to find its row.
INDEX_SIZE = 8
# Odoo's keys are 20 random bytes in hex; anything longer is not one of them,
# and is refused before it reaches the database or a hash.
MAX_KEY_LENGTH = 128


class UnknownKey(LookupError):
    """No stored key matches: nothing is remembered of it."""


class LookupSkipped(UnknownKey):
    """The key is not remembered, and its client may not have it looked up now."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class VerifiedKey(NamedTuple):
    """A key whose hash matched: what a request needs to know of it."""

    user_id: int
    partner_id: int
    # None: a key for every scope, as Odoo has it.
    scope: str | None
    # Seconds since the epoch; None: a key that does not expire.
    expires_at: float | None


def key_digest(key: str) -> str:
    """What the worker remembers a verified key by: one way, and cheap."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_index(key: str) -> str:
    """What may be written to a log of a key: the part Odoo stores in clear.

    Of a string too short to be a key, its length only: its first characters
    would be most of what the client sent (a password, by mistake).
    """
    return key[:INDEX_SIZE] if len(key) >= 2 * INDEX_SIZE else f"<{len(key)} characters>"


def plausible(key: str) -> bool:
    """Whether ``key`` may be an Odoo API key at all (no lookup for the rest)."""
    return INDEX_SIZE <= len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


def refusal(verified: VerifiedKey | None, scope: str, now: float) -> str | None:
    """Why ``verified`` does not open an endpoint of ``scope`` at ``now``; None if it does."""
    if verified is None:
        return "unknown key"
    if verified.scope is not None and verified.scope != scope:
        return "wrong scope"
    if verified.expires_at is not None and now > verified.expires_at:
        return "expired"
    return None


def bearer_token(authorization: str | None) -> str | None:
    """The credentials of an ``Authorization: Bearer`` header (the scheme in any case)."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


class FailureThrottle:
    """Counts failed attempts per client address, over a sliding window.

    Past ``limit`` failures within ``window`` seconds, an address is
    throttled: its keys the worker does not know yet are refused without a
    query or a hash, so that guessing costs the server nothing. The count of
    addresses is bounded: the oldest are forgotten first.
    """

    def __init__(self, limit: int = 20, window: float = 60.0, max_clients: int = 4096) -> None:
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str, now: float | None = None) -> int:
        """Seconds until ``client`` may try again; 0 if it may now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            recent = self._recent(client, now)
            if len(recent) < self.limit:
                return 0
            return max(1, math.ceil(recent[0] + self.window - now))

    def record(self, client: str, now: float | None = None) -> int:
        """Count a failure of ``client``; its failures in the window, this one included."""
        now = time.monotonic() if now is None else now
        with self._lock:
            # Only the last `limit` matter: an address hammering cannot grow its list.
            recent = [*self._recent(client, now), now][-self.limit :]
            self._failures[client] = recent
            self._failures.move_to_end(client)
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)
            return len(recent)

    def __len__(self) -> int:
        return len(self._failures)

    def _recent(self, client: str, now: float) -> list[float]:
        return [t for t in self._failures.get(client, ()) if now - t < self.window]
