# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A hostile client's inputs: each gets a short 4xx JSON answer, never a 500.

For every row: the status expected, a JSON body, no traceback in the
server's log, nothing committed, and the worker still serving afterwards.
The first rows were 500s before the fixes of issue 12 (items 1, 2 and 4);
so were a page number past bigint and a NUL in a path parameter (found by
the long schemathesis run): values PostgreSQL cannot hold are the client's.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

import pytest
from conftest import UPLOAD_LIMIT, LogWatch
from rawhttp import send
from server import OdooServer, query

requests = pytest.importorskip("requests")

NOTE = b"POST /test_notes/notes/then-fail?kind=none HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"


@dataclass
class Row:
    head: bytes
    body: bytes = b""
    expect: tuple[int, ...] = (400, 422)


def basic(credentials: bytes) -> bytes:
    return b"Authorization: Basic " + base64.b64encode(credentials) + b"\r\n"


def chunked(data: bytes, size: int = 65536) -> bytes:
    pieces = (data[i : i + size] for i in range(0, len(data), size))
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


def sized(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n" % len(body)


WHO_DEMO = b"GET /fastapi_demo_login_key/demo/who_ami HTTP/1.1\r\nHost: t\r\n"
WHO_MULTI = b"GET /fastapi/demo-multi/demo/who_ami HTTP/1.1\r\nHost: t\r\n"
LIST_NOTES = b"GET /test_notes/notes?%s HTTP/1.1\r\nHost: t\r\nX-Partner-Ref: alice-token\r\n"
MALFORMED = b'{"name": '
INVALID_UTF8 = b'{"name": "\xff\xfe"}'
DEEP = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
DEEP_ECHOED = b'{"name": ' + b"[" * 600 + b"]" * 600 + b"}"
DEEP_EVENT = b'{"event_id": "evt-deep", "name": "w", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
WEBHOOK = b"POST /test_notes/webhooks/events HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
NAN = b'{"name": "x", "partner_id": NaN}'
BIG = b'{"name": "' + b"x" * (2 * UPLOAD_LIMIT) + b'"}'
LONE_SURROGATE = b'{"name": "\\ud800"}'
NO_PARTNER = b'{"name": "x"}'
COUNTER = b"POST /test_notes/counters/%s/increment HTTP/1.1\r\nHost: t\r\n"

ROWS = {
    "raw non-ASCII query": Row(b"GET /fastapi_demo/demo/?x=\xc3\xa9 HTTP/1.1\r\nHost: t\r\n", expect=(200,)),
    "NUL in api-key": Row(WHO_DEMO + b"api-key: admin\x00\r\n", expect=(401,)),
    "NUL in basic login": Row(WHO_MULTI + basic(b"admin\x00:x"), expect=(401,)),
    "NUL in basic password": Row(WHO_MULTI + basic(b"admin:ad\x00min"), expect=(401,)),
    "malformed chunk framing": Row(NOTE + b"Transfer-Encoding: chunked\r\n", b"zz\r\n{}\r\n0\r\n\r\n", expect=(400,)),
    "oversized body": Row(NOTE + sized(BIG), BIG, expect=(413,)),
    "oversized chunked body": Row(NOTE + b"Transfer-Encoding: chunked\r\n", chunked(BIG), expect=(413,)),
    "malformed JSON": Row(NOTE + sized(MALFORMED), MALFORMED),
    "invalid UTF-8": Row(NOTE + sized(INVALID_UTF8), INVALID_UTF8),
    "100,000-deep nesting": Row(NOTE + sized(DEEP), DEEP),
    "NaN": Row(NOTE + sized(NAN), NAN),
    "chunked malformed JSON": Row(NOTE + b"Transfer-Encoding: chunked\r\n", chunked(MALFORMED)),
    "dot segments": Row(b"GET /fastapi_demo/../web/database/manager HTTP/1.1\r\nHost: t\r\n", expect=(404,)),
    "encoded dot segments": Row(b"GET /fastapi_demo/%2e%2e/%2E%2e/etc/passwd HTTP/1.1\r\nHost: t\r\n", expect=(404,)),
    "encoded slash": Row(b"GET /fastapi_demo/demo%2f..%2f..%2fweb HTTP/1.1\r\nHost: t\r\n", expect=(404,)),
    "page past bigint": Row(LIST_NOTES % b"page=65181864610&page_size=1139352103"),
    "NUL in a path parameter": Row(COUNTER % b"a%00b" + sized(b"")),
    # Found by an attack run (session 10): a 500, and a 400 for a 422.
    "lone surrogate in a JSON string": Row(NOTE + sized(LONE_SURROGATE), LONE_SURROGATE, expect=(422,)),
    "constraint violation, language not installed": Row(
        NOTE + b"Accept-Language: xx-YY\r\n" + sized(NO_PARTNER), NO_PARTNER, expect=(422,)
    ),
    # Found by a second attack run: a 500.
    "value larger than an index row": Row(COUNTER % secrets.token_hex(1500).encode() + sized(b""), expect=(422,)),
    "600-deep nesting, echoed": Row(NOTE + sized(DEEP_ECHOED), DEEP_ECHOED, expect=(422,)),
    "100,000-deep body, idempotency key read from it": Row(WEBHOOK + sized(DEEP_EVENT), DEEP_EVENT),
    "unknown method": Row(b"BREW /fastapi_demo/demo/ HTTP/1.1\r\nHost: t\r\n", expect=(405,)),
    "unknown method with a body": Row(
        b"PROPFIND /test_notes/notes HTTP/1.1\r\nHost: t\r\n" + sized(b"<x/>"), b"<x/>", expect=(405,)
    ),
}


def notes_count(db: str) -> int:
    return query(db, "SELECT count(*) FROM fastapi_test_note")[0][0]


@pytest.mark.parametrize("row", [pytest.param(row, id=name) for name, row in ROWS.items()])
def test_bad_input(prefork: OdooServer, rel_db: str, row: Row):
    log = LogWatch(prefork)
    notes_before = notes_count(rel_db)
    response = send(prefork.port, row.head, row.body)
    assert response.status in row.expect, response.body[:500]
    assert response.headers.get("content-type", "").startswith("application/json"), response.headers
    if response.status >= 400:
        assert isinstance(response.json().get("detail"), str | list), response.body[:500]
    assert notes_count(rel_db) == notes_before
    # Every worker still serves.
    for _ in range(4):
        assert requests.get(prefork.base_url + "/fastapi_demo/demo/", timeout=30).status_code == 200
    logged = log.new()
    assert "Traceback" not in logged, logged[-3000:]
