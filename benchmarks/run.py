# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmarks against a live prefork Odoo, each scenario beside its references.

Run by ``benchmarks/run`` (which sets up Odoo and the database). Load comes
from wrk (or Locust) in a separate process; each scenario and its references are run in
turn, several rounds, and the medians compared: ratios measured in the same
run hold on a noisy machine where absolute figures do not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import psutil
import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "standalone" / "live"))

import api_key_bench  # noqa: E402
import loadgen  # noqa: E402
from loadgen import Spec  # noqa: E402
from server import OdooServer, alternate_databases, copy_database, drop_database, running  # noqa: E402

JSON = {"Content-Type": "application/json"}
VERSION_INFO = Spec("/web/webclient/version_info", "POST", JSON, '{"jsonrpc": "2.0", "method": "call", "params": {}}')
POST_NOTE = Spec("/test_notes/notes", "POST", {**JSON, "X-Partner-Ref": "alice-token"}, '{"name": "bench"}')
API_KEY = {"api-key": "admin"}
# The demo app whose "api-key" header holds a user's login.
LOGIN_KEY_DEMO = "/fastapi_demo_login_key/demo"
# A client whose language the database does not have installed, as most
# browsers and many API clients send.
FOREIGN = {"Accept-Language": "fr-BE,fr;q=0.9"}


@dataclass
class Load:
    name: str
    spec: Spec
    rps: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    non_2xx: int = 0
    cpu_ms: list[float] = field(default_factory=list)
    rss_mb: float = 0.0

    def summary(self) -> dict:
        return {
            "name": self.name,
            "path": self.spec.path,
            "req_s": round(statistics.median(self.rps), 1),
            "req_s_rounds": [round(rps, 1) for rps in self.rps],
            "p50_ms": round(statistics.median(self.p50_ms), 2),
            "p99_ms": round(statistics.median(self.p99_ms), 2),
            "non_2xx": self.non_2xx,
            "cpu_ms_per_req": round(statistics.median(self.cpu_ms), 3),
            "rss_mb_per_worker": round(self.rss_mb, 1),
        }


def server_cpu(server: OdooServer) -> float:
    total = 0.0
    for pid in server.pids():
        try:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def worker_rss_mb(server: OdooServer) -> float:
    workers = server.pids()[1:] or server.pids()
    return statistics.mean(psutil.Process(pid).memory_info().rss for pid in workers) / 2**20


def drive(server: OdooServer, load: Load, seconds: int, connections: int, gen: str) -> None:
    cpu = server_cpu(server)
    result = loadgen.run(gen, server.base_url, load.spec, seconds, connections)
    cpu = server_cpu(server) - cpu
    load.rps.append(result.req_s)
    load.p50_ms.append(result.p50_ms)
    load.p99_ms.append(result.p99_ms)
    load.non_2xx += result.non_2xx
    load.cpu_ms.append(1000 * cpu / max(result.requests, 1))
    load.rss_mb = worker_rss_mb(server)


def compare(server: OdooServer, loads: list[Load], rounds: int, seconds: int, connections: int, gen: str) -> list[dict]:
    for load in loads:  # warm every worker
        drive(server, Load("warm", load.spec), 2, connections, gen)
    for n in range(rounds):
        # Every other round in reverse: a scenario and its reference, side by
        # side in the list, take turns at running first, so that a drift of
        # the machine within a round favours neither.
        for load in loads if n % 2 == 0 else loads[::-1]:
            drive(server, load, seconds, connections, gen)
    return [load.summary() for load in loads]


def ratio(row: dict, reference: dict) -> float:
    """req/s of ``row`` over ``reference``: the median of their ratios round by round.

    Each round measures both within seconds of each other: their ratio holds
    when the machine's speed drifts between rounds, as it does here.
    """
    rounds = zip(row["req_s_rounds"], reference["req_s_rounds"], strict=True)
    return round(statistics.median(a / b for a, b in rounds), 2)


def first_request_ratio(server: OdooServer, change, path: str = "/fastapi_demo/demo/", rounds: int = 11) -> dict:
    url = server.base_url + path

    def latency() -> float:
        start = time.perf_counter()
        if path == "/web/webclient/version_info":
            requests.post(url, json={"jsonrpc": "2.0", "method": "call", "params": {}}, timeout=30).raise_for_status()
        else:
            requests.get(url, timeout=30).raise_for_status()
        return 1000 * (time.perf_counter() - start)

    def slowest_of_a_turn() -> float:
        # A turn is one request per worker: after a change, each worker's
        # first. Which worker takes which request is the kernel's choice, so
        # the slowest of the turn is taken, and steady state is measured the
        # same way: the slowest of a turn, with no change before it.
        return max(latency() for _ in range(server.workers))

    ratios, firsts, steadies = [], [], []
    for n in range(rounds):
        steady = statistics.median(slowest_of_a_turn() for _ in range(20))
        change(n)
        first = slowest_of_a_turn()
        ratios.append(first / steady)
        firsts.append(first)
        steadies.append(steady)
    return {
        "steady_ms": round(statistics.median(steadies), 2),
        "first_ms": round(statistics.median(firsts), 2),
        "ratio": round(statistics.median(ratios), 2),
    }


def distinct_urls(server: OdooServer, db: str, counts: list[int], connections: int, gen: str) -> list[dict]:
    """Apps held and RSS per worker after many requests to 10,000 distinct URLs."""
    spec = Spec("/fastapi_demo/demo/item/", distinct=10_000)
    opener = server.login(db)
    results, done = [], 0
    for target in counts:
        while done < target:
            done += loadgen.run(gen, server.base_url, spec, 5, connections).requests
        stats = server.pool_stats(opener)
        held = [
            sum(e["idle"] + e["in_use"] for e in worker["keys"] if e["key"] == [db, "/fastapi_demo"])
            for worker in stats.values()
        ]
        results.append(
            {"requests": done, "apps_held_per_worker": held, "rss_mb_per_worker": round(worker_rss_mb(server), 1)}
        )
    return results


def two_databases(template: str) -> dict:
    first, second = copy_database(template), copy_database(template)
    try:
        with running([first, second], workers=2) as server:
            return alternate_databases(server, [first, second], 500, "/fastapi_demo/demo/")
    finally:
        drop_database(first)
        drop_database(second)


def threaded_async(db: str) -> dict:
    with running([db], workers=0) as server:
        url = f"{server.base_url}/test_notes/sleep?seconds=0.5"
        requests.get(url, timeout=30)
        walls = []
        for _ in range(5):
            start = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda _: requests.get(url, timeout=30).raise_for_status(), range(8)))
            walls.append(time.perf_counter() - start)
        return {"concurrent": 8, "sleep_s": 0.5, "wall_s": round(statistics.median(walls), 3)}


IN_PROCESS = [
    "/fastapi_demo/demo/",
    'POST /web/webclient/version_info json={"jsonrpc":"2.0","method":"call","params":{}}',
    "/fastapi_demo_login_key/demo/authenticated api-key=admin",
    "/fastapi_demo_login_key/demo/who_ami api-key=admin",
    "/fastapi_demo/demo/ Accept-Language=fr-BE",
    'POST /web/webclient/version_info json={"jsonrpc":"2.0","method":"call","params":{}} Accept-Language=fr-BE',
]


def in_process(db: str) -> list[dict]:
    """CPU and queries per request inside one Odoo process: where the time goes."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [
                os.environ["FASTAPI_ODOO_PYTHON"],
                str(HERE / "profile_request.py"),
                "-c",
                os.environ["FASTAPI_ODOO_CONF"],
                "-d",
                db,
                "--json",
                out.name,
                *IN_PROCESS,
            ],
            check=True,
            capture_output=True,
        )
        return json.loads(Path(out.name).read_text())


def _loadgen_text(report: dict) -> str:
    if report.get("loadgen", "wrk") == "wrk":
        return f"`wrk -t2 -c{report['connections']}`"
    return f"Locust, {report['connections']} users"


def markdown(report: dict) -> str:
    lines = [
        f"Measured {report['date']} on {report['machine']}; Odoo prefork, 2 workers, "
        f"{_loadgen_text(report)}, medians of {report['rounds']} rounds of {report['seconds']} s.",
        "",
        "| scenario | req/s | p50 ms | p99 ms | non-2xx | server CPU ms/req | RSS MB/worker |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["throughput"]:
        lines.append(
            f"| {row['name']} | {row['req_s']} | {row['p50_ms']} | {row['p99_ms']} | {row['non_2xx']} | "
            f"{row['cpu_ms_per_req']} | {row['rss_mb_per_worker']} |"
        )
    lines += ["", "| target | measured | goal | met |", "|---|---:|---:|:---:|"]
    for target in report["targets"]:
        lines.append(
            f"| {target['name']} | {target['value']} | {target['goal']} | {'yes' if target['met'] else 'no'} |"
        )
    if report.get("ceilings"):
        lines += [
            "",
            "The ceiling: the same ORM calls in plain Odoo routes, no authentication, no FastAPI "
            "(`benchmarks/addons/bench_odoo_ceiling`):",
            "",
            "| ceiling | its req/s / JSON-2's | JSON-2's CPU / its CPU | ours / ceiling (req/s) |",
            "|---|---:|---:|---:|",
            *(
                f"| {row['name']} | {row['over_reference']} | {row['cpu_over_reference']} | {row['ours_of_ceiling']} |"
                for row in report["ceilings"]
            ),
        ]
    native = report.get("native_after_unrelated_invalidation")
    if native:
        lines += [
            "",
            f"Reference: Odoo's own `version_info` route after the same unrelated invalidation: "
            f"{native['first_ms']} ms against {native['steady_ms']} ms steady, ratio {native['ratio']}.",
        ]
    if report.get("in_process"):
        lines += [
            "",
            "Inside one Odoo process (`benchmarks/profile_request.py`, no HTTP server, best of 3 rounds):",
            "",
            "| request | CPU ms | SQL queries | x first |",
            "|---|---:|---:|---:|",
            *(
                f"| `{row['request']}` | {row['cpu_ms']} | {row['queries']:g} | {row['ratio']} |"
                for row in report["in_process"]
            ),
        ]
    return "\n".join(lines) + "\n"


def chart(report: dict, path: Path) -> None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    rows = report["throughput"]
    names = [row["name"] for row in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 0.6 * len(rows) + 2))
    left.barh(names, [row["req_s"] for row in rows], color="#4c72b0")
    left.set_xlabel("requests / s")
    left.invert_yaxis()
    positions = range(len(rows))
    right.barh([p - 0.2 for p in positions], [row["p50_ms"] for row in rows], height=0.4, label="p50")
    right.barh([p + 0.2 for p in positions], [row["p99_ms"] for row in rows], height=0.4, label="p99")
    right.set_yticks(list(positions), [""] * len(rows))
    right.invert_yaxis()
    right.set_xlabel("latency ms")
    right.legend()
    fig.suptitle("fastapi addon: scenarios and their references (same run)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True, help="database with fastapi, fastapi_test_notes and rpc installed")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--many", type=int, default=100_000, help="requests of the distinct-URL scenario")
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument(
        "--loadgen", choices=["auto", "wrk", "locust"], default="auto", help="auto: wrk if installed, else Locust"
    )
    args = parser.parse_args()
    gen = args.loadgen
    if gen == "auto":
        gen = "wrk" if loadgen.available("wrk") else "locust"
    if not loadgen.available(gen):
        parser.error(f"{gen} is not installed")

    db = copy_database(args.db)
    report: dict = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, {round(psutil.virtual_memory().total / 2**30)} GiB, "
        f"{platform.python_implementation()} {platform.python_version()}",
        "rounds": args.rounds,
        "seconds": args.seconds,
        "connections": args.connections,
        "loadgen": gen,
    }
    try:
        with running([db], workers=2) as server:
            eid = server.rpc(db, "fastapi.endpoint", "search", [("root_path", "=", "/fastapi_demo")])
            loads = [
                Load("demo GET /fastapi_demo/demo/", Spec("/fastapi_demo/demo/")),
                Load("native POST /web/webclient/version_info", VERSION_INFO),
                Load("native GET /web/health", Spec("/web/health")),
                Load("authenticated GET who_ami (api-key)", Spec(f"{LOGIN_KEY_DEMO}/who_ami", headers=API_KEY)),
                Load("authenticated GET, no read (api-key)", Spec(f"{LOGIN_KEY_DEMO}/authenticated", headers=API_KEY)),
                Load("POST JSON creating a record", POST_NOTE),
                Load("demo GET, language not installed", Spec("/fastapi_demo/demo/", headers=FOREIGN)),
                Load(
                    "native version_info, language not installed",
                    replace(VERSION_INFO, headers={**VERSION_INFO.headers, **FOREIGN}),
                ),
            ]
            loads += [Load(name, spec) for name, spec in api_key_bench.specs(server, db)]
            report["throughput"] = compare(server, loads, args.rounds, args.seconds, args.connections, gen)
            report["after_endpoint_change"] = first_request_ratio(
                server, lambda n: server.rpc(db, "fastapi.endpoint", "write", eid, {"description": f"b{n}"})
            )

            def touch_parameter(n: int) -> None:
                server.rpc(db, "ir.config_parameter", "set_param", "bench.key", f"{n}-{time.time()}")

            report["after_unrelated_invalidation"] = first_request_ratio(server, touch_parameter)
            # Odoo's own route after the same invalidation: what Odoo itself pays.
            report["native_after_unrelated_invalidation"] = first_request_ratio(
                server, touch_parameter, "/web/webclient/version_info"
            )
            counts = [1_000, args.many] if args.many > 1_000 else [args.many]
            report["distinct_urls"] = distinct_urls(server, db, counts, args.connections, gen)
        report["in_process"] = in_process(db)
        report["two_databases"] = two_databases(args.db)
        report["threaded_async"] = threaded_async(db)
    finally:
        drop_database(db)

    by_name = {row["name"]: row for row in report["throughput"]}
    demo, native = by_name["demo GET /fastapi_demo/demo/"], by_name["native POST /web/webclient/version_info"]
    auth = by_name["authenticated GET who_ami (api-key)"]
    auth_only = by_name["authenticated GET, no read (api-key)"]
    rss = report["distinct_urls"]
    report["targets"] = [
        {
            "name": "demo GET / native version_info (req/s)",
            "value": ratio(demo, native),
            "goal": ">= 0.85",
        },
        {
            "name": "authenticated who_ami / anonymous GET (req/s)",
            "value": ratio(auth, demo),
            "goal": ">= 0.8",
        },
        {
            "name": "authenticated, no read / anonymous GET (req/s)",
            "value": ratio(auth_only, demo),
            "goal": ">= 0.8",
        },
        {
            "name": "first request after endpoint change / steady",
            "value": report["after_endpoint_change"]["ratio"],
            "goal": "<= 2",
        },
        {
            "name": "first request after unrelated invalidation / steady",
            "value": report["after_unrelated_invalidation"]["ratio"],
            "goal": "<= 1.2",
        },
        {
            "name": f"RSS/worker growth {rss[0]['requests']} -> {rss[-1]['requests']} requests (MB)",
            "value": round(rss[-1]["rss_mb_per_worker"] - rss[0]["rss_mb_per_worker"], 1),
            "goal": "<= 10",
        },
        {"name": "two alternating databases: rebuilds", "value": report["two_databases"]["builds"], "goal": "== 0"},
        {
            "name": "threaded: 8 concurrent 0.5 s async requests, wall s",
            "value": report["threaded_async"]["wall_s"],
            "goal": "<= 0.8",
        },
    ]
    report["targets"] += api_key_bench.targets(by_name)
    report["ceilings"] = api_key_bench.ceilings(by_name)
    for target in report["targets"]:
        op, goal = target["goal"].split()
        target["met"] = {
            ">=": target["value"] >= float(goal),
            "<=": target["value"] <= float(goal),
            "==": target["value"] == float(goal),
        }[op]

    out = Path(args.out)
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(report, indent=2))
    (out / "latest.md").write_text(markdown(report))
    chart(report, out / "latest.png")
    print(markdown(report))
    print(
        json.dumps(
            {
                k: report[k]
                for k in (
                    "after_endpoint_change",
                    "after_unrelated_invalidation",
                    "distinct_urls",
                    "two_databases",
                    "threaded_async",
                )
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
