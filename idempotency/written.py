# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The records an idempotent request of a repeatable route creates or writes.

Its stored answer is stale once one of them is changed by another
transaction: the ORM hook (models/base.py) notes them here while such a
request holds its key; ``store`` keeps their row versions with the answer.
Any other request pays one ContextVar lookup per create or write.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

# The ids per (model, table) the request wrote, on the cursor of its claim.
Written = dict[tuple[str, str], set[int]]


@dataclass
class Tracker:
    cr: Any
    records: Written = field(default_factory=dict)


_tracker: ContextVar[Tracker | None] = ContextVar("fastapi_idempotency_tracker", default=None)


def track(cr: Any) -> Tracker:
    """Note the records written on ``cr`` from now on, in this request's context."""
    tracker = Tracker(cr)
    _tracker.set(tracker)
    return tracker


def note(records: Any) -> None:
    """Called by the ORM hook with the records created or about to be written."""
    tracker = _tracker.get()
    # Writes on another cursor (a transaction of its own) are not the request's.
    if tracker is None or records.env.cr is not tracker.cr or not records._ids:
        return
    ids = tracker.records.setdefault((records._name, records._table), set())
    ids.update(id_ for id_ in records._ids if isinstance(id_, int))
