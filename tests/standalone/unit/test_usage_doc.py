# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every snippet of readme/USAGE.md is code of the tested example addon."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "tests" / "addons" / "fastapi_test_notes"
SNIPPETS = re.findall(r"```(?:python|xml)\n(.*?)```", (ROOT / "readme" / "USAGE.md").read_text(), re.S)


def test_usage_has_snippets():
    assert len(SNIPPETS) >= 8


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.strip().splitlines()[0][:40] for s in SNIPPETS])
def test_snippet_is_example_code(snippet: str):
    sources = [path.read_text() for path in EXAMPLE.rglob("*") if path.suffix in (".py", ".xml")]
    assert any(snippet in source for source in sources), f"not found in {EXAMPLE}:\n{snippet}"
