# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Profile requests through Odoo's WSGI application, in this process.

Where ``benchmarks/run`` measures a live server under load, this tool looks
inside one request: it calls ``odoo.http.root`` directly, as a worker does,
and reports the CPU time and SQL queries per request of each path given, and
optionally writes a cProfile of them. Paths are compared in one run.

    python benchmarks/profile_request.py -c odoo.conf -d DB \\
        /fastapi_demo/demo/ "/fastapi_demo_login_key/demo/who_ami api-key=admin" \\
        'POST /web/webclient/version_info json={"params":{}}'
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import time
from collections.abc import Iterable
from urllib.parse import unquote

from werkzeug.test import EnvironBuilder

import odoo.http
import odoo.service.server
from odoo import sql_db
from odoo.tools import config


def _environ(spec: str) -> dict:
    """A WSGI environ from ``[METHOD ]PATH [name=value ...]``: headers, or ``json=`` a body."""
    words = spec.split()
    method = words.pop(0) if words[0].isupper() else "GET"
    path, *pairs = words
    # %20 in a value: a space (``Authorization=Bearer%20<key>``).
    fields = {name: unquote(value) for name, value in (pair.split("=", 1) for pair in pairs)}
    body = fields.pop("json", None)
    builder = EnvironBuilder(
        path=path,
        method=method,
        headers=list(fields.items()),
        data=body,
        content_type="application/json" if body is not None else None,
        base_url="http://127.0.0.1:8069",
    )
    return builder.get_environ()


def _call(app, spec: str) -> tuple[str, bytes]:
    status: list[str] = []

    def start_response(code: str, _headers: list, _exc_info=None) -> None:
        status.append(code)

    body = b"".join(app(_environ(spec), start_response))
    return status[0], body


def _measure(app, spec: str, count: int) -> tuple[float, float, float]:
    queries = sql_db.sql_counter
    start, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        _call(app, spec)
    cpu_ms = 1000 * (time.process_time() - start) / count
    wall_ms = 1000 * (time.perf_counter() - wall) / count
    return cpu_ms, (sql_db.sql_counter - queries) / count, wall_ms


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("-n", "--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help="write a cProfile of the last path here (.prof)")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("paths", nargs="+", help='"[METHOD ]PATH [header=value ...]"')
    args = parser.parse_args(argv)

    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    odoo.service.server.load_server_wide_modules()
    app = odoo.http.root
    for spec in args.paths:
        status, body = _call(app, spec)
        print(f"{spec}: {status} {body[:120]!r}")
        for _ in range(200):  # warm caches and the app pool
            _call(app, spec)

    results: dict[str, list[tuple[float, float, float]]] = {spec: [] for spec in args.paths}
    for _ in range(args.rounds):
        for spec in args.paths:
            results[spec].append(_measure(app, spec, args.count))
    base = min(results[args.paths[0]])[0]
    rows = []
    for spec, runs in results.items():
        cpu_ms, queries, _wall = min(runs)
        wall_ms = min(run[2] for run in runs)
        rows.append(
            {
                "request": spec,
                "cpu_ms": round(cpu_ms, 3),
                "wall_ms": round(wall_ms, 3),
                "queries": queries,
                "ratio": round(cpu_ms / base, 2),
            }
        )
        print(f"{cpu_ms:7.3f} ms CPU  {wall_ms:7.3f} ms wall  {queries:5.2f} queries  x{cpu_ms / base:4.2f}  {spec}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=2)

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.count):
            _call(app, args.paths[-1])
        profiler.disable()
        profiler.dump_stats(args.profile)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue())


if __name__ == "__main__":
    main()
