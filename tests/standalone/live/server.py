# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Live Odoo servers for the live tests and the benchmarks.

A server is a real ``odoo-bin`` process (prefork with workers, or threaded)
on a copy of the database that ``tools/test`` installed. Where Odoo lives is
told by the environment that ``tools/test`` and ``benchmarks/run`` set.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

ENV_VARS = ("FASTAPI_ODOO_PYTHON", "FASTAPI_ODOO_BIN", "FASTAPI_ODOO_CONF", "FASTAPI_TEST_DB")


def missing_setup() -> str | None:
    missing = [name for name in ENV_VARS if not os.environ.get(name)]
    return f"no live Odoo: {', '.join(missing)} not set (run tools/test)" if missing else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _psql(sql: str, db: str = "postgres") -> None:
    user = os.environ.get("ODOO_DB_USER", "odoo")
    subprocess.run(["psql", "-q", "-U", user, "-d", db, "-c", sql], check=True, capture_output=True)


def copy_database(template: str, name: str | None = None) -> str:
    name = name or f"{template}_live_{uuid.uuid4().hex[:8]}"
    # Under pytest-odoo, Odoo runs in this process and its pool keeps idle
    # connections to the template, which PostgreSQL refuses to copy from.
    if sql_db := sys.modules.get("odoo.sql_db"):
        sql_db.close_db(template)
    _psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def drop_database(name: str) -> None:
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(db: str, sql: str, params: tuple = ()) -> list[tuple]:
    import psycopg2  # noqa: PLC0415 - only the Odoo venv has it

    user = os.environ.get("ODOO_DB_USER", "odoo")
    with psycopg2.connect(dbname=db, user=user, host=os.environ.get("PGHOST", "127.0.0.1")) as conn:
        with conn.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall() if cr.description else []


@dataclass
class OdooServer:
    databases: list[str]
    workers: int = 2
    port: int = field(default_factory=free_port)
    extra: list[str] = field(default_factory=list)
    process: subprocess.Popen | None = None
    logfile: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> OdooServer:
        log_dir = Path(os.environ["FASTAPI_ODOO_CONF"]).parent / "live-logs"
        log_dir.mkdir(exist_ok=True)
        self.logfile = log_dir / f"odoo-{self.port}.log"
        command = [
            os.environ["FASTAPI_ODOO_PYTHON"],
            os.environ["FASTAPI_ODOO_BIN"],
            "-c",
            os.environ["FASTAPI_ODOO_CONF"],
            # The databases as -d and no --db-filter: Odoo then knows them
            # without listing PostgreSQL's databases on every sessionless request.
            "-d",
            ",".join(self.databases),
            "--http-port",
            str(self.port),
            # A port of its own for the websocket process of a prefork
            # server: two servers on Odoo's default one leave the second's
            # process failing to bind and respawned every second.
            "--gevent-port",
            str(free_port()),
            "--workers",
            str(self.workers),
            "--max-cron-threads",
            "0",
            "--limit-request",
            "100000000",
            "--limit-time-cpu",
            "600",
            "--limit-time-real",
            "1200",
            "--limit-memory-soft",
            str(8 << 30),
            "--limit-memory-hard",
            str(16 << 30),
            "--logfile",
            str(self.logfile),
            *self.extra,
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited with {self.process.returncode}: see {self.logfile}")
            try:
                with urllib.request.urlopen(self.base_url + "/web/health", timeout=2):
                    return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"Odoo did not answer within {timeout}s: see {self.logfile}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def pids(self) -> list[int]:
        """The server process and its workers."""
        import psutil  # noqa: PLC0415 - only the Odoo venv has it

        main = psutil.Process(self.process.pid)
        return [main.pid, *(child.pid for child in main.children())]

    def rpc(self, db: str, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        proxy = xmlrpc.client.ServerProxy(f"{self.base_url}/xmlrpc/2/object", allow_none=True)
        return proxy.execute_kw(db, 2, "admin", model, method, list(args), kwargs)

    def login(self, db: str) -> urllib.request.OpenerDirector:
        """An opener with an admin session on ``db``."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        payload = {"jsonrpc": "2.0", "params": {"db": db, "login": "admin", "password": "admin"}}
        request = urllib.request.Request(
            self.base_url + "/web/session/authenticate",
            json.dumps(payload).encode(),
            {"Content-Type": "application/json"},
        )
        with opener.open(request, timeout=30) as response:
            assert json.load(response).get("result"), "login failed"
        return opener

    def pool_stats(self, opener: urllib.request.OpenerDirector, tries: int = 400) -> dict[int, dict]:
        """The app pool counters of every worker, by pid (workers are reached at random)."""
        wanted = max(self.workers, 1)
        stats: dict[int, dict] = {}
        for _ in range(tries):
            with opener.open(self.base_url + "/fastapi/pool_stats", timeout=30) as response:
                body = json.load(response)
            stats[body["pid"]] = body
            if len(stats) >= wanted:
                break
        return stats


def pool_total(stats: dict[int, dict], counter: str) -> int:
    return sum(worker[counter] for worker in stats.values())


def _databases_held(worker: dict) -> set[str]:
    return {entry["key"][0] for entry in worker["keys"] if entry["idle"] + entry["in_use"]}


def alternate_databases(server: OdooServer, databases: list[str], rounds: int, path: str) -> dict[str, int]:
    """Builds and invalidations while requests alternate between databases, after a warm-up."""
    import requests  # noqa: PLC0415 - only the Odoo venv has it

    def hit_each() -> None:
        for db in databases:
            response = requests.get(server.base_url + path, headers={"X-Odoo-Database": db}, timeout=30)
            response.raise_for_status()

    opener = server.login(databases[0])
    # Which worker takes a request is the kernel's choice: warm up until
    # every worker holds an app of every database.
    for _ in range(40):
        for _ in range(5):
            hit_each()
        before = server.pool_stats(opener)
        if all(_databases_held(worker) >= set(databases) for worker in before.values()):
            break
    for _ in range(rounds):
        hit_each()
    after = server.pool_stats(opener)
    return {
        "requests": rounds * len(databases),
        "builds": pool_total(after, "builds") - pool_total(before, "builds"),
        "invalidations": pool_total(after, "invalidations") - pool_total(before, "invalidations"),
    }


@contextmanager
def running(databases: list[str], **kwargs: Any) -> Iterator[OdooServer]:
    server = OdooServer(databases, **kwargs).start()
    try:
        yield server
    finally:
        server.stop()


def call_kw(
    server: OdooServer, opener: urllib.request.OpenerDirector, model: str, method: str, *args: Any, **kwargs: Any
) -> Any:
    """A method call as the web client makes it, in ``opener``'s session."""
    payload = {"jsonrpc": "2.0", "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs}}
    request = urllib.request.Request(
        f"{server.base_url}/web/dataset/call_kw", json.dumps(payload).encode(), {"Content-Type": "application/json"}
    )
    with opener.open(request, timeout=60) as response:
        answer = json.load(response)
    if "error" in answer:
        raise RuntimeError(answer["error"]["data"]["message"])
    return answer["result"]


def with_identity_check(server: OdooServer, opener: urllib.request.OpenerDirector, action: Any) -> Any:
    """Pass Odoo's password check that ``action`` asks for (admin's password), if it does."""
    if not (isinstance(action, dict) and action.get("res_model") == "res.users.identitycheck"):
        return action
    return call_kw(
        server, opener, "res.users.identitycheck", "run_check", [action["res_id"]], context={"password": "admin"}
    )


def issue_api_key(server: OdooServer, db: str, scope: str | None, name: str = "live") -> tuple[str, int]:
    """An Odoo API key of admin's, made with Odoo's own wizard; (key, id of its row)."""
    opener = server.login(db)
    context = {"fastapi_api_key_scope": scope} if scope else {}
    wizard = call_kw(
        server, opener, "res.users.apikeys.description", "create", {"name": name, "duration": "0"}, context=context
    )
    action = call_kw(server, opener, "res.users.apikeys.description", "make_key", [wizard], context=context)
    key = with_identity_check(server, opener, action)["context"]["default_key"]
    [(key_id,)] = query(db, "SELECT id FROM res_users_apikeys WHERE index = %s", (key[:8],))
    return key, key_id


def revoke_api_key(server: OdooServer, db: str, key_id: int) -> None:
    """Remove a key as a user does from its preferences."""
    opener = server.login(db)
    with_identity_check(server, opener, call_kw(server, opener, "res.users.apikeys", "remove", [key_id]))
