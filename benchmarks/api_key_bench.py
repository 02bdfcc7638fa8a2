# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo API keys: this addon's routes beside Odoo's JSON-2 API doing the same work.

Each pair is the same user (admin, with one key of no scope, which both
accept), the same database and the same ORM calls; only what surrounds them
differs. ``benchmarks/run`` runs the pairs with the other scenarios; alone:

    python benchmarks/api_key_bench.py --db DB   (after benchmarks/run set the environment up)

Beside them, the ceiling: the same ORM calls in plain Odoo routes with no
authentication and no FastAPI (``benchmarks/addons/bench_odoo_ceiling``).
No route in Odoo's HTTP stack making those calls can cost less: the
ceiling's ratio to JSON-2 is the most any API could reach on the machine.
"""

from __future__ import annotations

import argparse
import json

import run
from loadgen import Spec
from server import copy_database, drop_database, issue_api_key, query, running

ROOT = "/fastapi_demo_keys"
FIELDS = ["name", "display_name"]

# (name of ours, name of the reference, goal on req/s of ours / reference)
TARGETS = [
    ("API key: read one partner", "JSON-2 res.partner/read", ">= 2"),
    ("API key: search_read 80 partners", "JSON-2 res.partner/search_read", ">= 1.5"),
    ("API key: create one partner", "JSON-2 res.partner/create", ">= 1.3"),
    ("API key: hello, key checked", "anonymous hello", ">= 0.9"),
]
CEILING = "/bench_odoo_ceiling"
# (name of the ceiling, name of ours, name of the reference)
CEILINGS = [
    ("ceiling: read one partner", "API key: read one partner", "JSON-2 res.partner/read"),
    ("ceiling: search_read 80 partners", "API key: search_read 80 partners", "JSON-2 res.partner/search_read"),
]


def specs(server: run.OdooServer, db: str) -> list[tuple[str, Spec]]:
    key, _ = issue_api_key(server, db, None, "benchmark")
    bearer = {"Authorization": f"Bearer {key}"}
    post = {**run.JSON, **bearer}
    [(partner_id,)] = query(db, "SELECT id FROM res_partner WHERE active ORDER BY id LIMIT 1 OFFSET 3")

    def json2(method: str, params: dict) -> Spec:
        return Spec(f"/json/2/res.partner/{method}", "POST", post, json.dumps(params))

    search = {"domain": [], "fields": FIELDS, "limit": 80, "order": "id"}
    return [
        ("API key: read one partner", Spec(f"{ROOT}/partners/{partner_id}", headers=bearer)),
        ("JSON-2 res.partner/read", json2("read", {"ids": [partner_id], "fields": FIELDS})),
        ("API key: search_read 80 partners", Spec(f"{ROOT}/partners?limit=80", headers=bearer)),
        ("JSON-2 res.partner/search_read", json2("search_read", search)),
        ("API key: create one partner", Spec(f"{ROOT}/partners", "POST", post, '{"name": "bench"}')),
        ("JSON-2 res.partner/create", json2("create", {"vals_list": [{"name": "bench"}]})),
        ("API key: hello, key checked", Spec(f"{ROOT}/demo/authenticated", headers=bearer)),
        ("anonymous hello", Spec(f"{ROOT}/demo/")),
        ("ceiling: read one partner", Spec(f"{CEILING}/partners/{partner_id}")),
        ("ceiling: search_read 80 partners", Spec(f"{CEILING}/partners?limit=80")),
    ]


def targets(by_name: dict[str, dict]) -> list[dict]:
    return [
        {
            "name": f"{ours} / {reference} (req/s)",
            "value": run.ratio(by_name[ours], by_name[reference]),
            "goal": goal,
        }
        for ours, reference, goal in TARGETS
    ]


def ceilings(by_name: dict[str, dict]) -> list[dict]:
    """The ceiling's req/s against the reference's and against ours, per pair."""
    return [
        {
            "name": ceiling,
            "over_reference": run.ratio(by_name[ceiling], by_name[reference]),
            "ours_of_ceiling": run.ratio(by_name[ours], by_name[ceiling]),
            "cpu_over_reference": round(
                by_name[reference]["cpu_ms_per_req"] / max(by_name[ceiling]["cpu_ms_per_req"], 1e-9), 2
            ),
        }
        for ceiling, ours, reference in CEILINGS
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="database with fastapi (and its demo data) and rpc installed")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    db = copy_database(args.db)
    try:
        with running([db], workers=2) as server:
            loads = [run.Load(name, spec) for name, spec in specs(server, db)]
            rows = run.compare(server, loads, args.rounds, args.seconds, args.connections, "wrk")
    finally:
        drop_database(db)
    for row in rows:
        req_s = f"{row['req_s']} ({', '.join(map(str, row['req_s_rounds']))})"
        print(f"| {row['name']} | {req_s} | {row['p50_ms']} | {row['non_2xx']} | {row['cpu_ms_per_req']} |")
    by_name = {row["name"]: row for row in rows}
    for target in targets(by_name):
        print(f"| {target['name']} | {target['value']} | {target['goal']} |")
    for ceiling in ceilings(by_name):
        print(
            f"| {ceiling['name']} | / JSON-2: {ceiling['over_reference']} (CPU {ceiling['cpu_over_reference']}) "
            f"| ours / ceiling: {ceiling['ours_of_ceiling']} |"
        )


if __name__ == "__main__":
    main()
