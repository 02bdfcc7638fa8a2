# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Claims and stored answers, on the request's own cursor.

A key is held by the transaction that executes it: an advisory
transaction lock, released by PostgreSQL at commit, rollback, or when the
worker's connection dies, so no key is ever stuck. The answer is written in
the same transaction as the handler's writes: it is visible to others if
and only if they are committed.

Odoo runs requests in REPEATABLE READ. A row another request committed after
this one's snapshot is invisible here; writing the same key then fails with
a serialization error, and Odoo runs the request again with a new snapshot,
in which the stored answer is found and replayed.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from psycopg2.errors import LockNotAvailable

from odoo.tools import SQL

from .keys import allowed_headers, lock_id

if TYPE_CHECKING:
    from odoo.api import Environment
    from odoo.sql_db import BaseCursor, Savepoint

    from .written import Tracker, Written

STORED = "stored"
TOO_LARGE = "too_large"

# The row versions of the records an answer was made of, as stored:
# [[model, table, {id: xmin}], ...]
Versions = list[tuple[str, str, dict[str, str]]]


@dataclass(frozen=True)
class Identity:
    endpoint_id: int
    caller: str
    key: str

    @property
    def lock(self) -> tuple[int, int]:
        return lock_id(self.endpoint_id, self.caller, self.key)


@dataclass(frozen=True)
class StoredAnswer:
    fingerprint: str
    state: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    versions: Versions | None = None


@dataclass
class Lookup:
    locked: bool
    row_id: int | None = None
    expired: bool = False
    answer: StoredAnswer | None = None


def look_up(cr: BaseCursor, ident: Identity) -> Lookup:
    """Try to take the key's lock and read its stored answer, in one query."""
    cr.execute(
        """
        SELECT pg_try_advisory_xact_lock(%s, %s), k.id, k.expires < (now() AT TIME ZONE 'UTC'),
               k.fingerprint, k.state, k.status, k.response_headers, k.response_body, k.records
          FROM (SELECT 1) AS one
          LEFT JOIN fastapi_idempotency_key k ON k.endpoint_id = %s AND k.caller = %s AND k.key = %s
        """,
        [*ident.lock, ident.endpoint_id, ident.caller, ident.key],
    )
    locked, row_id, expired, fingerprint, state, status, headers, body, versions = cr.fetchone()
    if row_id is None:
        return Lookup(locked)
    answer = StoredAnswer(
        fingerprint=fingerprint,
        state=state,
        status=status or 0,
        headers=[tuple(pair) for pair in json.loads(headers or "[]")],
        body=base64.b64decode(bytes(body)) if body else b"",
        versions=json.loads(versions) if versions else None,
    )
    return Lookup(locked, row_id, bool(expired), answer)


def wait_for_lock(cr: BaseCursor, ident: Identity, seconds: float) -> bool:
    """Wait at most ``seconds`` for the request holding the key to end."""
    try:
        with cr.savepoint(flush=False):
            # SET LOCAL inside a savepoint: undone with it when the wait times out.
            cr.execute(
                "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
                [f"{max(int(seconds * 1000), 1)}ms"],
            )
            previous = cr.fetchone()[0]
            # Not logged as a bad query when it times out: that is expected.
            cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", list(ident.lock), log_exceptions=False)
    except LockNotAvailable:
        return False
    cr.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
    return True


def reserve(cr: BaseCursor, ident: Identity) -> None:
    """Write a placeholder row now rather than at the end.

    After a wait, the holder has most likely committed its answer after this
    transaction's snapshot: the insert fails at once with a serialization
    error, before the handler runs, and Odoo's retry replays the answer.
    """
    cr.execute(
        """
        INSERT INTO fastapi_idempotency_key (endpoint_id, caller, key, state, expires, create_date)
        VALUES (%s, %s, %s, %s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
        ON CONFLICT (endpoint_id, caller, key) DO NOTHING
        """,
        [ident.endpoint_id, ident.caller, ident.key, STORED],
    )


def forget(cr: BaseCursor, row_id: int) -> None:
    cr.execute("DELETE FROM fastapi_idempotency_key WHERE id = %s", [row_id])


def versions_of(env: Environment, written: Written) -> Versions:
    """The row version (xmin) of each record written that still exists.

    Read after the ORM's pending writes are flushed: a row another
    transaction changes later gets another xmin.
    """
    env.flush_all()
    versions: Versions = []
    for (model, table), ids in sorted(written.items()):
        if ids and _has_table(env, model, table):
            versions.append((model, table, _xmins(env.cr, table, ids)))
    return versions


def changed_since(env: Environment, versions: Versions) -> bool:
    """Whether a record of ``versions`` was changed or deleted since, or its model is gone."""
    for model, table, xmins in versions:
        if not _has_table(env, model, table):
            return True
        if _xmins(env.cr, table, [int(id_) for id_ in xmins]) != xmins:
            return True
    return False


def _has_table(env: Environment, model: str, table: str) -> bool:
    cls = env.registry.get(model)
    return cls is not None and cls._table == table and cls._auto and not cls._abstract and not cls._table_query


def _xmins(cr: BaseCursor, table: str, ids: Iterable[int]) -> dict[str, str]:
    cr.execute(SQL("SELECT id, xmin::text FROM %s WHERE id = ANY(%s)", SQL.identifier(table), sorted(ids)))
    return {str(id_): xmin for id_, xmin in cr.fetchall()}


@dataclass
class Claim:
    """A key this request holds; ``store`` writes its answer."""

    cr: BaseCursor
    ident: Identity
    fingerprint: str
    route: str
    retention: timedelta
    max_size: int
    extra_headers: tuple[str, ...] = ()
    # Taken before the handler runs: an error answer is stored without the
    # writes the handler made before answering it.
    savepoint: Savepoint | None = None
    # The handler failed with an exception that is not an HTTP answer of its own.
    discard: bool = False
    # A repeatable route's: its records' versions are stored with a success.
    env: Environment | None = None
    tracker: Tracker | None = None

    def store(self, status: int, headers: list[tuple[str, str]], body: bytes) -> bool:
        """Store the answer if it is to be kept; True when it was."""
        if self.discard or status >= 500:
            return False
        if status >= 400 and self.savepoint is not None:
            self.savepoint.close(rollback=True)
        too_large = len(body) > self.max_size
        # An error answer's writes are undone: it depends on no record.
        versions = versions_of(self.env, self.tracker.records) if self.tracker and self.env and status < 400 else None
        self.cr.execute(
            """
            INSERT INTO fastapi_idempotency_key
                   (endpoint_id, caller, key, route, fingerprint, state, status,
                    response_headers, response_body, records, expires, create_date)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                    (now() AT TIME ZONE 'UTC') + %s, now() AT TIME ZONE 'UTC')
            ON CONFLICT (endpoint_id, caller, key) DO UPDATE
               SET route = EXCLUDED.route, fingerprint = EXCLUDED.fingerprint, state = EXCLUDED.state,
                   status = EXCLUDED.status, response_headers = EXCLUDED.response_headers,
                   response_body = EXCLUDED.response_body, records = EXCLUDED.records,
                   expires = EXCLUDED.expires
            """,
            [
                self.ident.endpoint_id,
                self.ident.caller,
                self.ident.key,
                self.route,
                self.fingerprint,
                TOO_LARGE if too_large else STORED,
                status,
                json.dumps(allowed_headers(headers, self.extra_headers)),
                None if too_large else base64.b64encode(body),
                None if versions is None else json.dumps(versions),
                self.retention,
            ],
        )
        return True
