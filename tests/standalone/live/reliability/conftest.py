# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The reliability suite: a hostile client, scripts and faults against live servers.

Its fast part runs with the other live tests; the long soak only when
FASTAPI_SOAK=1 (see README, "Reliability").
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import OdooServer, copy_database, drop_database, query, running  # noqa: E402

# A small upload limit: oversized bodies are cheap to send.
UPLOAD_LIMIT = 1 << 20


def soak_enabled() -> bool:
    return os.environ.get("FASTAPI_SOAK") == "1"


@pytest.fixture(scope="session")
def rel_db() -> Iterator[str]:
    name = copy_database(os.environ["FASTAPI_TEST_DB"])
    query(
        name,
        "INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)"
        " VALUES ('web.max_file_upload_size', %s, 1, 1, now(), now())"
        " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        (str(UPLOAD_LIMIT),),
    )
    try:
        yield name
    finally:
        drop_database(name)


@pytest.fixture(scope="session")
def prefork(rel_db: str) -> Iterator[OdooServer]:
    with running([rel_db], workers=2) as server:
        yield server


class LogWatch:
    """What a server logged since the last call."""

    def __init__(self, server: OdooServer) -> None:
        self.path = server.logfile
        self.offset = self.path.stat().st_size

    def new(self) -> str:
        with self.path.open("rb") as log:
            log.seek(self.offset)
            data = log.read()
        self.offset += len(data)
        return data.decode("utf-8", "replace")
