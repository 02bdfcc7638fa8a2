# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Credentials that cannot be right, refused before any lookup.

A NUL byte cannot even reach PostgreSQL (the driver raises), and no login,
password or key holds a control character: such credentials are wrong ones,
answered like any other, and logged without the secret.
"""

from __future__ import annotations

import logging
import re

_logger = logging.getLogger(__name__)

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def plausible_credentials(kind: str, *values: str) -> bool:
    """False, with one warning naming ``kind`` only, when a value holds a control character."""
    if any(_CONTROL_CHARACTERS.search(value) for value in values):
        _logger.warning("FastAPI: %s with control characters refused", kind)
        return False
    return True
