"""`python -m bench.startup` — how long a controller restart takes before it listens:
from the start of the `pano-controller serve` process to its port accepting
connections, with no player connected (what a reconnect storm waits for first).

    python -m bench.startup                          # 1000 screens, 5 runs
    python -m bench.startup --screens 500 --runs 7 --compare ../pano-before

The database is the push bench's (bench/pano_system.py: N screens, their timelines
stored by a first start). ``--compare DIR`` also starts the controller of another
checkout (e.g. ``git worktree add ../pano-before HEAD~3``) on the same database, runs
interleaved. Prints the median and the quickest run of each, in seconds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import procs
from bench.pano_system import PY, PanoSystem


def start_from(system: PanoSystem, code: Path) -> Any:
    """Start the controller of the checkout ``code`` on ``system``'s database and port."""
    return procs.start(
        [PY, "-m", "controller.cli", "--config", str(system.config), "--data-dir",
         str(system.data_dir), "--port", str(system.port), "serve"],
        env={"PANO_ASYNC_MODE": system.async_mode}, log=system.workdir / "server.log",
        cwd=code)


def launch_from(system: PanoSystem, code: Path) -> Any:
    """``start_from``, returning once it listens."""
    proc = start_from(system, code)
    procs.wait_for_port(system.port, 120, proc)
    return proc


def time_to_listen(system: PanoSystem, code: Path) -> float:
    """Seconds from starting the controller of the checkout ``code`` to its port
    accepting; the process is stopped afterwards."""
    t0 = time.monotonic()
    proc = start_from(system, code)
    try:
        procs.wait_for_port(system.port, 120, proc)
        return time.monotonic() - t0
    finally:
        procs.stop(proc, grace=10)


def compare_args(prog: str, doc: str, argv: list[str] | None, size: tuple[str, int],
                 count: tuple[str, int]) -> tuple[argparse.Namespace, dict[str, Path]]:
    """The arguments of a bench that measures this checkout's controller against
    another's (``--compare DIR``): a fleet size and a count of runs, both positive
    (``size`` and ``count`` name each option and give its default). Also returns the
    checkouts by name."""
    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n")[0])
    for name, default in (size, count):
        parser.add_argument(f"--{name}", type=int, default=default, help=f"default {default}")
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="another checkout whose controller to measure as well")
    args = parser.parse_args(argv)
    if getattr(args, size[0]) < 1 or getattr(args, count[0]) < 1:
        parser.error(f"--{size[0]} and --{count[0]} must be positive")
    codes = {"this checkout": procs.REPO}
    if args.compare is not None:
        if not (args.compare / "controller" / "cli.py").is_file():
            parser.error(f"--compare: {args.compare} is not a Pano checkout")
        codes[str(args.compare)] = args.compare.resolve()
    return args, codes


def interleaved(codes: dict[str, Path], screens: int, passes: int,
                measure: Callable[[PanoSystem, Path], list[float]]) -> dict[str, list[float]]:
    """``measure(system, checkout)`` of each checkout on one push-bench database of
    ``screens`` screens (their timelines stored by a first start), ``passes`` times in
    turn so that every checkout sees the same machine; the figures by checkout."""
    system = PanoSystem("gevent")
    figures: dict[str, list[float]] = {name: [] for name in codes}
    with tempfile.TemporaryDirectory(prefix="pano-compare-") as tmp:
        try:
            procs.stop(system.start(Path(tmp), screens), grace=10)
            for _pass in range(passes):
                for name, code in codes.items():
                    figures[name] += measure(system, code)
        finally:
            system.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    args, codes = compare_args("python -m bench.startup", __doc__, argv, ("screens", 1000),
                               ("runs", 5))
    times = interleaved(codes, args.screens, args.runs,
                        lambda system, code: [time_to_listen(system, code)])
    print_table(["code", "screens", "start to listening, median s", "quickest s", "runs"],
                [[name, str(args.screens), f"{statistics.median(values):.2f}",
                  f"{min(values):.2f}", str(len(values))] for name, values in times.items()])
    return 0


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """A Markdown table, the first column left-aligned and the others right."""
    print("| " + " | ".join(headers) + " |")
    print("|---|" + "---:|" * (len(headers) - 1))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    raise SystemExit(main())
