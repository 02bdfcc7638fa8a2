# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""pytest plugin (``-p addon_as_dirs``): collect the addon as plain directories.

The addon's root and its tests/ are Python packages whose ``__init__``
imports Odoo; pytest would import them to collect tests/standalone. A
conftest cannot say so: its hooks only apply below it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    # The addon and its tests/ are Python packages whose __init__ imports
    # Odoo: walk through them as plain directories.
    # Resolved: tools/test reaches the addon through a link named "fastapi".
    if (path / "__init__.py").exists() and HERE.is_relative_to(path.resolve()):
        return pytest.Dir.from_parent(parent, path=path)
    return None
