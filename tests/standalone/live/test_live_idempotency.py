# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Idempotent requests under real concurrency: multi-worker Odoo servers on
a committed database. A test cursor shares one connection and could show
none of this (see the notes addon's HttpCase tests for the rest)."""

from __future__ import annotations

import importlib.util
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from server import OdooServer, query, running

requests = pytest.importorskip("requests")

NOTES = "/test_notes"
# idempotency.keys.LOCK_NAMESPACE: the first half of a key's advisory lock.
LOCK_NAMESPACE = 0x1DE9
ALICE = {"X-Partner-Ref": "alice-token"}


@pytest.fixture(scope="module")
def two_servers(database):
    with running([database], workers=2) as first, running([database], workers=2) as second:
        yield first, second


def post(server: OdooServer, path: str, key: str, name: str, timeout: float = 60) -> requests.Response:
    headers = {**ALICE, "Idempotency-Key": key}
    return requests.post(f"{server.base_url}{NOTES}{path}", json={"name": name}, headers=headers, timeout=timeout)


def notes(database: str, name: str) -> int:
    return query(database, "SELECT count(*) FROM fastapi_test_note WHERE name = %s", (name,))[0][0]


def stored(database: str, key: str) -> list[tuple]:
    return query(database, "SELECT status, state FROM fastapi_idempotency_key WHERE key = %s", (key,))


def unique() -> str:
    return uuid.uuid4().hex


def test_concurrent_duplicate_gets_409(database, two_servers):
    first, second = two_servers
    key, name = unique(), unique()
    with ThreadPoolExecutor(2) as pool:
        running_one = pool.submit(post, first, "/notes/once/slow?seconds=2", key, name)
        time.sleep(0.7)
        duplicate = post(second, "/notes/once/slow?seconds=2", key, name)
        original = running_one.result()
    # On a loaded machine the later request may claim the key first.
    won, lost = sorted([original, duplicate], key=lambda response: response.status_code)
    assert (won.status_code, lost.status_code) == (201, 409), (won.text, lost.text)
    assert lost.headers["Retry-After"] == "1"
    assert "in progress" in lost.json()["detail"]
    assert notes(database, name) == 1
    replay = post(second, "/notes/once/slow?seconds=2", key, name)
    assert (replay.status_code, replay.headers.get("Idempotent-Replayed")) == (201, "true")
    assert replay.json() == won.json()


def test_concurrent_duplicate_waits_for_the_answer(database, two_servers):
    first, second = two_servers
    key, name = unique(), unique()
    with ThreadPoolExecutor(2) as pool:
        running_one = pool.submit(post, first, "/notes/once/wait?seconds=1.5", key, name)
        time.sleep(0.5)
        waiting = post(second, "/notes/once/wait?seconds=1.5", key, name)
        original = running_one.result()
    assert (original.status_code, waiting.status_code) == (201, 201), (original.text, waiting.text)
    assert waiting.json() == original.json()
    # Either may have claimed the key first on a loaded machine: one replays.
    replayed = [response.headers.get("Idempotent-Replayed") for response in (original, waiting)]
    assert sorted(replayed, key=str) == [None, "true"], replayed
    assert notes(database, name) == 1


def test_twenty_concurrent_requests_on_two_servers_execute_once(database, two_servers, capsys):
    key, name = unique(), unique()
    servers = [*two_servers] * 10
    started = time.monotonic()
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda server: post(server, "/notes/once/wait?seconds=0.5", key, name), servers))
    elapsed = time.monotonic() - started
    statuses = sorted(answer.status_code for answer in answers)
    assert notes(database, name) == 1
    assert stored(database, key) == [(201, "stored")]
    assert set(statuses) == {201}, statuses
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert sum(answer.headers.get("Idempotent-Replayed") == "true" for answer in answers) == 19
    with capsys.disabled():
        print(f"\n20 concurrent requests with one key on two servers: one execution, {elapsed:.1f}s in all")


def test_serialization_failure_ends_with_one_execution(database, two_servers):
    first, _ = two_servers
    key, name = unique(), unique()
    response = post(first, "/notes/once/collide", key, name)
    assert response.status_code == 201, response.text
    assert notes(database, name) == 1
    assert stored(database, key) == [(201, "stored")]
    again = post(first, "/notes/once/collide", key, name)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == response.json()


def put(server: OdooServer, note_id: int, key: str, name: str) -> requests.Response:
    headers = {**ALICE, "Idempotency-Key": key}
    return requests.put(f"{server.base_url}{NOTES}/notes/{note_id}", json={"name": name}, headers=headers, timeout=60)


def test_put_runs_again_once_another_transaction_changed_its_note(database, two_servers):
    first, second = two_servers
    created = post(first, "/notes/once", unique(), unique())
    assert created.status_code == 201, created.text
    note_id, key, name = created.json()["id"], unique(), unique()
    answer = put(first, note_id, key, name)
    assert answer.status_code == 200, answer.text
    replay = put(second, note_id, key, name)
    assert replay.headers.get("Idempotent-Replayed") == "true"
    query(database, "UPDATE fastapi_test_note SET name = 'changed elsewhere' WHERE id = %s", (note_id,))
    again = put(second, note_id, key, name)
    assert again.status_code == 200, again.text
    assert "Idempotent-Replayed" not in again.headers
    assert again.json() == answer.json()
    assert notes(database, name) == 1
    assert put(first, note_id, key, name).headers.get("Idempotent-Replayed") == "true"


def _lock_id(endpoint_id: int, caller: str, key: str) -> tuple[int, int]:
    # idempotency/keys.py is pure: loaded on its own, without Odoo.
    path = Path(__file__).resolve().parents[3] / "idempotency" / "keys.py"
    spec = importlib.util.spec_from_file_location("idempotency_keys", path)
    keys = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(keys)
    return keys.lock_id(endpoint_id, caller, key)


def test_stale_put_neither_replays_nor_runs_while_another_holds_its_key(database, two_servers):
    import psycopg2  # noqa: PLC0415 - only the Odoo venv has it

    first, second = two_servers
    note_id, key, name = post(first, "/notes/once", unique(), unique()).json()["id"], unique(), unique()
    assert put(first, note_id, key, name).status_code == 200
    query(database, "UPDATE fastapi_test_note SET name = 'changed elsewhere' WHERE id = %s", (note_id,))
    [(endpoint_id, caller)] = query(
        database, "SELECT endpoint_id, caller FROM fastapi_idempotency_key WHERE key = %s", (key,)
    )
    # Another transaction holds the key, as one running the PUT again would.
    holder = psycopg2.connect(
        dbname=database, user=os.environ.get("ODOO_DB_USER", "odoo"), host=os.environ.get("PGHOST", "127.0.0.1")
    )
    try:
        with holder.cursor() as cr:
            cr.execute("SELECT pg_advisory_lock(%s, %s)", _lock_id(endpoint_id, caller, key))
        busy = put(second, note_id, key, name)
    finally:
        holder.close()
    assert busy.status_code == 409, busy.text
    assert busy.headers["Retry-After"] == "1"
    assert query(database, "SELECT name FROM fastapi_test_note WHERE id = %s", (note_id,)) == [("changed elsewhere",)]
    again = put(second, note_id, key, name)
    assert again.status_code == 200, again.text
    assert "Idempotent-Replayed" not in again.headers
    assert notes(database, name) == 1


def _kill_workers(server: OdooServer) -> None:
    for pid in server.pids()[1:]:
        os.kill(pid, signal.SIGKILL)


def _key_held(database: str) -> bool:
    # The lock of a key being executed (see idempotency/store.py).
    held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objsubid = 2"
    return query(database, held, (LOCK_NAMESPACE,))[0][0] > 0


def test_worker_killed_mid_request_leaves_no_stuck_key(database, two_servers):
    server, _ = two_servers
    key, name = unique(), unique()
    errors: list[BaseException] = []

    def doomed() -> None:
        try:
            post(server, "/notes/once/slow?seconds=8", key, name, timeout=60)
        except requests.RequestException as exc:
            errors.append(exc)

    thread = threading.Thread(target=doomed)
    thread.start()
    deadline = time.monotonic() + 30
    while not _key_held(database):
        assert time.monotonic() < deadline, "the request never held its key"
        time.sleep(0.1)
    _kill_workers(server)
    thread.join(60)
    assert errors, "the request survived its worker"
    deadline = time.monotonic() + 60
    while True:
        try:
            retry = post(server, "/notes/once/slow?seconds=0", key, name)
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "no worker came back"
            time.sleep(0.3)
    assert retry.status_code == 201, retry.text
    assert "Idempotent-Replayed" not in retry.headers
    assert notes(database, name) == 1
    assert not _key_held(database)
