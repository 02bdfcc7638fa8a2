# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Load generators for the benchmarks, each in a process of its own.

``wrk`` (Debian package) when it is installed; otherwise Locust, from PyPI,
which ``benchmarks/run`` installs in a virtualenv of its own. Both drive a
closed loop of ``connections`` clients that send the next request as soon as
the previous one is answered, and report the same figures.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Spec:
    """One kind of request; with ``distinct``, ``path`` ends with a counter modulo it."""

    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    distinct: int = 0
    # A header whose value is new on every request (e.g. an Idempotency-Key).
    unique_header: str | None = None


@dataclass
class Result:
    requests: int
    req_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


def available(name: str) -> bool:
    if name == "wrk":
        return shutil.which("wrk") is not None
    return _locust_command() is not None


def run(name: str, base_url: str, spec: Spec, seconds: int, connections: int) -> Result:
    runner = _wrk if name == "wrk" else _locust
    return runner(base_url, spec, seconds, connections)


def _lua(spec: Spec) -> str:
    lines = [f'wrk.method = "{spec.method}"']
    if spec.body is not None:
        lines.append(f"wrk.body = {json.dumps(spec.body)}")
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in spec.headers.items()]
    if spec.unique_header:
        # wrk's threads each run this script: the prefix tells them apart,
        # and a new one per run keeps the keys of earlier runs out.
        lines += [
            "threads = 0",
            "function setup(thread) threads = threads + 1; thread:set('tid', threads) end",
            "sent = 0",
            "request = function()",
            "  sent = sent + 1",
            f"  wrk.headers[{json.dumps(spec.unique_header)}] = '{uuid.uuid4().hex}-' .. tid .. '-' .. sent",
            "  return wrk.format()",
            "end",
        ]
    elif spec.distinct:
        lines += [
            "counter = 0",
            "request = function()",
            "  counter = counter + 1",
            f"  return wrk.format(nil, {json.dumps(spec.path)} .. (counter % {spec.distinct}))",
            "end",
        ]
    return "\n".join(lines) + "\n"


def _ms(value: str) -> float:
    found = re.match(r"([\d.]+)(us|ms|s|m)\b", value)
    if not found:
        return float("nan")
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _wrk(base_url: str, spec: Spec, seconds: int, connections: int) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(_lua(spec))
        script.flush()
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, base_url + spec.path],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Result(
        requests=int(re.search(r"(\d+) requests in", out).group(1)),
        req_s=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(re.search(r"50%\s+(\S+)", out).group(1)),
        p99_ms=_ms(re.search(r"99%\s+(\S+)", out).group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


LOCUSTFILE = """
import itertools, json, uuid
from locust import FastHttpUser, constant, task

SPEC = json.loads({spec!r})
COUNTER = itertools.count()
PREFIX = uuid.uuid4().hex


class Client(FastHttpUser):
    wait_time = constant(0)

    @task
    def send(self):
        path, headers = SPEC["path"], SPEC["headers"]
        if SPEC["distinct"]:
            path += str(next(COUNTER) % SPEC["distinct"])
        if SPEC["unique_header"]:
            headers = {{**headers, SPEC["unique_header"]: f"{{PREFIX}}-{{next(COUNTER)}}"}}
        self.client.request(SPEC["method"], path, headers=headers, data=SPEC["body"], name="load")
"""


def _locust_command() -> str | None:
    found = os.environ.get("FASTAPI_LOCUST") or shutil.which("locust")
    return found if found and Path(found).exists() else None


def _locust(base_url: str, spec: Spec, seconds: int, connections: int) -> Result:
    with tempfile.TemporaryDirectory() as work:
        locustfile = Path(work, "locustfile.py")
        locustfile.write_text(LOCUSTFILE.format(spec=json.dumps(spec.__dict__)))
        subprocess.run(
            [
                _locust_command(),
                "-f",
                str(locustfile),
                "--headless",
                "--only-summary",
                "--users",
                str(connections),
                "--spawn-rate",
                str(connections * 100),
                "--run-time",
                f"{seconds}s",
                "--host",
                base_url,
                "--csv",
                str(Path(work, "out")),
                "--exit-code-on-error",
                "0",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        with Path(work, "out_stats.csv").open() as handle:
            row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    return Result(
        requests=int(row["Request Count"]),
        req_s=float(row["Requests/s"]),
        p50_ms=float(row["50%"]),
        p99_ms=float(row["99%"]),
        non_2xx=int(row["Failure Count"]),
    )
