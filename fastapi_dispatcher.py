# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The OCA fastapi addon's import path of the dispatcher, kept for the addons that extend it."""

from .dispatcher import FastApiDispatcher

__all__ = ["FastApiDispatcher"]
