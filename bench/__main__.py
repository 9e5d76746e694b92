"""`python -m bench` — time from a change on the controller to the answered ack of every
connected player, for Pano in each Flask-SocketIO async mode and for a plain `websockets`
baseline measured in the same run; on request (``stack``) also for the controller's socket
stack with nothing behind it, the floor of Pano's figures (bench/stack_system.py).

    python -m bench                 # 100 and 500 players, 5 changes each
    python -m bench --quick         # 50 and 100 players, 3 changes each
    python -m bench --sizes 200 --rounds 7 --systems baseline,gevent
    python -m bench --sizes 5000 --rounds 3 --systems gevent,baseline --procs 4
    python -m bench --sizes 500 --systems gevent,stack,baseline   # with the stack's floor

Each size and system: changes of every screen (the p50/p95/max table), changes of one
playlist shown on every tenth screen, and a reconnect storm (the server restarted under
its connected players; --no-storm skips it). Prints a Markdown table (medians over rounds
of each round's p50/p95/max), a second one of the push path's costs against the baseline
(first push after the commit, server CPU per change net of idle, KiB per connection, the
storm, and whether the clients or the machine set the pace: bench/push_costs.py), and
writes all rounds to bench/results/<timestamp>.json. The same push measured while 500 players send
their proof-of-play backlog: `python -m bench.journal_ingest` (`make bench` runs every
benchmark). Only 127.0.0.1 is used; every process the
bench starts is stopped before it exits."""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench import push_costs, runner
from bench.stats import Phase, table
from bench.storm import describe

ALL_SYSTEMS = ("threading", "gevent", "baseline")
# Run on request only: the controller's socket stack without Pano behind it, the floor of
# Pano's figures (bench/stack_system.py).
EXTRA_SYSTEMS = ("stack",)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 and 100 players, 3 rounds")
    parser.add_argument("--sizes", help="comma-separated player counts (default 100,500)")
    parser.add_argument("--rounds", type=int, help="measured changes per size (default 5)")
    parser.add_argument("--systems", default=",".join(ALL_SYSTEMS),
                        help="comma-separated subset of threading,gevent,baseline,stack "
                             "(default: all but stack)")
    parser.add_argument("--procs", "--swarm-procs", dest="swarm_procs", type=int, default=0,
                        help="client processes (default: 1 up to 100 players, 2 up to "
                             "1000, else 4)")
    parser.add_argument("--no-storm", dest="storm", action="store_false",
                        help="skip the reconnect storm")
    parser.add_argument("--no-tenth", dest="tenth", action="store_false",
                        help="skip the changes of every tenth screen")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="record each Pano server with py-spy during the changes of "
                             "every screen into DIR (bench/profiling.py; skews timings)")
    parser.add_argument("--out", type=Path, help="results JSON (default bench/results/…)")
    args = parser.parse_args(argv)
    default_sizes, default_rounds = ("50,100", 3) if args.quick else ("100,500", 5)
    args.sizes = [int(s) for s in (args.sizes or default_sizes).split(",")]
    args.rounds = args.rounds or default_rounds
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(args.systems) - set(ALL_SYSTEMS) - set(EXTRA_SYSTEMS)
    if unknown:
        parser.error(f"unknown system(s): {', '.join(sorted(unknown))}")
    return args


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def commit() -> str:
    """The measured code's commit (`git log --oneline -1`), with "+dirty" if changed;
    PANO_BENCH_COMMIT names it for a tree without git (exported with `git archive`)."""
    import subprocess

    if os.environ.get("PANO_BENCH_COMMIT"):
        return os.environ["PANO_BENCH_COMMIT"][:120]

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=Path(__file__).parent, text=True,
                              capture_output=True, check=False).stdout.strip()

    line = git("log", "--oneline", "-1")
    if not line:
        return "unknown (not a git checkout)"
    return line[:120] + (" +dirty" if git("status", "--porcelain", "--untracked-files=no")
                         else "")


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through every `finally` that stops a child


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    phases: list[Phase] = []
    started = time.time()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = args.out or Path(__file__).parent / "results" / f"{stamp}.json"
    with tempfile.TemporaryDirectory(prefix="pano-bench-") as tmp:
        for size in args.sizes:
            swarm_procs = args.swarm_procs or (1 if size <= 100 else 2 if size <= 1000 else 4)
            captured = None
            for name in args.systems:
                if name == "baseline":
                    system: runner.System = runner.BaselineSystem(captured)
                elif name == "stack":
                    from bench.stack_system import StackSystem

                    system = StackSystem(captured)
                else:
                    from bench.pano_system import PanoSystem

                    system = PanoSystem(name)
                print(f"# {size} players, {name}: {args.rounds} changes …", file=sys.stderr,
                      flush=True)
                phase = runner.run_phase(system, size, args.rounds,
                                         Path(tmp) / f"{name}-{size}", swarm_procs,
                                         tenth=args.tenth, storm=args.storm,
                                         profile=args.profile)
                phases.append(phase)
                captured = getattr(system, "captured_timeline", None) or captured
                print(f"#   p50 {phase.median('p50'):.0f} ms, p95 {phase.median('p95'):.0f} ms,"
                      f" max {phase.median('max'):.0f} ms", file=sys.stderr, flush=True)
    meta = {"started": stamp, "seconds": round(time.time() - started),
            "cpus": os.cpu_count(), "python": platform.python_version(),
            "machine": platform.machine(), "cpu_model": cpu_model(), "commit": commit(),
            "sizes": args.sizes, "rounds": args.rounds, "argv": sys.argv[1:]}
    runner.save(phases, out, meta)
    print(f"\nChange → every player's ack answered, ms; medians over {args.rounds} changes "
          f"of each change's p50/p95/max; {os.cpu_count()} CPUs.\n")
    print(table(phases))
    print("\nThe push path's costs, medians over the changes; (×) = ratio to the baseline; "
          "CPU net of the server's idle use; 10 % = one playlist shown on every tenth "
          "screen.\n")
    print(push_costs.table(phases))
    notes = []
    for p in phases:
        cpu = p.info.get("server_cpu_ms_per_change", float("nan"))
        clients = p.info.get("clients_cpu_ms_per_change", float("nan"))
        write = p.info.get("write_ms_median")
        rss = p.info.get("rss_mib", 0)
        notes.append(f"{p.system}@{p.size}: timelines reached the clients from "
                     f"{p.median('first'):.0f} to {p.median('last_push'):.0f} ms; "
                     f"payload {p.info.get('payload_bytes')} B; CPU per "
                     f"change: server {cpu:.0f} ms, clients {clients:.0f} ms; server RSS "
                     f"{rss:.0f} MiB" + (f"; change written in {write:.0f} ms" if write else "")
                     + f"; {p.size} connected in {p.info.get('connect_seconds', 0):.0f} s"
                     f" ({p.info.get('connect_failed_attempts', 0)} failed attempts)"
                     + ("" if p.info.get("confirm") else
                        "; ACKS NOT ANSWERED by the server: timed to the ack being sent"))
    notes.extend(describe(p.system, p.info["storm"]) for p in phases if "storm" in p.info)
    for p in phases:
        others = p.info.get("tenth", {}).get("others_received") or [0]
        if max(others):
            notes.append(f"{p.system}@{p.size}: a change of every tenth screen also pushed "
                         f"to up to {max(others)} screens it did not touch")
    print("\n" + "\n".join(notes))
    if args.profile:
        from bench.profiling import report

        for p in phases:
            raw = Path(p.info.get("profile", ""))
            if raw.is_file():
                print("\n" + report(raw, 15))
    print(f"\nAll rounds: {out}")
    return 0 if all(p.missing() == 0 and not p.info.get("storm", {}).get("lost")
                    and not sum(r["missing"] for r in p.info.get("tenth", {}).get("rounds", []))
                    for p in phases) else 1


if __name__ == "__main__":
    sys.exit(main())
