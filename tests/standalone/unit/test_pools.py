# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""pools.AppPool with a fake factory: no Odoo needed."""

from __future__ import annotations

import itertools
import logging
import random
import threading

import pytest

from pools import AppPool


class Entry:
    ids = itertools.count()

    def __init__(self, version: int = 0) -> None:
        self.id = next(self.ids)
        self.version = version
        self.busy = False
        self.disposed = 0


def make_pool(max_idle: int = 4) -> tuple[AppPool[Entry], list[Entry], list[Entry]]:
    built: list[Entry] = []
    disposed: list[Entry] = []

    def dispose(entry: Entry) -> None:
        entry.disposed += 1
        disposed.append(entry)

    return AppPool(max_idle=max_idle, dispose=dispose), built, disposed


def factory(built: list[Entry], version: int = 0):
    def build() -> Entry:
        entry = Entry(version)
        built.append(entry)
        return entry

    return build


def test_hit_after_first_build():
    pool, built, _ = make_pool()
    for _ in range(3):
        with pool.lease(("db", "/api"), 1, factory(built)):
            pass
    stats = pool.stats()
    assert (stats["leases"], stats["builds"], stats["hits"]) == (3, 1, 2)
    assert stats["keys"] == [
        {"key": ["db", "/api"], "version": 1, "idle": 1, "in_use": 0, "builds": 1, "invalidations": 0}
    ]


def test_many_urls_one_endpoint_one_app():
    # The key is the endpoint, whatever URL under it was asked for.
    pool, built, _ = make_pool()
    for n in range(10_000):
        url = f"/api/items/{n}"
        assert url.startswith("/api")
        with pool.lease(("db", "/api"), 1, factory(built)):
            pass
    assert len(built) == 1
    assert pool.stats()["keys"][0]["idle"] == 1


def test_keys_are_separate():
    pool, built, _ = make_pool()
    for key in [("db1", "/api"), ("db2", "/api"), ("db1", "/other")] * 3:
        with pool.lease(key, 1, factory(built)):
            pass
    assert len(built) == 3
    assert pool.stats()["invalidations"] == 0


def test_concurrent_leases_get_distinct_entries_and_idle_is_capped():
    pool, built, disposed = make_pool(max_idle=2)
    key = ("db", "/api")
    with pool.lease(key, 1, factory(built)) as a, pool.lease(key, 1, factory(built)) as b:
        with pool.lease(key, 1, factory(built)) as c:
            assert len({a.id, b.id, c.id}) == 3
            assert pool.stats()["in_use"] == 3
    assert pool.stats()["keys"][0]["idle"] == 2
    assert len(disposed) == 1


def test_invalidation_discards_idle_and_logs_once(caplog):
    pool, built, disposed = make_pool()
    key = ("db", "/api")
    with pool.lease(key, (1, 1), factory(built)):
        pass
    with caplog.at_level(logging.INFO, logger="pools.app_pool"):
        with pool.lease(key, (1, 2), factory(built)) as entry:
            assert entry is built[1]
        with pool.lease(key, (1, 2), factory(built)):
            pass
    assert disposed == [built[0]]
    assert pool.stats()["invalidations"] == 1
    lines = [r for r in caplog.records if "rebuilt" in r.getMessage()]
    assert len(lines) == 1 and "(1, 1)" in lines[0].getMessage() and "(1, 2)" in lines[0].getMessage()


def test_entry_leased_before_invalidation_is_not_reused():
    pool, built, disposed = make_pool()
    key = ("db", "/api")
    with pool.lease(key, 1, factory(built)) as old:
        with pool.lease(key, 2, factory(built)):
            pass
    assert old in disposed
    with pool.lease(key, 2, factory(built)) as entry:
        assert entry is built[1]
    assert pool.stats()["discards"] == 1


def test_older_version_gets_a_throwaway_entry():
    pool, built, disposed = make_pool()
    key = ("db", "/api")
    with pool.lease(key, 2, factory(built)):
        pass
    with pool.lease(key, 1, factory(built, version=1)) as entry:
        assert entry.version == 1
    assert entry in disposed
    assert pool.stats()["keys"][0] == {
        "key": ["db", "/api"],
        "version": 2,
        "idle": 1,
        "in_use": 0,
        "builds": 1,
        "invalidations": 0,
    }
    assert pool.stats()["invalidations"] == 0


def test_released_when_the_body_raises():
    pool, built, _ = make_pool()
    key = ("db", "/api")
    with pytest.raises(ZeroDivisionError), pool.lease(key, 1, factory(built)):
        raise ZeroDivisionError
    assert pool.stats()["in_use"] == 0
    with pool.lease(key, 1, factory(built)):
        pass
    assert len(built) == 1


def test_factory_error_propagates_and_pools_nothing():
    pool, _, _ = make_pool()

    def broken() -> Entry:
        raise RuntimeError("cannot build")

    with pytest.raises(RuntimeError), pool.lease(("db", "/api"), 1, broken):
        pass
    stats = pool.stats()
    assert (stats["builds"], stats["in_use"], stats["keys"][0]["idle"]) == (0, 0, 0)


def test_prune_frees_keys_and_late_returns():
    pool, built, disposed = make_pool()
    with pool.lease(("db", "/gone"), 1, factory(built)):
        pass
    with pool.lease(("db", "/kept"), 1, factory(built)):
        pass
    with pool.lease(("dropped", "/api"), 1, factory(built)) as late:
        assert pool.prune(lambda key: key == ("db", "/kept")) == 2
    assert late in disposed and built[0] in disposed
    assert [entry["key"] for entry in pool.stats()["keys"]] == [["db", "/kept"]]
    pool.clear()
    assert pool.stats()["keys"] == [] and len(disposed) == 3


def test_dispose_errors_are_logged_and_swallowed(caplog):
    def dispose(entry: Entry) -> None:
        raise OSError("close failed")

    pool: AppPool[Entry] = AppPool(max_idle=0, dispose=dispose)
    with caplog.at_level(logging.ERROR, logger="pools.app_pool"):
        with pool.lease("key", 1, Entry):
            pass
    assert "disposing" in caplog.text


def test_stress_many_threads_while_invalidating():
    pool, built, disposed = make_pool(max_idle=3)
    keys = [("db", f"/api{n}") for n in range(3)]
    current = {key: 0 for key in keys}
    errors: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def worker() -> None:
        rng = random.Random()
        for _ in range(2_000):
            key = rng.choice(keys)
            with lock:
                version = current[key]
            with pool.lease(key, version, factory(built, version)) as entry:
                if entry.busy:
                    errors.append(f"entry {entry.id} lent twice")
                entry.busy = True
                with lock:
                    if entry.version < version or entry.disposed:
                        errors.append(f"entry {entry.id} of version {entry.version} lent for {version}")
                entry.busy = False

    def invalidator() -> None:
        while not stop.is_set():
            with lock:
                key = random.choice(keys)
                current[key] += 1
            stop.wait(0.001)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    bumper = threading.Thread(target=invalidator)
    bumper.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    bumper.join()

    assert not errors, errors[:5]
    stats = pool.stats()
    assert stats["leases"] == 16 * 2_000 == stats["hits"] + stats["builds"]
    assert stats["in_use"] == 0
    assert all(entry["idle"] <= 3 for entry in stats["keys"])
    pool.clear()
    assert sorted(entry.id for entry in disposed) == sorted(entry.id for entry in built)
    assert all(entry.disposed == 1 for entry in built)
