"""Suite-wide: cheap password hashing, and the slowest test files start first.

``make test`` spreads test files over pytest-xdist workers (``--dist loadfile``, a file
stays on one worker). pytest-xdist's own order hands out the files with the most tests
first, which puts the few long end-to-end and browser files (one to three tests of 30 to
120 s each) last, so the run ended with one worker finishing a long file while the others
idled. Handing out the longest files first (longest-processing-time-first scheduling)
removes that tail; ``make test`` passes ``--no-loadscope-reorder`` so xdist keeps this
order.

The cost of each file is its measured wall time in ``tests/file_costs.json``; refresh it
after adding or changing a slow file with::

    .venv/bin/python -m pytest -n 4 --dist loadfile --no-loadscope-reorder \\
        --record-file-costs tests/file_costs.json

A file missing from the table counts as the median file, so a stale table costs some
minutes of balance at worst, never a test."""

from __future__ import annotations

import json
import os
import statistics
from collections import defaultdict
from pathlib import Path

import pytest

# Cheap Argon2 for every person the tests create and sign in, here and in the controller
# and CLI processes they start (controller/auth/passwords.py says why and what it costs).
os.environ.setdefault("PANO_INSECURE_FAST_PASSWORD_HASH", "1")

COSTS = Path(__file__).with_name("file_costs.json")
_spent: dict[str, float] = defaultdict(float)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--record-file-costs", metavar="PATH", default=None,
                     help="write each test file's wall time (setup, call and teardown "
                          "of its tests) as JSON to PATH, slowest first")


def _file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def file_costs() -> dict[str, float]:
    try:
        table = json.loads(COSTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in table.items()
            if isinstance(v, int | float)} if isinstance(table, dict) else {}


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    costs = file_costs()
    if not costs:
        return
    usual = statistics.median(costs.values())
    # A stable sort: a file's tests keep their order, and so do files of equal cost.
    items.sort(key=lambda item: -costs.get(_file_of(item.nodeid), usual))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _spent[_file_of(report.nodeid)] += report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = session.config.getoption("--record-file-costs")
    if not path or hasattr(session.config, "workerinput"):  # written by the controller
        return
    ranked = sorted(_spent.items(), key=lambda kv: -kv[1])
    Path(path).write_text(json.dumps({name: round(seconds, 1) for name, seconds in ranked},
                                     indent=1) + "\n", encoding="utf-8")
