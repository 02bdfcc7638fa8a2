# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A thread-safe pool of built apps, per key, each lent to one request at a time.

Each key (a database and an endpoint) has a stack of idle entries and the
version of the configuration they were built from. Versions are ordered: a
lease with a newer version discards the key's idle entries, a lease with an
older one (a request whose transaction began before the change committed)
gets a throw-away entry and leaves the pool alone, so that two requests that
see different configurations cannot flip the pool back and forth. An entry
goes back to its stack only if its version is still the key's: an entry
lent before an invalidation is never lent again.

The pool imports nothing from Odoo: entries come from the ``factory`` given
to each lease, and leave through ``dispose``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

_logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class _Slot(Generic[T]):
    version: Any
    idle: list[T] = field(default_factory=list)
    in_use: int = 0
    builds: int = 0
    invalidations: int = 0


@dataclass
class PoolStats:
    leases: int = 0
    hits: int = 0
    builds: int = 0
    invalidations: int = 0
    discards: int = 0


class AppPool(Generic[T]):
    def __init__(self, max_idle: int = 4, dispose: Callable[[T], None] | None = None) -> None:
        self.max_idle = max_idle
        self._dispose_entry = dispose
        self._lock = threading.Lock()
        self._slots: dict[Hashable, _Slot[T]] = {}
        self._stats = PoolStats()

    @contextmanager
    def lease(self, key: Hashable, version: Any, factory: Callable[[], T]) -> Iterator[T]:
        """Lend an entry built for ``version`` of ``key``; it is the caller's until exit."""
        entry, slot = self._take(key, version)
        if entry is None:
            entry = self._build(slot, factory)
        try:
            yield entry
        finally:
            self._give_back(key, version, entry, slot)

    def prune(self, keep: Callable[[Hashable], bool]) -> int:
        """Forget the keys for which ``keep`` is false; return how many."""
        with self._lock:
            dropped = [key for key in self._slots if not keep(key)]
            entries = [entry for key in dropped for entry in self._slots.pop(key).idle]
        self._dispose(entries)
        return len(dropped)

    def clear(self) -> None:
        self.prune(lambda key: False)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            stats = self._stats
            keys = [
                {
                    "key": list(key) if isinstance(key, tuple) else str(key),
                    "version": list(slot.version) if isinstance(slot.version, tuple) else slot.version,
                    "idle": len(slot.idle),
                    "in_use": slot.in_use,
                    "builds": slot.builds,
                    "invalidations": slot.invalidations,
                }
                for key, slot in self._slots.items()
            ]
            return {
                "leases": stats.leases,
                "hits": stats.hits,
                "builds": stats.builds,
                "invalidations": stats.invalidations,
                "discards": stats.discards,
                "in_use": sum(key["in_use"] for key in keys),
                "max_idle": self.max_idle,
                "keys": keys,
            }

    def _take(self, key: Hashable, version: Any) -> tuple[T | None, _Slot[T] | None]:
        """An idle entry (None: build one), and the slot (None: a stale lease)."""
        discarded: list[T] = []
        with self._lock:
            self._stats.leases += 1
            slot = self._slots.get(key)
            if slot is None:
                slot = self._slots[key] = _Slot(version)
            elif version > slot.version:
                _logger.info(
                    "FastAPI app pool: %s changed from %s to %s, its apps are rebuilt", key, slot.version, version
                )
                self._stats.invalidations += 1
                slot.invalidations += 1
                discarded, slot.idle = slot.idle, []
                slot.version = version
            entry = None
            if version < slot.version:
                slot = None
            else:
                slot.in_use += 1
                if slot.idle:
                    entry = slot.idle.pop()
                    self._stats.hits += 1
        self._dispose(discarded)
        return entry, slot

    def _build(self, slot: _Slot[T] | None, factory: Callable[[], T]) -> T:
        try:
            entry = factory()
        except BaseException:
            if slot is not None:
                with self._lock:
                    slot.in_use -= 1
            raise
        with self._lock:
            self._stats.builds += 1
            if slot is not None:
                slot.builds += 1
        return entry

    def _give_back(self, key: Hashable, version: Any, entry: T, slot: _Slot[T] | None) -> None:
        with self._lock:
            if slot is not None:
                slot.in_use -= 1
            keep = (
                slot is not None
                and self._slots.get(key) is slot
                and slot.version == version
                and len(slot.idle) < self.max_idle
            )
            if keep:
                slot.idle.append(entry)
            else:
                self._stats.discards += 1
        if not keep:
            self._dispose([entry])

    def _dispose(self, entries: list[T]) -> None:
        if self._dispose_entry is None:
            return
        for entry in entries:
            try:
                self._dispose_entry(entry)
            except Exception:
                _logger.exception("FastAPI app pool: disposing of %r failed", entry)
