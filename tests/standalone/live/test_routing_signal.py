# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Endpoint changes made outside any HTTP request reach running servers.

Another process (plain SQL through psycopg2, ``odoo-bin shell``) commits a
change while a prefork server (2 workers) and a threaded server run on the
same database: the next request of every worker sees it. A rolled-back
change is never seen. Uninstalling the addon leaves none of its triggers,
functions or sequence behind.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from server import copy_database, drop_database, query, running

requests = pytest.importorskip("requests")
psycopg2 = pytest.importorskip("psycopg2")

TRIES = 12  # enough requests to reach every worker of a server


@pytest.fixture(scope="module")
def servers(database):
    with running([database], workers=2) as prefork, running([database], workers=0) as threaded:
        yield prefork, threaded


def statuses(servers, path: str) -> set[int]:
    return {requests.get(server.base_url + path, timeout=30).status_code for server in servers for _ in range(TRIES)}


def titles(servers, root: str) -> set[str]:
    url = f"{root}/openapi.json"
    return {requests.get(server.base_url + url, timeout=30).json()["info"]["title"] for server in servers}


def connect(db: str):
    user = os.environ.get("ODOO_DB_USER", "odoo")
    return psycopg2.connect(dbname=db, user=user, host=os.environ.get("PGHOST", "127.0.0.1"))


def test_sql_move_and_archive_are_live_on_the_next_request(database, servers):
    assert statuses(servers, "/fastapi_demo/demo/") == {200}
    query(database, "UPDATE fastapi_endpoint SET root_path = '/sql_moved' WHERE root_path = '/fastapi_demo'")
    assert statuses(servers, "/fastapi_demo/demo/") == {404}
    assert statuses(servers, "/sql_moved/demo/") == {200}
    query(database, "UPDATE fastapi_endpoint SET active = FALSE WHERE root_path = '/sql_moved'")
    assert statuses(servers, "/sql_moved/demo/") == {404}
    query(
        database,
        "UPDATE fastapi_endpoint SET active = TRUE, root_path = '/fastapi_demo' WHERE root_path = '/sql_moved'",
    )
    assert statuses(servers, "/fastapi_demo/demo/") == {200}


def test_sql_change_of_an_app_field_rebuilds_the_app(database, servers):
    assert titles(servers, "/test_notes") == {"Notes API"}
    query(database, "UPDATE fastapi_endpoint SET name = 'Renamed by SQL' WHERE root_path = '/test_notes'")
    assert titles(servers, "/test_notes") == {"Renamed by SQL"}
    query(database, "UPDATE fastapi_endpoint SET name = 'Notes API' WHERE root_path = '/test_notes'")
    assert titles(servers, "/test_notes") == {"Notes API"}


def test_rolled_back_sql_change_is_never_served(database, servers):
    conn = connect(database)
    try:
        with conn.cursor() as cr:
            cr.execute("UPDATE fastapi_endpoint SET active = FALSE WHERE root_path = '/fastapi_demo'")
            # Uncommitted: every worker still serves the endpoint.
            assert statuses(servers, "/fastapi_demo/demo/") == {200}
        conn.rollback()
    finally:
        conn.close()
    assert statuses(servers, "/fastapi_demo/demo/") == {200}


def test_endpoint_created_in_odoo_shell_is_routed_at_once(database, servers):
    script = (
        "env['fastapi.endpoint'].create({'name': 'Shell', 'app': 'demo', 'demo_auth_method': 'api_key',"
        " 'root_path': '/from_shell'})\nenv.cr.commit()\n"
    )
    assert statuses(servers, "/from_shell/demo/") == {404}
    shell(database, script)
    assert statuses(servers, "/from_shell/demo/") == {200}
    shell(
        database,
        "env['fastapi.endpoint'].search([('root_path', '=', '/from_shell')]).active = False\nenv.cr.commit()\n",
    )
    assert statuses(servers, "/from_shell/demo/") == {404}


# Two requests of one threaded server, played in order on real cursors: a
# request whose snapshot predates a committed change looks the routing table
# up after another request of the process saw the change's signal and
# cleared the caches. The table it builds is older than what the process
# knows: kept in the cache, later requests were served the old app.
STRAGGLER = """
from odoo import SUPERUSER_ID, api
registry = env.registry
registry.check_signaling()
straggler = registry.cursor()
straggler.execute("SELECT 1")  # its snapshot: before the change
with registry.cursor() as cr:
    cr.execute("UPDATE fastapi_endpoint SET name = 'Straggled' WHERE root_path = '/fastapi_demo'")
registry.check_signaling()  # another request of the process sees the signal
api.Environment(straggler, SUPERUSER_ID, {})["fastapi.endpoint"]._get_routing_table()
straggler.close()
with registry.cursor() as cr:
    served = api.Environment(cr, SUPERUSER_ID, {})["fastapi.endpoint"]._get_routing_table().match("/fastapi_demo/x")
    cr.execute("SELECT app_version FROM fastapi_endpoint WHERE root_path = '/fastapi_demo'")
    print("served, committed:", served.app_version, cr.fetchone()[0])
"""


def test_a_request_older_than_a_change_does_not_cache_the_old_routing(database):
    out = shell(database, STRAGGLER)
    served, committed = out.split("served, committed:")[1].split()
    assert served == committed


def shell(db: str, script: str) -> str:
    command = [
        os.environ["FASTAPI_ODOO_PYTHON"],
        os.environ["FASTAPI_ODOO_BIN"],
        "shell",
        "-c",
        os.environ["FASTAPI_ODOO_CONF"],
        "-d",
        db,
        "--no-http",
        "--log-level",
        "warn",
    ]
    result = subprocess.run(command, input=script, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


OBJECTS = """
SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'fastapi%%')
     + (SELECT count(*) FROM pg_proc WHERE proname LIKE 'fastapi%%')
     + (SELECT count(*) FROM pg_class WHERE relname = 'fastapi_endpoint_app_version_seq')
"""


def test_uninstall_leaves_no_trigger_function_or_sequence():
    db = copy_database(os.environ["FASTAPI_TEST_DB"])
    try:
        assert query(db, OBJECTS)[0][0] == 8  # 5 triggers, 2 functions, 1 sequence
        shell(db, "env['ir.module.module'].search([('name', '=', 'fastapi')]).button_immediate_uninstall()\n")
        assert query(db, "SELECT state FROM ir_module_module WHERE name = 'fastapi'") == [("uninstalled",)]
        assert query(db, OBJECTS) == [(0,)]
    finally:
        drop_database(db)
