# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A thread-safe pool of expensive entries (built apps), lent one request at a time.

Each key (a database and an endpoint's root path) has a LIFO stack of idle
entries and the version of the configuration they were built from. LIFO keeps
the warmest entry in use and lets the others age at the bottom of the stack,
where trimming takes them first.

Versions are totally ordered rather than merely compared for equality because
Odoo workers see the database through transactions that start at different
times: a request whose transaction began before a configuration change still
sees the old version. If any difference in version invalidated the key, that
request would flip the pool back to the old configuration and the next fresh
request would flip it forward again, rebuilding on every alternation. So a
newer version invalidates the key once, and an older one is served a
throw-away entry that never enters the pool.

An entry goes back to its stack only if it was built for the key's current
version, the key is still the same one (not pruned meanwhile) and the pool's
``reusable`` callback, if any, accepts it: an entry lent before an
invalidation, or one that broke while lent, is never lent again.

Building and disposing of an entry can be slow (an app, an event loop), so
neither runs under the pool's lock. Nothing here imports Odoo: entries come
from the ``factory`` given to each lease and leave through ``dispose``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, TypeVar

_logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class PoolStats:
    """Per-process counters; ``leases == hits + builds`` at all times."""

    leases: int = 0
    hits: int = 0
    builds: int = 0
    invalidations: int = 0
    discards: int = 0


@dataclass(eq=False)
class _Slot(Generic[T]):
    """One key's state; a pruned key gets a new slot, so identity tells them apart."""

    version: Any
    idle: list[T] = field(default_factory=list)
    in_use: int = 0
    builds: int = 0
    invalidations: int = 0


class AppPool(Generic[T]):
    def __init__(
        self,
        max_idle: int = 4,
        dispose: Callable[[T], None] | None = None,
        reusable: Callable[[T], bool] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._slots: dict[Hashable, _Slot[T]] = {}
        self._counters = PoolStats()
        self._in_use = 0
        self._dispose_entry = dispose
        # Asked of each returned entry: one that broke while lent is dropped.
        self._reusable = reusable
        self._max_idle = _checked_max_idle(max_idle)

    @property
    def max_idle(self) -> int:
        return self._max_idle

    @max_idle.setter
    def max_idle(self, value: int) -> None:
        value = _checked_max_idle(value)
        with self._lock:
            self._max_idle = value
            surplus = [entry for slot in self._slots.values() for entry in _trim(slot, value)]
        self._dispose(surplus)

    @contextmanager
    def lease(self, key: Hashable, version: Any, factory: Callable[[], T]) -> Iterator[T]:
        """Lend an entry built for ``version`` of ``key``, the caller's alone until exit."""
        slot, entry = self._take(key, version)
        if entry is None:
            entry = self._build(slot, factory)
        try:
            yield entry
        finally:
            self._give_back(key, version, slot, entry)

    def prune(self, keep: Callable[[Hashable], bool]) -> int:
        """Forget the keys for which ``keep`` is false; return how many were forgotten."""
        with self._lock:
            dropped = [key for key in self._slots if not keep(key)]
            entries = [entry for key in dropped for entry in self._slots.pop(key).idle]
        self._dispose(entries)
        return len(dropped)

    def clear(self) -> None:
        self.prune(lambda key: False)

    def stats(self) -> dict[str, Any]:
        """The counters and each key's state, as JSON-serialisable data."""
        with self._lock:
            keys = [_slot_stats(key, slot) for key, slot in self._slots.items()]
            return {**asdict(self._counters), "in_use": self._in_use, "max_idle": self._max_idle, "keys": keys}

    def _take(self, key: Hashable, version: Any) -> tuple[_Slot[T] | None, T | None]:
        """The key's slot (None for an older version) and an idle entry (None: build one)."""
        with self._lock:
            slot = self._slots.get(key)
            if slot is None:
                slot = self._slots[key] = _Slot(version)
            previous = slot.version
            if version < previous:
                self._in_use += 1
                return None, None
            stale = self._invalidate(slot, version) if version > previous else []
            self._in_use += 1
            slot.in_use += 1
            entry = self._pop_idle(slot)
        if version > previous:
            _logger.info("FastAPI app pool: %s changed from %s to %s, its apps are rebuilt", key, previous, version)
            self._dispose(stale)
        return slot, entry

    def _invalidate(self, slot: _Slot[T], version: Any) -> list[T]:
        self._counters.invalidations += 1
        slot.invalidations += 1
        slot.version = version
        stale, slot.idle = slot.idle, []
        return stale

    def _pop_idle(self, slot: _Slot[T]) -> T | None:
        if not slot.idle:
            return None
        self._counters.leases += 1
        self._counters.hits += 1
        return slot.idle.pop()

    def _build(self, slot: _Slot[T] | None, factory: Callable[[], T]) -> T:
        try:
            entry = factory()
        except BaseException:
            # Nothing was lent: undo what _take counted, so in_use stays true.
            with self._lock:
                self._in_use -= 1
                if slot is not None:
                    slot.in_use -= 1
            raise
        with self._lock:
            self._counters.leases += 1
            self._counters.builds += 1
            if slot is not None:
                slot.builds += 1
        return entry

    def _give_back(self, key: Hashable, version: Any, slot: _Slot[T] | None, entry: T) -> None:
        reusable = self._reusable is None or self._reusable(entry)
        with self._lock:
            self._in_use -= 1
            if slot is not None:
                slot.in_use -= 1
            pooled = reusable and self._may_pool(key, version, slot)
            if pooled:
                slot.idle.append(entry)
            else:
                self._counters.discards += 1
        if not pooled:
            self._dispose([entry])

    def _may_pool(self, key: Hashable, version: Any, slot: _Slot[T] | None) -> bool:
        # A slot that is no longer the key's was pruned: pooling into it would
        # leak the entry, pooling into its successor would revive a stale one.
        return (
            slot is not None
            and self._slots.get(key) is slot
            and slot.version == version
            and len(slot.idle) < self._max_idle
        )

    def _dispose(self, entries: Iterable[T]) -> None:
        if self._dispose_entry is None:
            return
        for entry in entries:
            try:
                self._dispose_entry(entry)
            except Exception:
                # The entry has left the pool either way; one failed close must
                # not fail the request that returned it nor the other disposals.
                _logger.exception("FastAPI app pool: disposing of %r failed", entry)


def _checked_max_idle(value: int) -> int:
    if value < 0:
        raise ValueError(f"max_idle must be >= 0, not {value}")
    return value


def _trim(slot: _Slot[T], max_idle: int) -> list[T]:
    """Cut the stack down to ``max_idle``, dropping the coldest (bottom) entries."""
    surplus = len(slot.idle) - max_idle
    if surplus <= 0:
        return []
    dropped, slot.idle = slot.idle[:surplus], slot.idle[surplus:]
    return dropped


def _slot_stats(key: Hashable, slot: _Slot[Any]) -> dict[str, Any]:
    return {
        "key": list(key) if isinstance(key, tuple) else str(key),
        "version": _plain(slot.version),
        "idle": len(slot.idle),
        "in_use": slot.in_use,
        "builds": slot.builds,
        "invalidations": slot.invalidations,
    }


def _plain(value: Any) -> Any:
    """Tuples (named or not) as lists, other non-JSON values as strings."""
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
