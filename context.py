# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Odoo environment of the request being served.

FastAPI runs ``def`` dependencies and endpoints on worker threads, so the
environment travels in a ContextVar: the asyncio task that runs the app and
every worker thread it hands work to see a copy of the dispatcher's context.
A thread-local would be empty there.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from odoo.api import Environment

odoo_env_ctx: ContextVar[Environment] = ContextVar("odoo_env_ctx")
# The id of the fastapi.endpoint serving the request. A ContextVar rather than
# an app-level dependency override: with any override in place, FastAPI
# analyses every dependency of a route again on each request.
fastapi_endpoint_id_ctx: ContextVar[int] = ContextVar("fastapi_endpoint_id_ctx")


class ContextProvided(functools.partial):
    """An override whose value the request's context already provides.

    ``fastapi.endpoint`` lists the endpoint's id and company among its app's
    dependency overrides, as addons written for the OCA API expect to find
    them there. The dispatcher puts both in the request's context already, so
    such an override changes nothing and is not written into the app's routes
    (one set of analysed routes then serves every endpoint of an app).
    """
