# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The endpoints' routing signal, kept by PostgreSQL itself.

Odoo tells its other workers and servers that a cache is stale by inserting a
row into ``orm_signaling_<cache>`` after a request commits; each request
compares the table's highest id with the one it knows. A change written
outside a request (``odoo-bin shell``, a script, SQL in a migration) never
makes that insert, so running servers kept routing the old endpoints.

Here triggers make the insert part of the change: any committed write to the
endpoints (or to what the routing table reads from their users) adds a row to
``orm_signaling_routing`` when its transaction commits, and a rolled-back one
adds nothing. A second trigger gives an endpoint a new ``app_version`` when a
field its app is built from changes, whoever writes it, so that workers
rebuild the app rather than serve the one they hold.

The signal is inserted at commit time (deferred constraint triggers), under
an exclusive lock of the signalling table held until the commit: ids are
then handed out in commit order, and a request that sees a signal also sees
every change signalled before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from odoo.tools import SQL

SEQUENCE = "fastapi_endpoint_app_version_seq"
FUNCTIONS = ("fastapi_endpoint_signal_routing", "fastapi_endpoint_bump_app_version")
TRIGGERS = {
    "fastapi_endpoint": (
        "fastapi_endpoint_bump_app_version",
        "fastapi_endpoint_signal_insert_delete",
        "fastapi_endpoint_signal_update",
    ),
    "res_users": ("fastapi_endpoint_signal_user",),
    "res_partner": ("fastapi_endpoint_signal_partner",),
}
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")

_SIGNAL_FUNCTION = """
CREATE OR REPLACE FUNCTION fastapi_endpoint_signal_routing() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- One signal per transaction, however many rows it changed.
    IF current_setting('fastapi.routing_signaled', true) = '1' THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'res_users' AND NOT EXISTS (
        SELECT 1 FROM fastapi_endpoint WHERE user_id = NEW.id
    ) THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'res_partner' AND NOT EXISTS (
        SELECT 1 FROM fastapi_endpoint e JOIN res_users u ON u.id = e.user_id
         WHERE u.partner_id = NEW.id
    ) THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('fastapi.routing_signaled', '1', true);
    -- Held until the commit: the signals' ids follow the commits' order.
    LOCK TABLE orm_signaling_routing IN EXCLUSIVE MODE;
    INSERT INTO orm_signaling_routing DEFAULT VALUES;
    RETURN NULL;
END
$$
"""

_BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION fastapi_endpoint_bump_app_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.app_version IS NULL THEN
            NEW.app_version := nextval('fastapi_endpoint_app_version_seq');
        END IF;
    ELSIF NEW.app_version IS NOT DISTINCT FROM OLD.app_version
          AND ROW({old}) IS DISTINCT FROM ROW({new}) THEN
        NEW.app_version := nextval('fastapi_endpoint_app_version_seq');
    END IF;
    RETURN NEW;
END
$$
"""

_TRIGGERS = """
CREATE TRIGGER fastapi_endpoint_bump_app_version
    BEFORE INSERT OR UPDATE ON fastapi_endpoint
    FOR EACH ROW EXECUTE FUNCTION fastapi_endpoint_bump_app_version();
CREATE CONSTRAINT TRIGGER fastapi_endpoint_signal_insert_delete
    AFTER INSERT OR DELETE ON fastapi_endpoint
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION fastapi_endpoint_signal_routing();
CREATE CONSTRAINT TRIGGER fastapi_endpoint_signal_update
    AFTER UPDATE ON fastapi_endpoint
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.app_version IS DISTINCT FROM NEW.app_version)
    EXECUTE FUNCTION fastapi_endpoint_signal_routing();
CREATE CONSTRAINT TRIGGER fastapi_endpoint_signal_user
    AFTER UPDATE OF partner_id ON res_users
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.partner_id IS DISTINCT FROM NEW.partner_id)
    EXECUTE FUNCTION fastapi_endpoint_signal_routing();
CREATE CONSTRAINT TRIGGER fastapi_endpoint_signal_partner
    AFTER UPDATE OF lang, tz ON res_partner
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.lang IS DISTINCT FROM NEW.lang OR OLD.tz IS DISTINCT FROM NEW.tz)
    EXECUTE FUNCTION fastapi_endpoint_signal_routing();
"""


def _quoted(columns: Iterable[str], prefix: str) -> str:
    names = sorted(set(columns))
    bad = [name for name in names if not _IDENTIFIER.match(name)]
    if bad:
        raise ValueError(f"not a plain column name: {bad}")
    return ", ".join(f'{prefix}."{name}"' for name in names)


def _drop_triggers() -> str:
    return "".join(
        f"DROP TRIGGER IF EXISTS {trigger} ON {table};\n"
        for table, triggers in TRIGGERS.items()
        for trigger in triggers
    )


def install(cr: Any, watched_columns: Iterable[str]) -> None:
    """(Re)create the sequence, functions and triggers.

    ``watched_columns``: the endpoint's columns whose change gives it a new
    app version; given by the model, as addons may add fields to it.
    """
    columns = list(watched_columns)
    cr.execute(SQL(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}"))
    cr.execute(SQL(_SIGNAL_FUNCTION))
    cr.execute(SQL(_BUMP_FUNCTION.format(old=_quoted(columns, "OLD"), new=_quoted(columns, "NEW"))))
    cr.execute(SQL(_drop_triggers() + _TRIGGERS))


def uninstall(cr: Any) -> None:
    """Drop what :func:`install` made: nothing of it may outlive the addon."""
    cr.execute(SQL(_drop_triggers()))
    for function in FUNCTIONS:
        cr.execute(SQL(f"DROP FUNCTION IF EXISTS {function}()"))
    cr.execute(SQL(f"DROP SEQUENCE IF EXISTS {SEQUENCE}"))
