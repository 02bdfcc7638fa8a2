# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Clients keep calling while the endpoint's configuration changes every second.

A writer outside Odoo (its own PostgreSQL session, plain SQL: only the
triggers signal the change) renames the demo endpoint once a second and
notes when each commit returned. Every answer must be a 200 built from a
configuration at least as new as the last one committed before the request
was sent: 0 5xx, 0 connection errors, 0 stale answers.

Short (8 clients, 10 s) in the fast suite; 16 clients for 2 minutes with
FASTAPI_SOAK=1; each on prefork (2 workers) and on the threaded server.
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from conftest import soak_enabled
from server import OdooServer, running

requests = pytest.importorskip("requests")
psycopg2 = pytest.importorskip("psycopg2")

LONG = soak_enabled()
CLIENTS = 16 if LONG else 8
SECONDS = 120 if LONG else 10


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    stale: list[tuple[int, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Writer(threading.Thread):
    """Renames the demo endpoint to 'Soak <n>' every second, by SQL."""

    def __init__(self, db: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.db, self.stop = db, stop
        self.done_at: list[float] = []  # when commit n returned, n = index + 1

    def run(self) -> None:
        user = os.environ.get("ODOO_DB_USER", "odoo")
        conn = psycopg2.connect(dbname=self.db, user=user, host=os.environ.get("PGHOST", "127.0.0.1"))
        try:
            while not self.stop.is_set():
                with conn.cursor() as cr:
                    cr.execute(
                        "UPDATE fastapi_endpoint SET name = %s WHERE root_path = '/fastapi_demo'",
                        (f"Soak {len(self.done_at) + 1}",),
                    )
                conn.commit()
                self.done_at.append(time.monotonic())
                self.stop.wait(1)
        finally:
            conn.close()

    def committed_before(self, moment: float) -> int:
        return bisect.bisect_left(self.done_at, moment)


def client(server: OdooServer, writer: Writer, stop: threading.Event, tally: Tally) -> None:
    session = requests.Session()
    url = server.base_url + "/fastapi_demo/openapi.json"
    while not stop.is_set():
        sent = time.monotonic()
        floor = writer.committed_before(sent)
        try:
            response = session.get(url, timeout=60)
        except requests.RequestException:
            with tally.lock:
                tally.errors += 1
            continue
        seen = 0
        if response.status_code == 200:
            title = response.json()["info"]["title"]
            seen = int(title.split()[1]) if title.startswith("Soak ") else 0
        with tally.lock:
            tally.statuses[response.status_code] += 1
            if response.status_code == 200 and seen < floor:
                tally.stale.append((seen, floor))


def soak(server: OdooServer, db: str) -> tuple[Tally, int]:
    stop = threading.Event()
    writer = Writer(db, stop)
    tally = Tally()
    writer.start()
    threads = [threading.Thread(target=client, args=(server, writer, stop, tally)) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in [*threads, writer]:
        thread.join(90)
    return tally, len(writer.done_at)


def check(kind: str, tally: Tally, changes: int, capsys) -> None:
    total = sum(tally.statuses.values())
    with capsys.disabled():
        print(
            f"\nsoak {kind}: {CLIENTS} clients, {SECONDS} s, {changes} committed changes, {total} answers "
            f"{dict(tally.statuses)}, {tally.errors} connection errors, {len(tally.stale)} stale"
            + (f" (seen, floor): {tally.stale[:10]}" if tally.stale else "")
        )
    assert set(tally.statuses) == {200}, tally.statuses
    assert tally.errors == 0
    assert tally.stale == []
    assert changes >= SECONDS // 2 and total > CLIENTS


def test_soak_prefork(prefork: OdooServer, rel_db: str, capsys):
    check("prefork (2 workers)", *soak(prefork, rel_db), capsys)


def test_soak_threaded(rel_db: str, capsys):
    with running([rel_db], workers=0) as server:
        check("threaded", *soak(server, rel_db), capsys)
