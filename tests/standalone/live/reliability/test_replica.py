# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo with a streaming read replica: safe methods read there, writes never do.

A second PostgreSQL 15 instance is made from the first with pg_basebackup
and streams from it, on another loopback port; the suite starts and stops it.
The primary needs a ``replication`` line in pg_hba.conf (added, then the
configuration reloaded: run as root, as on CI). Long suite only
(FASTAPI_SOAK=1): copying the cluster costs tens of seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import soak_enabled
from server import OdooServer, free_port, query, running

requests = pytest.importorskip("requests")
psycopg2 = pytest.importorskip("psycopg2")

pytestmark = pytest.mark.skipif(not soak_enabled(), reason="long suite only (FASTAPI_SOAK=1)")

BIN = Path(os.environ.get("FASTAPI_PG_BIN", "/usr/lib/postgresql/15/bin"))
HBA_LINE = "host replication all 127.0.0.1/32 trust"


def as_postgres(*command: str) -> subprocess.CompletedProcess:
    # PostgreSQL refuses to run as root.
    return subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, text=True)


def allow_replication() -> None:
    hba = Path(query("postgres", "SHOW hba_file")[0][0])
    if HBA_LINE not in hba.read_text():
        with hba.open("a") as conf:
            conf.write(f"\n# fastapi reliability suite: a local streaming replica\n{HBA_LINE}\n")
        query("postgres", "SELECT pg_reload_conf()")


def replica_query(port: int, db: str, sql: str) -> list[tuple]:
    with psycopg2.connect(dbname=db, user=os.environ.get("ODOO_DB_USER", "odoo"), host="127.0.0.1", port=port) as conn:
        with conn.cursor() as cr:
            cr.execute(sql)
            return cr.fetchall()


@pytest.fixture(scope="module")
def replica_port(rel_db: str) -> Iterator[int]:
    if os.geteuid() != 0 or not (BIN / "pg_basebackup").exists() or not shutil.which("runuser"):
        pytest.skip("the replica needs root, runuser and PostgreSQL 15's binaries")
    allow_replication()
    port = free_port()
    data = Path(tempfile.mkdtemp(prefix="fastapi-replica-"))
    shutil.chown(data, "postgres", "postgres")
    data.chmod(0o700)
    primary = os.environ.get("PGPORT", "5432")
    as_postgres(str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", primary, "-U", "postgres",
                "-D", str(data / "pg"), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
    # Debian keeps the primary's configuration outside its data directory.
    (data / "pg" / "postgresql.conf").write_text(
        f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{data}'\nhot_standby = on\n"
        # A throw-away copy: no minutes-long fsync of every file at start.
        "fsync = off\n"
    )
    (data / "pg" / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    for name in ("postgresql.conf", "pg_hba.conf"):
        shutil.chown(data / "pg" / name, "postgres", "postgres")
    as_postgres(str(BIN / "pg_ctl"), "-D", str(data / "pg"), "-l", str(data / "log"), "-w", "start")
    try:
        assert replica_query(port, rel_db, "SELECT pg_is_in_recovery()") == [(True,)]
        yield port
    finally:
        as_postgres(str(BIN / "pg_ctl"), "-D", str(data / "pg"), "-m", "fast", "-w", "stop")
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def with_replica(rel_db: str, replica_port: int) -> Iterator[OdooServer]:
    extra = ["--db_replica_host", "127.0.0.1", "--db_replica_port", str(replica_port)]
    with running([rel_db], workers=2, extra=extra) as server:
        yield server


def replica_sessions(port: int, db: str) -> int:
    sql = f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{db}' AND application_name LIKE 'odoo%'"
    return replica_query(port, "postgres", sql)[0][0]


def test_safe_methods_read_from_the_replica(with_replica: OdooServer, rel_db: str, replica_port: int):
    url = f"{with_replica.base_url}/fastapi_demo_login_key/demo/who_ami"
    for _ in range(6):
        response = requests.get(url, headers={"api-key": "admin"}, timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["name"] == "Mitchell Admin"
    assert replica_sessions(replica_port, rel_db) > 0


def test_get_that_writes_falls_back_to_the_primary(with_replica: OdooServer, rel_db: str, replica_port: int):
    response = requests.get(f"{with_replica.base_url}/test_notes/notes/write-on-get", timeout=60)
    assert response.status_code == 200, response.text
    note = response.json()["id"]
    assert query(rel_db, "SELECT name FROM fastapi_test_note WHERE id = %s", (note,)) == [("from a GET",)]
    # The replica only ever receives it by streaming from the primary.
    assert replica_query(replica_port, rel_db, "SELECT pg_is_in_recovery()") == [(True,)]
    deadline = time.monotonic() + 10
    while not replica_query(replica_port, rel_db, f"SELECT 1 FROM fastapi_test_note WHERE id = {int(note)}"):
        assert time.monotonic() < deadline, "the note never reached the replica"
        time.sleep(0.2)


def test_post_writes_on_the_primary(with_replica: OdooServer, rel_db: str):
    url = f"{with_replica.base_url}/test_notes/counters/replica/increment"
    values = [requests.post(url, timeout=60).json()["value"] for _ in range(3)]
    assert values == [1, 2, 3]
    assert query(rel_db, "SELECT value FROM fastapi_test_counter WHERE name = 'replica'") == [(3,)]
