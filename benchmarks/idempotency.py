# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What idempotency costs, on a live prefork Odoo, against the plain POST.

The same route of the notes API (``POST /test_notes/notes/once``, which
creates a note) without a key, with a new key on every request, and with one
key replayed; the plain ``POST /test_notes/notes`` beside them. Each in turn,
several rounds, medians of server CPU per request compared within the run.

    benchmarks/run --help  # sets the database up; then, with its environment:
    python benchmarks/idempotency.py --db fastapi_bench
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import POST_NOTE, Load, compare, copy_database, drop_database, running  # noqa: E402

ONCE = replace(POST_NOTE, path="/test_notes/notes/once")
PLAIN = "plain POST creating a record"
NO_KEY = "idempotent route, no key"
NEW_KEY = "idempotent route, new key each request"
REPLAY = "idempotent route, replayed key"


def loads() -> list[Load]:
    replayed = replace(ONCE, headers={**ONCE.headers, "Idempotency-Key": "bench-replayed"})
    return [
        Load(PLAIN, POST_NOTE),
        Load(NO_KEY, ONCE),
        Load(NEW_KEY, replace(ONCE, unique_header="Idempotency-Key")),
        Load(REPLAY, replayed),
    ]


def ratios(rows: list[dict]) -> dict[str, float]:
    cpu = {row["name"]: row["cpu_ms_per_req"] for row in rows}
    return {
        "new key / no key (CPU)": round(cpu[NEW_KEY] / cpu[NO_KEY], 2),
        "new key / plain POST (CPU)": round(cpu[NEW_KEY] / cpu[PLAIN], 2),
        "replay / plain POST (CPU)": round(cpu[REPLAY] / cpu[PLAIN], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="database with fastapi and fastapi_test_notes installed")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--loadgen", choices=["wrk", "locust"], default="wrk")
    args = parser.parse_args()
    db = copy_database(args.db)
    try:
        with running([db], workers=2) as server:
            # The replayed key's answer exists before its load starts.
            first = requests.post(
                server.base_url + ONCE.path, data=ONCE.body, headers=loads()[-1].spec.headers, timeout=30
            )
            first.raise_for_status()
            rows = compare(server, loads(), args.rounds, args.seconds, args.connections, args.loadgen)
    finally:
        drop_database(db)
    report = {"throughput": rows, "ratios": ratios(rows)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
