# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo API keys on live multi-worker servers sharing a committed database.

A key every worker of two servers verified and remembers is revoked through
one server: each worker of the other refuses it on its next request.
"""

from __future__ import annotations

import pytest
from server import issue_api_key, query, revoke_api_key, running

requests = pytest.importorskip("requests")

ROOT = "/fastapi_demo_keys"


def statuses(server, key: str, times: int = 12) -> set[int]:
    headers = {"Authorization": f"Bearer {key}"}
    return {requests.get(f"{server.base_url}{ROOT}/me", headers=headers, timeout=30).status_code for _ in range(times)}


@pytest.fixture(scope="module")
def two_servers(database):
    with running([database], workers=2) as first, running([database], workers=2) as second:
        yield first, second


def test_revocation_through_one_server_refuses_the_key_on_the_other(database, two_servers):
    first, second = two_servers
    key, key_id = issue_api_key(first, database, "fastapi")
    assert query(database, "SELECT scope FROM res_users_apikeys WHERE id = %s", (key_id,)) == [("fastapi",)]
    # Every worker of both servers verifies the key and remembers it.
    assert statuses(first, key) == statuses(second, key) == {200}
    revoke_api_key(first, database, key_id)
    assert statuses(second, key) == {401}
    assert statuses(first, key) == {401}


def test_key_of_another_scope_is_refused(database, two_servers):
    first, second = two_servers
    key, _ = issue_api_key(first, database, "rpc")
    assert statuses(second, key, 4) == {401}
