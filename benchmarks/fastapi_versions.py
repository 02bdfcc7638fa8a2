# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo GET against Odoo's version_info, on the newest and the lowest FastAPI.

The same database (a copy of the benchmark one), a live prefork server run by
each virtualenv in turn, several turns: the ratio of each turn compares two
loads measured by the same server, and the turns of both FastAPIs interleave
so that the machine's drift hits both alike.

    benchmarks/run                   # creates the benchmark database
    tools/test-fastapi-lowest        # creates ~/.venv-fastapi-lowest
    FASTAPI_ODOO_BIN=... FASTAPI_ODOO_CONF=.odoo/odoo-bench.conf ODOO_DB_USER=odoo \\
        ~/.venv-odoo19/bin/python benchmarks/fastapi_versions.py --db fastapi_bench
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import VERSION_INFO, Load, Spec, compare, copy_database, drop_database, running  # noqa: E402

VENVS = {
    "newest (installed)": Path(os.environ.get("FASTAPI_VENV", "~/.venv-odoo19")).expanduser(),
    "lowest supported": Path("~/.venv-fastapi-lowest").expanduser(),
}
LOADS = [Load("demo GET", Spec("/fastapi_demo/demo/")), Load("native version_info", VERSION_INFO)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="fastapi_bench")
    parser.add_argument("--turns", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    db = copy_database(args.db)
    ratios: dict[str, list[float]] = {name: [] for name in VENVS}
    try:
        for turn in range(args.turns):
            for name, venv in VENVS.items():
                os.environ["FASTAPI_ODOO_PYTHON"] = str(venv / "bin/python")
                with running([db], workers=2) as server:
                    demo, native = compare(server, LOADS, args.rounds, args.seconds, 8, "wrk")
                ratio = demo["req_s"] / native["req_s"]
                ratios[name].append(ratio)
                print(f"{name}, turn {turn + 1}: {demo['req_s']} / {native['req_s']} req/s = {ratio:.2f}", flush=True)
    finally:
        drop_database(db)
    for name, found in ratios.items():
        turns = ", ".join(f"{ratio:.2f}" for ratio in found)
        print(f"{name}: demo GET / version_info, median {statistics.median(found):.2f} ({turns})")


if __name__ == "__main__":
    main()
