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
minutes of balance at worst, never a test.

On a 2-core machine the suite is bound by CPU more than by waits, and wall times there
depend on what else runs. ``--record-file-cpu PATH`` writes each file's CPU seconds
instead (the worker's own and the child processes it waited for: controllers, players,
CLI commands; not the browsers Playwright keeps for the whole session), which neighbours
barely change: the number to cut when ``make test`` gets slow.

Each distinct slide, frame, badge and rendition this process draws is drawn once per run
(support/drawing_memo.py says why that is safe); a test that counts drawings is marked
``real_drawing``."""

from __future__ import annotations

import json
import os
import resource
import statistics
from collections import defaultdict
from pathlib import Path

import pytest
from support import browser as shared_browser
from support import drawing_memo, schema_template

# Cheap Argon2 for every person the tests create and sign in, here and in the controller
# and CLI processes they start (controller/auth/passwords.py says why and what it costs).
os.environ.setdefault("PANO_INSECURE_FAST_PASSWORD_HASH", "1")

# New SQLite files start from one migrated copy per test process (support/schema_template).
schema_template.install()

COSTS = Path(__file__).with_name("file_costs.json")
_spent: dict[str, float] = defaultdict(float)
_cpu_spent: dict[str, float] = defaultdict(float)
_cpu_mark: list[float] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_drawing: draw every slide, frame, badge and "
                            "rendition for real (support/drawing_memo.py)")
    drawing_memo.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    drawing_memo.finish()


@pytest.fixture(autouse=True)
def _drawing_memo(request: pytest.FixtureRequest):  # noqa: ANN202
    real = request.node.get_closest_marker("real_drawing") is not None
    drawing_memo.enabled(not real)
    yield
    drawing_memo.enabled(True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--record-file-costs", metavar="PATH", default=None,
                     help="write each test file's wall time (setup, call and teardown "
                          "of its tests) as JSON to PATH, slowest first")
    parser.addoption("--record-file-cpu", metavar="PATH", default=None,
                     help="write each test file's CPU seconds (this process and the child "
                          "processes it waited for) as JSON to PATH, costliest first")


def _cpu_now() -> float:
    own, children = (resource.getrusage(resource.RUSAGE_SELF),
                     resource.getrusage(resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ANN201
    """Each phase's report carries the CPU spent since the previous phase (or test)."""
    outcome = yield
    if not item.config.getoption("--record-file-cpu"):
        return
    now = _cpu_now()
    spent = now - (_cpu_mark[0] if _cpu_mark else now)
    _cpu_mark[:] = [now]
    outcome.get_result().user_properties.append(("cpu_seconds", spent))


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
    for name, value in report.user_properties:
        if name == "cpu_seconds":
            _cpu_spent[_file_of(report.nodeid)] += float(value)


def pytest_sessionfinish(session: pytest.Session) -> None:
    shared_browser.stop()  # this process's Chromium, if a test started it
    if hasattr(session.config, "workerinput"):  # written by the controller
        return
    for option, spent in (("--record-file-costs", _spent), ("--record-file-cpu", _cpu_spent)):
        path = session.config.getoption(option)
        if not path:
            continue
        ranked = sorted(spent.items(), key=lambda kv: -kv[1])
        table = {name: round(seconds, 1) for name, seconds in ranked}
        Path(path).write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
