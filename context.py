# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Odoo environment of the request being served.

FastAPI runs ``def`` dependencies and endpoints on worker threads, so the
environment travels in a ContextVar: the asyncio task that runs the app and
every worker thread it hands work to see a copy of the dispatcher's context.
A thread-local would be empty there.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from odoo.api import Environment

odoo_env_ctx: ContextVar[Environment] = ContextVar("odoo_env_ctx")
