# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""auth.api_key: the Odoo-free decisions on API keys."""

from __future__ import annotations

import threading

import pytest

from auth.api_key import (
    FailureThrottle,
    VerifiedKey,
    bearer_token,
    key_digest,
    key_index,
    plausible,
    refusal,
)

KEY = "0123abcd" + "e" * 32


def test_digest_is_not_the_key_and_is_stable():
    assert KEY not in key_digest(KEY)
    assert key_digest(KEY) == key_digest(KEY)
    assert key_digest(KEY) != key_digest(KEY[:-1] + "f")


def test_index_is_odoo_s():
    assert key_index(KEY) == "0123abcd"


@pytest.mark.parametrize("sent", ["16f7d28", "hunter2hunter2x"])
def test_index_of_a_string_too_short_to_be_a_key_is_its_length(sent):
    # Its first characters were most of what the client sent, in the log.
    assert key_index(sent) == f"<{len(sent)} characters>"


@pytest.mark.parametrize(
    ("key", "ok"),
    [(KEY, True), ("short", False), ("x" * 129, False), ("0123abcd\n", False), ("0123abcdé", False)],
)
def test_plausible(key, ok):
    assert plausible(key) is ok


@pytest.mark.parametrize(
    ("header", "token"),
    [
        (f"Bearer {KEY}", KEY),
        (f"bearer  {KEY} ", KEY),
        (f"BEARER {KEY}", KEY),
        (f"Basic {KEY}", None),
        ("Bearer", None),
        ("Bearer ", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token(header, token):
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    ("verified", "now", "reason"),
    [
        (None, 0, "unknown key"),
        (VerifiedKey(2, 3, "fastapi", None), 0, None),
        (VerifiedKey(2, 3, None, None), 0, None),
        (VerifiedKey(2, 3, "rpc", None), 0, "wrong scope"),
        (VerifiedKey(2, 3, "fastapi", 100.0), 100.0, None),
        (VerifiedKey(2, 3, "fastapi", 100.0), 100.001, "expired"),
    ],
)
def test_refusal(verified, now, reason):
    assert refusal(verified, "fastapi", now) == reason


def test_throttle_counts_per_address_within_the_window():
    throttle = FailureThrottle(limit=3, window=10)
    assert [throttle.record("a", t) for t in (0, 1, 2)] == [1, 2, 3]
    assert throttle.retry_after("a", 2) == 8
    assert throttle.retry_after("b", 2) == 0
    # The first failure leaves the window: one more try.
    assert throttle.retry_after("a", 10.5) == 0


def test_throttle_is_bounded_in_addresses_and_failures():
    throttle = FailureThrottle(limit=5, window=60, max_clients=100)
    for n in range(1000):
        throttle.record(f"10.0.{n // 256}.{n % 256}", 0)
    assert len(throttle) == 100
    for _ in range(1000):
        throttle.record("hammer", 1)
    assert len(throttle._failures["hammer"]) == 5


def test_throttle_is_thread_safe():
    throttle = FailureThrottle(limit=10**6, window=60)

    def fail() -> None:
        for _ in range(1000):
            throttle.record("a", 0)

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert throttle.record("a", 0) == 8001
    assert len(throttle._failures["a"]) == 8001
