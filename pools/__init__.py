# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Thread-safe containers; nothing here imports Odoo."""

from .app_pool import AppPool, PoolStats

__all__ = ["AppPool", "PoolStats"]
