# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Concurrent writes to one row: no increment lost, none invented.

50 requests at once add one to the same counter (read, add, write: the
pattern that loses updates without isolation). Odoo retries the
serialization failures; whatever the answers, the final value equals the
number of 2xx answers.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import soak_enabled
from server import OdooServer, query, running

requests = pytest.importorskip("requests")

CALLS = 50


def hammer(server: OdooServer, name: str) -> list[int]:
    url = f"{server.base_url}/test_notes/counters/{name}/increment"
    requests.post(url, timeout=60).raise_for_status()  # creates the counter: 1
    with ThreadPoolExecutor(CALLS) as pool:
        return list(pool.map(lambda _: requests.post(url, timeout=120).status_code, range(CALLS)))


def test_counter_equals_successes_prefork(prefork: OdooServer, rel_db: str, capsys):
    check(rel_db, "contention-prefork", hammer(prefork, "contention-prefork"), capsys)


@pytest.mark.skipif(not soak_enabled(), reason="long suite only (FASTAPI_SOAK=1)")
def test_counter_equals_successes_threaded(rel_db: str, capsys):
    with running([rel_db], workers=0) as server:
        check(rel_db, "contention-threaded", hammer(server, "contention-threaded"), capsys)


def check(rel_db: str, name: str, statuses: list[int], capsys) -> None:
    ok = sum(200 <= status < 300 for status in statuses)
    final = query(rel_db, "SELECT value FROM fastapi_test_counter WHERE name = %s", (name,))[0][0]
    with capsys.disabled():
        print(
            f"\ncontention ({name}): {CALLS} calls, {ok} 2xx, final value {final - 1}, statuses {sorted(set(statuses))}"
        )
    assert final - 1 == ok
    assert all(status < 500 or status == 503 for status in statuses), statuses
