# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The addon's pure-Python modules (pools, bridge, routing) import as top-level
# modules; the live-server helper from live/.
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE / "live")]

from server import copy_database, drop_database, missing_setup  # noqa: E402


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = missing_setup()
    if not reason:
        return
    print(f"\n!!! LIVE ODOO TESTS SKIPPED: {reason}\n", file=sys.stderr)
    for item in items:
        if "live" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A committed copy of the installed test database, dropped afterwards."""
    name = copy_database(os.environ["FASTAPI_TEST_DB"])
    try:
        yield name
    finally:
        drop_database(name)
