# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Live multi-worker Odoo servers on committed databases.

What only real processes show: a change committed through one Odoo server is
served by another on its next request; commits and rollbacks read back from
PostgreSQL; the app pool's counters in every worker; the threaded server's
event loops. Figures are printed (pytest -s shows them) for the closing notes.
"""

from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from server import OdooServer, alternate_databases, copy_database, drop_database, query, running

requests = pytest.importorskip("requests")

DEMO = "/fastapi_demo"
NOTES = "/test_notes"


def title(server: OdooServer, root: str = DEMO, **kwargs) -> str:
    response = requests.get(f"{server.base_url}{root}/openapi.json", timeout=30, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()["info"]["title"]


def endpoint_id(server: OdooServer, db: str, root: str) -> int:
    return server.rpc(db, "fastapi.endpoint", "search", [("root_path", "=", root)])[0]


def total(stats: dict[int, dict], counter: str, key: list[str] | None = None) -> int:
    if key is None:
        return sum(worker[counter] for worker in stats.values())
    return sum(entry[counter] for worker in stats.values() for entry in worker["keys"] if entry["key"] == key)


@pytest.fixture(scope="module")
def two_servers(database):
    with running([database], workers=2) as first, running([database], workers=2) as second:
        yield first, second


def test_change_committed_through_one_server_is_served_by_the_other(database, two_servers):
    first, second = two_servers
    for _ in range(6):  # every worker of both builds its app
        assert title(first) == title(second) == "Fastapi Demo Endpoint"
    first.rpc(database, "fastapi.endpoint", "write", [endpoint_id(first, database, DEMO)], {"name": "Renamed"})
    # Every worker of the other server answers with the new app at once.
    assert {title(second) for _ in range(10)} == {"Renamed"}


def test_endpoint_created_archived_deleted_through_one_server(database, two_servers):
    first, second = two_servers
    vals = {"name": "Live", "app": "demo", "demo_auth_method": "api_key", "root_path": "/live_api"}
    assert requests.get(f"{second.base_url}/live_api/demo/", timeout=30).status_code == 404
    new_id = first.rpc(database, "fastapi.endpoint", "create", vals)
    assert {requests.get(f"{second.base_url}/live_api/demo/", timeout=30).status_code for _ in range(6)} == {200}
    first.rpc(database, "fastapi.endpoint", "write", [new_id], {"active": False})
    assert {requests.get(f"{second.base_url}/live_api/demo/", timeout=30).status_code for _ in range(6)} == {404}
    first.rpc(database, "fastapi.endpoint", "unlink", [new_id])
    assert requests.get(f"{second.base_url}/live_api/demo/", timeout=30).status_code == 404
    # The keys of endpoints gone are freed in every worker.
    keys = [entry["key"] for worker in second.pool_stats(second.login(database)).values() for entry in worker["keys"]]
    assert [database, "/live_api"] not in keys


def test_rolled_back_creation_routes_nothing(database, two_servers):
    first, second = two_servers
    # The demo app without an auth method fails its constraint after the insert.
    with pytest.raises(Exception, match="authentication method"):
        first.rpc(database, "fastapi.endpoint", "create", {"name": "X", "app": "demo", "root_path": "/never"})
    for server in two_servers:
        assert requests.get(f"{server.base_url}/never/demo/", timeout=30).status_code == 404
    assert query(database, "SELECT count(*) FROM fastapi_endpoint WHERE root_path = '/never'") == [(0,)]


def test_commit_and_rollback_read_back_from_postgresql(database, two_servers):
    first, _ = two_servers
    headers = {"X-Partner-Ref": "alice-token"}
    created = requests.post(f"{first.base_url}{NOTES}/notes", json={"name": "live kept"}, headers=headers, timeout=30)
    assert created.status_code == 201, created.text
    assert query(database, "SELECT count(*) FROM fastapi_test_note WHERE name = 'live kept'") == [(1,)]
    bob = query(database, "SELECT id FROM res_partner WHERE ref = 'bob-token'")[0][0]
    for kind, status in (("user_error", 400), ("http", 418), ("crash", 500)):
        name = f"live rolled back {kind}"
        url = f"{first.base_url}{NOTES}/notes/then-fail?kind={kind}"
        response = requests.post(url, json={"name": name, "partner_id": bob}, timeout=30)
        assert response.status_code == status, response.text
        assert response.headers["Content-Type"] == "application/json"
        assert "Traceback" not in response.text
        assert query(database, "SELECT count(*) FROM fastapi_test_note WHERE name = %s", (name,)) == [(0,)]
    sneaky = requests.post(
        f"{first.base_url}{NOTES}/notes", json={"name": "live sneaky", "partner_id": bob}, headers=headers, timeout=30
    )
    assert sneaky.status_code == 403, sneaky.text
    assert query(database, "SELECT count(*) FROM fastapi_test_note WHERE name = 'live sneaky'") == [(0,)]


def test_retry_after_serialization_failure_rereads_the_body(two_servers):
    first, _ = two_servers
    response = requests.post(
        f"{first.base_url}{DEMO}/demo/retrying?nbr_retries=2",
        files={"file": ("a.txt", b"live body", "text/plain")},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"retries": 2, "file": "live body"}


def test_chunked_body_is_read(two_servers):
    first, _ = two_servers

    def chunks():
        yield b'{"name": "chun'
        yield b'ked"}'

    response = requests.post(
        f"{first.base_url}{NOTES}/notes",
        data=chunks(),
        headers={"X-Partner-Ref": "alice-token", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "chunked"


def test_pool_keyed_per_endpoint_and_invalidated_by_relevant_changes_only(database, two_servers, capsys):
    first, second = two_servers
    opener = second.login(database)
    key, other_key = [database, DEMO], [database, "/fastapi/demo-multi"]
    auth = ("admin", "admin")
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: requests.get(f"{second.base_url}{DEMO}/demo/item/{n}", timeout=30), range(10_000)))
        list(
            pool.map(
                lambda n: requests.get(f"{second.base_url}/fastapi/demo-multi/demo/", auth=auth, timeout=30), range(20)
            )
        )
    stats = second.pool_stats(opener)
    assert len(stats) == 2
    # 10,000 distinct URLs under one endpoint: one app per worker (prefork: one request at a time).
    for worker in stats.values():
        (entry,) = [e for e in worker["keys"] if e["key"] == key]
        assert entry["idle"] + entry["in_use"] <= 1
    builds = total(stats, "builds")
    invalidations = total(stats, "invalidations")

    # Unrelated invalidations rebuild nothing.
    first.rpc(database, "ir.config_parameter", "set_param", "fastapi.test.unrelated", str(time.time()))
    rule = first.rpc(database, "ir.rule", "search", [("model_id.model", "=", "res.partner")], limit=1)
    first.rpc(database, "ir.rule", "write", rule, {"name": f"touched {time.time()}"})
    for _ in range(20):
        requests.get(f"{second.base_url}{DEMO}/demo/", timeout=30)
        requests.get(f"{second.base_url}/fastapi/demo-multi/demo/", auth=auth, timeout=30)
    stats = second.pool_stats(opener)
    assert (total(stats, "builds"), total(stats, "invalidations")) == (builds, invalidations)

    # An app field of one endpoint: that endpoint's apps only, in every worker.
    other_builds = total(stats, "builds", other_key)
    first.rpc(database, "fastapi.endpoint", "write", [endpoint_id(first, database, DEMO)], {"description": "new"})
    for _ in range(20):
        requests.get(f"{second.base_url}{DEMO}/demo/", timeout=30)
        requests.get(f"{second.base_url}/fastapi/demo-multi/demo/", auth=auth, timeout=30)
    stats = second.pool_stats(opener)
    assert total(stats, "builds", other_key) == other_builds
    assert total(stats, "invalidations") == invalidations + 2  # one per worker
    with capsys.disabled():
        print(
            f"\n[pool] 10000 distinct URLs: apps per worker for the endpoint <= 1; builds={builds}; "
            f"unrelated invalidations: 0 rebuilds; endpoint change: {total(stats, 'invalidations') - invalidations} "
            "invalidations (one per worker)"
        )


def test_first_request_after_rebuild_costs_little(database, two_servers, capsys):
    first, second = two_servers
    url = f"{second.base_url}{DEMO}/demo/"
    eid = endpoint_id(first, database, DEMO)

    def latency() -> float:
        start = time.perf_counter()
        assert requests.get(url, timeout=30).status_code == 200
        return time.perf_counter() - start

    ratios = []
    for n in range(9):
        steady = statistics.median(latency() for _ in range(30))
        first.rpc(database, "fastapi.endpoint", "write", [eid], {"description": f"rebuild {n}"})
        # The worker that takes it rebuilds the app on this request.
        cold = latency()
        ratios.append(cold / steady)
    with capsys.disabled():
        print(
            f"\n[warm rebuild] first request after an endpoint change / steady state: median ratio "
            f"{statistics.median(ratios):.2f} ({', '.join(f'{r:.2f}' for r in ratios)})"
        )
    # Target 2; see README.rst, Performance, for the benchmark figure, which
    # benchmarks/run measures with care. Here, on a shared 2-core machine,
    # another process taking the CPU only ever makes a request slower: the
    # least disturbed round tells what a rebuild costs, and a regression (a
    # rebuild of every app, say) makes every round slow.
    assert min(ratios) <= 3.0


def test_two_databases_on_one_server_rebuild_nothing(database, capsys):
    other = copy_database(os.environ["FASTAPI_TEST_DB"])
    try:
        with running([database, other], workers=2) as server:
            counts = alternate_databases(server, [database, other], 100, f"{DEMO}/demo/")
        with capsys.disabled():
            print(
                f"\n[two databases] {counts['requests']} alternating requests after warm-up: "
                f"{counts['builds']} builds, {counts['invalidations']} invalidations"
            )
        assert (counts["builds"], counts["invalidations"]) == (0, 0)
    finally:
        drop_database(other)


def test_threaded_server_runs_async_requests_concurrently(database, capsys):
    import psutil  # noqa: PLC0415

    with running([database], workers=0) as server:
        url = f"{server.base_url}{NOTES}/sleep?seconds=0.5"
        requests.get(url, timeout=30)

        def burst() -> float:
            start = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(lambda _: requests.get(url, timeout=30).status_code, range(8)))
            assert statuses == [200] * 8
            return time.perf_counter() - start

        walls = [burst() for _ in range(3)]
        threads_before = psutil.Process(server.process.pid).num_threads()
        eid = endpoint_id(server, database, NOTES)
        for n in range(5):
            server.rpc(database, "fastapi.endpoint", "write", [eid], {"description": f"v{n}"})
            burst()
        time.sleep(1)
        threads_after = psutil.Process(server.process.pid).num_threads()
        wall = min(walls)
        with capsys.disabled():
            print(
                f"\n[threaded] 8 concurrent 0.5 s async requests: wall {wall:.2f} s "
                f"(runs: {', '.join(f'{w:.2f}' for w in walls)}); threads {threads_before} -> {threads_after} "
                "after 5 invalidations under load"
            )
        assert wall <= 0.8 * 1.5  # 0.8 s target, with room for this noisy 2-core machine
        assert threads_after <= threads_before + 2


def test_registry_reload_rebuilds_the_apps_of_that_database(database, two_servers):
    first, second = two_servers
    opener = second.login(database)
    for _ in range(10):
        title(second)
    before = second.pool_stats(opener)
    module = first.rpc(database, "ir.module.module", "search", [("name", "=", "fastapi_test_notes")])
    first.rpc(database, "ir.module.module", "button_immediate_upgrade", module)
    for _ in range(10):
        title(second)
    after = second.pool_stats(opener)
    key = [database, DEMO]
    assert total(after, "invalidations", key) > total(before, "invalidations", key)
