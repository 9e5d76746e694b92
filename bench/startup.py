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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--screens", type=int, default=1000, help="default 1000")
    parser.add_argument("--runs", type=int, default=5, help="default 5")
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="another checkout whose controller to time as well")
    args = parser.parse_args(argv)
    if args.screens < 1 or args.runs < 1:
        parser.error("--screens and --runs must be positive")
    codes = {"this checkout": procs.REPO}
    if args.compare is not None:
        if not (args.compare / "controller" / "cli.py").is_file():
            parser.error(f"--compare: {args.compare} is not a Pano checkout")
        codes[str(args.compare)] = args.compare.resolve()
    system = PanoSystem("gevent")
    with tempfile.TemporaryDirectory(prefix="pano-startup-") as tmp:
        try:
            procs.stop(system.start(Path(tmp), args.screens), grace=10)  # timelines stored
            times: dict[str, list[float]] = {name: [] for name in codes}
            for _run in range(args.runs):
                for name, code in codes.items():
                    times[name].append(time_to_listen(system, code))
        finally:
            system.close()
    print("| code | screens | start to listening, median s | quickest s | runs |")
    print("|---|---:|---:|---:|---:|")
    for name, values in times.items():
        print(f"| {name} | {args.screens} | {statistics.median(values):.2f} | "
              f"{min(values):.2f} | {len(values)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
