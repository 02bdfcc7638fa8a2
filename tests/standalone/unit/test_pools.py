# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""pools.AppPool driven by fake entries and plain threads: no Odoo involved."""

from __future__ import annotations

import itertools
import json
import logging
import random
import sys
import threading
from collections.abc import Callable
from contextlib import ExitStack
from typing import NamedTuple

import pytest

from pools import AppPool

KEY = ("db", "/api")
LOGGER = "pools.app_pool"


class Entry:
    """Stands for a built app; remembers the version it was built for."""

    ids = itertools.count()

    def __init__(self, version: object) -> None:
        self.id = next(self.ids)
        self.version = version
        self.busy = False
        self.disposals = 0


class Recorder:
    """A pool whose factory and dispose callbacks record what they did."""

    def __init__(self, max_idle: int = 4) -> None:
        self.built: list[Entry] = []
        self.disposed: list[Entry] = []
        self.pool: AppPool[Entry] = AppPool(max_idle=max_idle, dispose=self.dispose)

    def factory(self, version: object) -> Callable[[], Entry]:
        def build() -> Entry:
            entry = Entry(version)
            self.built.append(entry)
            return entry

        return build

    def dispose(self, entry: Entry) -> None:
        entry.disposals += 1
        self.disposed.append(entry)

    def use(self, key: object, version: object) -> Entry:
        with self.pool.lease(key, version, self.factory(version)) as entry:
            return entry


def idle(pool: AppPool[Entry], key: tuple[str, str] = KEY) -> int:
    (state,) = [state for state in pool.stats()["keys"] if state["key"] == list(key)]
    return state["idle"]


def pool_records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == LOGGER and record.levelno == level]


def test_first_lease_builds_then_hits():
    rec = Recorder()
    first, second, third = (rec.use(KEY, 1) for _ in range(3))
    assert first is second is third
    stats = rec.pool.stats()
    assert (stats["leases"], stats["builds"], stats["hits"], stats["in_use"]) == (3, 1, 2, 0)
    assert stats["keys"] == [
        {"key": ["db", "/api"], "version": 1, "idle": 1, "in_use": 0, "builds": 1, "invalidations": 0}
    ]


def test_ten_thousand_urls_under_one_endpoint_build_one_entry():
    # The key is the endpoint; the URL asked for under it plays no part.
    rec = Recorder()
    for n in range(10_000):
        url = f"/api/items/{n}?page={n % 7}"
        with rec.pool.lease(KEY, 1, rec.factory(1)) as entry:
            assert entry.version == 1, url
    assert len(rec.built) == 1
    assert idle(rec.pool) == 1
    assert rec.pool.stats()["hits"] == 9_999


def test_keys_have_their_own_entries():
    rec = Recorder()
    keys = [("db1", "/api"), ("db2", "/api"), ("db1", "/other")]
    for key in keys * 3:
        rec.use(key, 1)
    assert len(rec.built) == 3
    assert [idle(rec.pool, key) for key in keys] == [1, 1, 1]


@pytest.mark.parametrize("concurrent", [1, 3, 4, 7])
def test_concurrent_leases_get_distinct_entries_and_idle_is_bounded(concurrent):
    rec = Recorder(max_idle=4)
    with ExitStack() as stack:
        held = [stack.enter_context(rec.pool.lease(KEY, 1, rec.factory(1))) for _ in range(concurrent)]
        assert len({entry.id for entry in held}) == concurrent
        assert rec.pool.stats()["in_use"] == concurrent
    assert idle(rec.pool) == min(concurrent, 4)
    assert len(rec.disposed) == max(concurrent - 4, 0) == rec.pool.stats()["discards"]


def test_newer_version_disposes_idle_entries_and_logs_once(caplog):
    rec = Recorder()
    old = rec.use(KEY, (3, 1))
    with caplog.at_level(logging.INFO, logger=LOGGER):
        new = rec.use(KEY, (3, 2))
        assert rec.use(KEY, (3, 2)) is new
    assert new is not old and rec.disposed == [old]
    assert rec.pool.stats()["invalidations"] == 1
    (line,) = pool_records(caplog, logging.INFO)
    message = line.getMessage()
    assert "('db', '/api')" in message and "(3, 1)" in message and "(3, 2)" in message


def test_entry_lent_before_an_invalidation_is_discarded_on_return():
    rec = Recorder()
    with rec.pool.lease(KEY, 1, rec.factory(1)) as stale:
        fresh = rec.use(KEY, 2)
        assert stale.disposals == 0
    assert stale.disposals == 1
    assert rec.use(KEY, 2) is fresh
    stats = rec.pool.stats()
    assert (stats["discards"], stats["keys"][0]["version"], idle(rec.pool)) == (1, 2, 1)


def test_older_version_gets_a_throwaway_entry_and_leaves_the_key_alone(caplog):
    rec = Recorder()
    current = rec.use(KEY, 2)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        with rec.pool.lease(KEY, 1, rec.factory(1)) as throwaway:
            assert throwaway.version == 1 and throwaway is not current
            assert rec.pool.stats()["in_use"] == 1
        # The newer request that follows must not rebuild: nothing flipped back.
        assert rec.use(KEY, 2) is current
    assert rec.disposed == [throwaway]
    assert pool_records(caplog, logging.INFO) == []
    stats = rec.pool.stats()
    assert (stats["invalidations"], stats["discards"], stats["in_use"]) == (0, 1, 0)
    assert (stats["keys"][0]["version"], stats["keys"][0]["builds"], idle(rec.pool)) == (2, 1, 1)


def test_body_error_still_releases_the_entry():
    rec = Recorder()
    with pytest.raises(ZeroDivisionError), rec.pool.lease(KEY, 1, rec.factory(1)) as entry:
        raise ZeroDivisionError
    assert rec.pool.stats()["in_use"] == 0
    assert rec.use(KEY, 1) is entry
    assert rec.disposed == []


def test_factory_error_propagates_and_pools_nothing():
    rec = Recorder()

    def broken() -> Entry:
        raise RuntimeError("cannot build")

    with pytest.raises(RuntimeError, match="cannot build"), rec.pool.lease(KEY, 1, broken):
        pytest.fail("the body must not run without an entry")
    stats = rec.pool.stats()
    assert (stats["leases"], stats["builds"], stats["hits"], stats["in_use"], stats["discards"]) == (0, 0, 0, 0, 0)
    assert idle(rec.pool) == 0
    rec.use(KEY, 1)
    stats = rec.pool.stats()
    assert stats["leases"] == stats["hits"] + stats["builds"] == 1


def test_prune_drops_keys_and_disposes_their_entries():
    rec = Recorder()
    gone = rec.use(("db", "/gone"), 1)
    kept = rec.use(("db", "/kept"), 1)
    assert rec.pool.prune(lambda key: key == ("db", "/kept")) == 1
    assert rec.disposed == [gone] and kept.disposals == 0
    assert [state["key"] for state in rec.pool.stats()["keys"]] == [["db", "/kept"]]
    assert rec.pool.prune(lambda key: True) == 0


def test_entry_lent_under_a_pruned_key_does_not_come_back():
    rec = Recorder()
    with rec.pool.lease(KEY, 1, rec.factory(1)) as late:
        assert rec.pool.prune(lambda key: False) == 1
        # The key starts afresh, even at the same version as the late entry.
        fresh = rec.use(KEY, 1)
        assert fresh is not late
    assert late.disposals == 1 and fresh.disposals == 0
    assert idle(rec.pool) == 1
    assert rec.use(KEY, 1) is fresh


def test_clear_disposes_every_idle_entry():
    rec = Recorder()
    for key in [("a", "/x"), ("b", "/x")]:
        with rec.pool.lease(key, 1, rec.factory(1)), rec.pool.lease(key, 1, rec.factory(1)):
            pass
    rec.pool.clear()
    assert rec.pool.stats()["keys"] == []
    assert sorted(e.id for e in rec.disposed) == sorted(e.id for e in rec.built) and len(rec.built) == 4


def test_lowering_max_idle_trims_the_coldest_entries():
    rec = Recorder(max_idle=3)
    with ExitStack() as stack:
        held = [stack.enter_context(rec.pool.lease(KEY, 1, rec.factory(1))) for _ in range(3)]
    rec.pool.max_idle = 1
    assert rec.pool.max_idle == rec.pool.stats()["max_idle"] == 1
    assert idle(rec.pool) == 1 and len(rec.disposed) == 2
    # The last entry returned sits on top of the stack: it is the one kept.
    assert rec.use(KEY, 1) is held[0]
    with pytest.raises(ValueError):
        rec.pool.max_idle = -1


def test_dispose_errors_are_logged_and_swallowed(caplog):
    def dispose(entry: Entry) -> None:
        raise OSError("close failed")

    pool: AppPool[Entry] = AppPool(max_idle=0, dispose=dispose)
    with caplog.at_level(logging.ERROR, logger=LOGGER), pool.lease(KEY, 1, lambda: Entry(1)):
        pass
    (record,) = pool_records(caplog, logging.ERROR)
    assert record.exc_info is not None and isinstance(record.exc_info[1], OSError)
    assert pool.stats()["discards"] == 1


def test_without_dispose_entries_are_just_dropped():
    pool: AppPool[Entry] = AppPool(max_idle=0)
    with pool.lease(KEY, 1, lambda: Entry(1)):
        pass
    assert pool.stats()["discards"] == 1


def test_an_entry_that_broke_while_lent_is_dropped():
    disposed: list[Entry] = []
    pool: AppPool[Entry] = AppPool(max_idle=4, dispose=disposed.append, reusable=lambda entry: not entry.busy)
    with pool.lease(KEY, 1, lambda: Entry(1)) as broken:
        broken.busy = True  # stands for an event loop left with a task that would not stop
    assert disposed == [broken]
    with pool.lease(KEY, 1, lambda: Entry(1)) as fresh:
        assert fresh is not broken
    with pool.lease(KEY, 1, lambda: Entry(1)) as again:
        assert again is fresh
    stats = pool.stats()
    assert (stats["builds"], stats["hits"], stats["discards"], idle(pool)) == (2, 1, 1, 1)


class Version(NamedTuple):
    registry: int
    endpoint: int


def test_stats_are_json_serialisable():
    rec = Recorder()
    rec.use(KEY, Version(4, 2))
    rec.use("plain-key", 7)
    stats = json.loads(json.dumps(rec.pool.stats()))
    assert [(state["key"], state["version"]) for state in stats["keys"]] == [(["db", "/api"], [4, 2]), ("plain-key", 7)]
    assert set(stats) == {"leases", "hits", "builds", "invalidations", "discards", "in_use", "max_idle", "keys"}


def test_factory_and_dispose_run_outside_the_lock():
    # Both callbacks re-enter the pool: under its (non-reentrant) lock they
    # would deadlock, so a thread that does not finish in time is the failure.
    pool: AppPool[Entry] = AppPool(max_idle=0, dispose=lambda entry: pool.stats())

    def factory() -> Entry:
        pool.stats()
        return Entry(1)

    def run() -> None:
        with pool.lease(KEY, 1, factory):
            pass
        with pool.lease(KEY, 2, factory):
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=2)
    assert not thread.is_alive(), "factory or dispose was called while the pool's lock was held"


def test_stress_threads_leasing_while_versions_move():
    threads, rounds, max_idle = 16, 2_000, 3
    rec = Recorder(max_idle=max_idle)
    keys = [("db", f"/api{n}") for n in range(3)]
    # What the database says now, and the newest version each key was leased
    # with: an entry older than the latter must never be handed out.
    published = dict.fromkeys(keys, 0)
    newest_leased = dict.fromkeys(keys, 0)
    guard = threading.Lock()
    errors: list[str] = []
    stop = threading.Event()

    def lease_once(rng: random.Random) -> None:
        key = rng.choice(keys)
        with guard:
            version = published[key]
            # Some requests run in a transaction that began before the last change.
            if version and rng.random() < 0.1:
                version -= 1
            floor = newest_leased[key]
        with rec.pool.lease(key, version, rec.factory(version)) as entry:
            if entry.busy:
                errors.append(f"entry {entry.id} lent to two threads")
            entry.busy = True
            with guard:
                newest_leased[key] = max(newest_leased[key], version)
            if entry.version != version or (version >= floor and entry.version < floor):
                errors.append(f"entry {entry.id} built for {entry.version} lent for {version} (floor {floor})")
            if entry.disposals:
                errors.append(f"entry {entry.id} lent after being disposed of")
            if rng.random() < 0.05:
                stop.wait(0)
            entry.busy = False

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(rounds):
            lease_once(rng)

    def bump_versions() -> None:
        rng = random.Random(-1)
        while not stop.wait(0.002):
            with guard:
                published[rng.choice(keys)] += 1

    bumper = threading.Thread(target=bump_versions)
    workers = [threading.Thread(target=worker, args=(seed,)) for seed in range(threads)]
    # Switching threads often makes the interleavings a missing lock allows likely.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        bumper.start()
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
    finally:
        stop.set()
        bumper.join()
        sys.setswitchinterval(switch_interval)

    assert not errors, errors[:5]
    stats = rec.pool.stats()
    assert stats["leases"] == threads * rounds == stats["hits"] + stats["builds"]
    assert stats["builds"] == len(rec.built) and stats["in_use"] == 0
    assert stats["invalidations"] > 0
    assert all(state["idle"] <= max_idle and state["in_use"] == 0 for state in stats["keys"])
    idle_now = sum(state["idle"] for state in stats["keys"])
    assert idle_now + len(rec.disposed) == len(rec.built)
    rec.pool.clear()
    assert all(entry.disposals == 1 for entry in rec.built)
    assert len(rec.disposed) == len(rec.built)
