# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fetch OCA addons built on ``fastapi``, port them to Odoo 19, count their tests.

Helper of ``tools/test-oca-ecosystem``. Nothing it downloads is committed:
everything lands in a scratch directory given on the command line.

  fetch STAGE ODOO_SRC ADDON...   download the addons and their OCA
                                  dependencies, unpack and port them into
                                  STAGE/addons, install their Python
                                  dependencies into STAGE/pylib
  oca STAGE SPEC                  OCA's own fastapi (SPEC, a pip requirement)
                                  and its endpoint_route_handler 19.0, into
                                  STAGE/addons, to compare with
  counts LOG ADDON...             per-addon "passed failed skipped" of an
                                  Odoo test run's log
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

# Addons never fetched: the one under test (ours, or OCA's fetched apart).
NOT_FETCHED = {"fastapi"}

# Python packages the ecosystem imports (pip name, import name). Installed
# with --no-deps into a directory of their own, and only when the Odoo venv
# lacks them, so that nothing the venv already holds is shadowed.
PYTHON_DEPS = [
    ("pyjwt", "jwt"),
    ("itsdangerous", "itsdangerous"),
    ("extendable", "extendable"),
    ("extendable-pydantic", "extendable_pydantic"),
    ("openupgradelib", "openupgradelib"),
    ("cssselect", "cssselect"),
    # OCA's own fastapi (compared with --oca), beside ours' dependencies
    ("python-multipart", "multipart"),
    ("ujson", "ujson"),
    ("parse-accept-language", "parse_accept_language"),
    ("fastapi-openapi-overrides", "fastapi_openapi_overrides"),
]

# The Odoo 19 renames applied to the ported 18.0 addons, and only to them.
# (file suffixes, pattern, replacement, why)
Rename = tuple[tuple[str, ...], str, str | Callable[[re.Match[str]], str], str]
RENAMES: list[Rename] = [
    ((".xml",), r'name="users"', 'name="user_ids"', "res.groups: users -> user_ids"),
    ((".xml", ".py"), r"\bgroups_id\b", "group_ids", "res.users/ir.ui.view: groups_id -> group_ids"),
    (
        (".xml",),
        r'\s*<field name="category_id" ref="base.module_category_hidden"\s*/>',
        "",
        "res.groups: category_id gone (privilege_id); a hidden category is no privilege",
    ),
    (
        (".xml",),
        r"<group(?=[^>]*\bexpand=)[^>]*>",
        "<group>",
        "search views: a group's expand and string attributes are gone",
    ),
    (
        (".py",),
        r"from odoo\.sql_db import TestCursor\b",
        "from odoo.tests.test_cursor import TestCursor",
        "odoo.sql_db.TestCursor moved to odoo.tests.test_cursor",
    ),
    (
        (".py",),
        r"\b[\w.]+\.in_test_mode\(\)",
        'bool(__import__("odoo.modules.module", fromlist=["m"]).current_test)',
        "Registry.in_test_mode() gone: odoo.modules.module.current_test",
    ),
    (
        (".py",),
        r"odoo\.modules\.graph\.Graph\(\)",
        "odoo.modules.module_graph.ModuleGraph(self.env.cr)",
        "odoo.modules.graph.Graph -> odoo.modules.module_graph.ModuleGraph(cr)",
    ),
    (
        (".py",),
        r"\.add_modules?\(self\.env\.cr, (\"base\"|\w+)\)",
        lambda m: f".extend([{m[1]}])" if m[1].startswith('"') else f".extend({m[1]})",
        "Graph.add_module(cr, name) / add_modules(cr, names) -> ModuleGraph.extend(names)",
    ),
    (
        (".py",),
        r"from odoo\.addons\.base\.models\.res_partner import Partner\b",
        "from odoo.addons.base.models.res_partner import ResPartner as Partner",
        "res.partner's class Partner renamed ResPartner",
    ),
]


def _pip(*args: str) -> bool:
    cmd = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check", *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=False).returncode == 0


def _download(name: str, series: str, wheels: Path) -> Path | None:
    spec = f"odoo-addon-{name}=={series}.*"
    if not _pip("download", "--no-deps", "-d", str(wheels), spec):
        return None
    pattern = f"odoo_addon_{name}-{series}.*.whl"
    return sorted(wheels.glob(pattern))[-1]


def _manifest(addon: Path) -> dict:
    return ast.literal_eval((addon / "__manifest__.py").read_text())


def _unpack(wheel: Path, name: str, addons: Path) -> Path:
    prefix = f"odoo/addons/{name}/"
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if member.startswith(prefix) and not member.endswith("/"):
                target = addons / name / member[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(member))
    return addons / name


def port(addon: Path) -> list[str]:
    """Bump an 18.0 addon to 19.0 and apply RENAMES; return what changed."""
    changes = []
    manifest = addon / "__manifest__.py"
    manifest.write_text(re.sub(r'"18\.0\.', '"19.0.', manifest.read_text(), count=1))
    for path in sorted(addon.rglob("*")):
        if path.suffix not in {".py", ".xml"} or "i18n" in path.parts:
            continue
        text = original = path.read_text()
        for suffixes, pattern, replacement, why in RENAMES:
            if path.suffix in suffixes:
                text, count = re.subn(pattern, replacement, text)
                if count:
                    changes.append(f"{path.relative_to(addon.parent)}: {why} ({count}x)")
        if text != original:
            path.write_text(text)
    return changes


def _core_addons(odoo_src: Path) -> set[str]:
    return (
        {p.parent.name for p in odoo_src.glob("*/__manifest__.py")}
        | {p.parent.name for p in (odoo_src / "odoo" / "addons").glob("*/__manifest__.py")}
        | {p.parent.name for p in (odoo_src / "addons").glob("*/__manifest__.py")}
    )


def fetch(stage: Path, odoo_src: Path, names: Iterable[str]) -> None:
    """The addons asked for as 18.0 releases; their OCA dependencies as 19.0
    releases when PyPI has them (real Odoo 19 code), else as ported 18.0."""
    wheels, addons = stage / "wheels", stage / "addons"
    wheels.mkdir(parents=True, exist_ok=True)
    core = _core_addons(odoo_src)
    queue = [(name, ("18.0",)) for name in names]
    done: set[str] = set()
    while queue:
        name, series = queue.pop(0)
        if name in done or name in core or name in NOT_FETCHED:
            continue
        done.add(name)
        for serie in series:
            wheel = _download(name, serie, wheels)
            if wheel:
                break
        else:
            sys.exit(f"cannot download odoo-addon-{name} ({' or '.join(series)}) from PyPI")
        addon = _unpack(wheel, name, addons)
        print(f"{name}: {wheel.name}", file=sys.stderr)
        if serie == "18.0":
            for change in port(addon):
                print(f"  port {change}", file=sys.stderr)
        queue += [(dep, ("19.0", "18.0")) for dep in _manifest(addon).get("depends", [])]
    _python_deps(stage / "pylib")


def _python_deps(target: Path) -> None:
    missing = [pip for pip, module in PYTHON_DEPS if importlib.util.find_spec(module) is None]
    if missing and not _pip("install", "--no-deps", "--target", str(target), *missing):
        sys.exit(f"cannot install {' '.join(missing)} from PyPI")


def oca(stage: Path, spec: str) -> None:
    wheels, addons = stage / "wheels", stage / "addons"
    if not _pip("download", "--no-deps", "-d", str(wheels), spec):
        sys.exit(f"cannot download {spec} from PyPI")
    _unpack(sorted(wheels.glob("odoo_addon_fastapi-19.0.*.whl"))[-1], "fastapi", addons)
    handler = _download("endpoint_route_handler", "19.0", wheels)
    if not handler:
        sys.exit("cannot download odoo-addon-endpoint_route_handler 19.0 from PyPI")
    _unpack(handler, "endpoint_route_handler", addons)


def counts(log: Path, names: Iterable[str]) -> None:
    """Per addon: tests started, failing tests (a class failing in setUpClass
    counts one), skipped tests, from the lines Odoo's test runner logs."""
    text = log.read_text(errors="replace")
    for name in names:
        module = re.escape(f"odoo.addons.{name}.")
        started = set(re.findall(rf" {module}\S+: Starting (\S+) \.\.\.", text))
        failing = set(re.findall(rf" {module}\S+: (?:ERROR|FAIL): (\S+)", text))
        failing |= set(re.findall(rf"(?:ERROR|FAIL): (setUpClass \({module}\S+\))", text))
        skipped = set(re.findall(rf" {module}\S+: skipped (\S+) :", text))
        passed = len(started - failing - skipped)
        print(f"{name} {passed} {len(failing)} {len(skipped)}")


COMMANDS: dict[str, Callable[[list[str]], None]] = {
    "fetch": lambda args: fetch(Path(args[0]), Path(args[1]), args[2:]),
    "oca": lambda args: oca(Path(args[0]), args[1]),
    "counts": lambda args: counts(Path(args[0]), args[1:]),
}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](sys.argv[2:])
