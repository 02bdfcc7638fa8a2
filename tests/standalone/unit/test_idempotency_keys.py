# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""idempotency.keys: keys, fingerprints and caller scopes, no Odoo needed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

# The package's __init__ imports Odoo: load the pure module on its own.
_PATH = Path(__file__).resolve().parents[3] / "idempotency" / "keys.py"
_SPEC = importlib.util.spec_from_file_location("idempotency_keys", _PATH)
keys = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(keys)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        (["abc"], "abc"),
        (['"abc"'], "abc"),
        (['"a\\"b"'], 'a"b'),
        (["x" * 255], "x" * 255),
        (["with space"], "with space"),
        (['"a,b"'], "a,b"),
        (['"abc'], '"abc'),
    ],
)
def test_parse_header(values, expected):
    assert keys.parse_header(values) == expected


@pytest.mark.parametrize(
    ("values", "word"),
    [
        ([""], "empty"),
        (['""'], "empty"),
        (["x" * 256], "longer"),
        (["a\tb"], "printable"),
        (["a\x7fb"], "printable"),
        (["\u00e9"], "printable"),
        (["a", "b"], "once"),
    ],
)
def test_bad_keys(values, word):
    with pytest.raises(keys.InvalidKey, match=word):
        keys.parse_header(values)


def test_fingerprint_sorts_the_query_and_covers_everything():
    base = keys.fingerprint("POST", "/a", "b=2&a=1", "application/json", b"{}")
    assert base == keys.fingerprint("post", "/a", "a=1&b=2", "Application/JSON", b"{}")
    for other in (
        keys.fingerprint("PATCH", "/a", "a=1&b=2", "application/json", b"{}"),
        keys.fingerprint("POST", "/b", "a=1&b=2", "application/json", b"{}"),
        keys.fingerprint("POST", "/a", "a=1&b=3", "application/json", b"{}"),
        keys.fingerprint("POST", "/a", "a=1&b=2", "text/plain", b"{}"),
        keys.fingerprint("POST", "/a", "a=1&b=2", "application/json", b"{ }"),
    ):
        assert other != base


def test_body_field():
    read = keys.body_field("event_id")
    assert read(json.dumps({"event_id": "evt_1"}).encode()) == "event_id:evt_1"
    assert read(json.dumps({"event_id": 42}).encode()) == "event_id:42"
    for body in (b"", b"not json", b"[1]", b'{"other": 1}', b'{"event_id": null}', b'{"event_id": {"a": 1}}'):
        assert read(body) is None
    assert read(json.dumps({"event_id": "x" * 246}).encode()) == "event_id:" + "x" * 246


def test_body_field_of_a_body_too_deep_to_parse():
    # Python's JSON parser gives up on deep nesting with a RecursionError,
    # which escaped as a 500 before the fix: no key can be read.
    deep = b'{"event_id": "evt_1", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert keys.body_field("event_id")(deep) is None


@pytest.mark.parametrize(
    ("event_id", "detail"),
    [
        ("x" * 247, "The body's event_id is longer than 246 characters"),
        ("", "The body's event_id is empty"),
        ("\u00e9", "The body's event_id must be printable ASCII"),
    ],
)
def test_body_field_refusals_name_the_field(event_id, detail):
    # They named the Idempotency-Key header, which the client never sent.
    with pytest.raises(keys.InvalidKey) as refused:
        keys.body_field("event_id")(json.dumps({"event_id": event_id}).encode())
    assert str(refused.value) == detail


def test_request_digest():
    digest = keys.request_digest("POST", "/hook", "b=1&a=2", b"{}")
    assert digest == keys.request_digest("POST", "/hook", "a=2&b=1", b"{}")
    assert digest != keys.request_digest("POST", "/hook", "a=2&b=1", b"{ }")
    assert len(digest) <= keys.MAX_LENGTH


def test_caller_scope():
    assert keys.caller_scope(7, 2, ["secret"]) == "partner:7"
    one = keys.caller_scope(None, 2, ["Bearer a"])
    assert one.startswith("user:2:") and "Bearer" not in one
    assert one != keys.caller_scope(None, 2, ["Bearer b"])
    assert one != keys.caller_scope(None, 3, ["Bearer a"])


def test_lock_id_is_stable_and_scoped():
    lock = keys.lock_id(1, "partner:7", "k")
    assert lock == keys.lock_id(1, "partner:7", "k")
    assert lock[0] == keys.LOCK_NAMESPACE and -(2**31) <= lock[1] < 2**31
    assert lock != keys.lock_id(2, "partner:7", "k")
    assert lock != keys.lock_id(1, "partner:8", "k")


def test_allowed_headers_never_keep_cookies_or_credentials():
    headers = [
        ("content-type", "application/json"),
        ("location", "/notes/1"),
        ("ETag", '"1"'),
        ("set-cookie", "a=b"),
        ("www-authenticate", "Basic"),
        ("x-trace", "1"),
        ("x-request-id", "2"),
    ]
    kept = keys.allowed_headers(headers, ["X-Request-Id", "Set-Cookie"])
    assert kept == [
        ("content-type", "application/json"),
        ("location", "/notes/1"),
        ("ETag", '"1"'),
        ("x-request-id", "2"),
    ]
