# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Another import path of the error mapping (``error_handlers``), for code written for the OCA addon."""

from .error_handlers import ErrorInfo, convert_exception_to_status_body, describe

__all__ = ["ErrorInfo", "convert_exception_to_status_body", "describe"]
