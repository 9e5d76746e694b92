"""`python -m bench.edge_flood` — does a flooding screen slow anybody else down?

A real gevent controller (`pano-controller serve`) on 127.0.0.1, nineteen real players
on `/player` timing the `time` round trip (one a second each, staggered: a sample every
~50 ms) and a prober timing `GET /healthz` every 50 ms. Each round:

- phase A: the probes alone (the baseline, same run, same controller);
- phase B: the same probes while one screen with a valid credential floods the
  controller with heartbeats as fast as its socket takes them, reconnecting at once
  whenever it is cut off (`bench.flooder`, another process).

The table gives p50/p99/max of each probe in both phases (medians over rounds), the
ratio, what the flooder managed (connections, frames written, connections the controller
closed) and the controller's CPU time per phase. Exit status 1 when a phase-B p99 is
100 ms or more.

    python -m bench.edge_flood                       # 3 rounds of 8 s + 8 s
    python -m bench.edge_flood --rounds 1 --seconds 5 --repo /tmp/pano-before
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import procs
from bench.import_load import prepare
from bench.import_probes import TIMEOUT, Probes, median_of, probe_table, stats

GOAL_MS = 100.0


def run(repo: Path, rounds: int, seconds: float, workdir: Path) -> dict[str, Any]:
    _token, screens = prepare(repo, workdir / "var", workdir)
    flooder, probed = screens[0], screens[1:]
    port = procs.free_port()
    url = f"http://127.0.0.1:{port}"
    server = procs.start([sys.executable, "-m", "controller.cli", "--data-dir",
                          str(workdir / "var"), "--port", str(port), "serve"], cwd=repo,
                         env={"PANO_ASYNC_MODE": "gevent"}, log=workdir / "controller.log")
    results: dict[str, Any] = {"rounds": []}
    probes = None
    try:
        procs.wait_for_port(port, 60, server)
        probes = Probes(url, probed).start()
        time.sleep(3.0)  # connected, first timelines sent and acked
        for n in range(rounds):
            a_start, cpu_a = time.monotonic(), procs.tree_cpu(server.pid)
            time.sleep(seconds)
            a_end, cpu_b = time.monotonic(), procs.tree_cpu(server.pid)
            child = procs.start([sys.executable, "-m", "bench.flooder", str(port),
                                 flooder["screen"], flooder["token"], str(seconds)],
                                pipes=True)
            b_start = time.monotonic()
            out, _ = child.communicate(timeout=seconds + 60)
            b_end, cpu_end = time.monotonic(), procs.tree_cpu(server.pid)
            flood = json.loads(out.strip().splitlines()[-1])
            _settle(probes, b_end, len(probed))
            results["rounds"].append({
                "A": {"healthz": stats(probes.health.between(a_start, a_end)),
                      "time": stats(probes.rtt.between(a_start, a_end)),
                      "cpu_s": cpu_b - cpu_a},
                "B": {"healthz": stats(probes.health.between(b_start, b_end)),
                      "time": stats(probes.rtt.between(b_start, b_end)),
                      "cpu_s": cpu_end - cpu_b},
                "flood": flood})
            print(f"round {n + 1}: flooder {flood}", file=sys.stderr, flush=True)
            time.sleep(2.0)  # let the controller settle before the next baseline
        results["failures"] = {"healthz": probes.health.failures, "time": probes.rtt.failures}
    finally:
        if probes is not None:
            probes.stop()
        procs.stop(server, grace=20)
    return results


def _settle(probes: Probes, since: float, players: int) -> None:
    """Wait until no probe is still stuck in phase B (each has answered one sent after
    it), so that a stall counts at its real length, not as a missing sample."""
    deadline = time.monotonic() + TIMEOUT + 5
    while time.monotonic() < deadline:
        if (probes.health.between(since, float("inf"))
                and len(probes.rtt.between(since, float("inf"))) >= players):
            return
        time.sleep(0.2)


def table(results: dict[str, Any], label: str, seconds: float) -> str:
    rounds = results["rounds"]
    lines = [f"### A flooding screen: {label}",
             f"{len(rounds)} rounds of {seconds:g} s idle (A) then {seconds:g} s of flood (B); "
             "19 players; medians over rounds", "",
             *probe_table(results, "flood", ("p50", "p99", "max"))]
    floods = [r["flood"] for r in rounds]
    cpu = {p: statistics.median(r[p]["cpu_s"] for r in rounds) for p in ("A", "B")}
    lines += ["", "flooder per round: "
              + "; ".join(f"{f['frames']:,} frames on {f['connections']} connections, "
                          f"{f['cut']} cut" for f in floods),
              f"controller CPU per phase (median): A {cpu['A']:.2f} s, B {cpu['B']:.2f} s; "
              f"probe failures: {results['failures']}"]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--repo", type=Path, default=procs.REPO,
                        help="the checkout whose controller runs (default: this one)")
    args = parser.parse_args()
    repo = args.repo.resolve()
    with tempfile.TemporaryDirectory(prefix="pano-bench-flood-") as tmp:
        results = run(repo, args.rounds, args.seconds, Path(tmp))
    print(table(results, "this checkout" if repo == procs.REPO else str(repo), args.seconds))
    worst = max(median_of(results, "B", probe, "p99") for probe in ("healthz", "time"))
    if worst >= GOAL_MS:
        print(f"\nFAIL: a p99 during the flood is {worst:.0f} ms (goal: under {GOAL_MS:.0f} ms)")
        return 1
    print(f"\nOK: every p99 during the flood is under {GOAL_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
