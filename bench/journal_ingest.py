"""`python -m bench.journal_ingest` — how fast does the controller store proof of play,
and does storing it slow the push of timelines?

A real controller process (`pano-controller serve`, gevent, SQLite, as `bench.pano_system`
sets it up) and N real python-socketio players (`bench.swarm`, one connection each) that
ack every timeline. Each run:

- phase A: changes with the players idle: change → every player's ack of the new
  timeline answered (p50, max over players; medians over the changes);
- phase B: every player starts sending a journal backlog at once (`bench.journal_load`:
  batches of 100 chained records, paced to the `journal` budget, the next batch after
  the previous answer), and the same changes are measured while it runs; then the run
  waits for every backlog to be acked and counts the stored records in the database.

Printed: a table of medians over runs — push latency idle and under load with their
ratio, records/s stored and acked (acked records over the time from the first batch to
the last answer), the controller's CPU during the load.

    python -m bench.journal_ingest                  # 500 players × 864 records, 3 runs
    python -m bench.journal_ingest --quick          # 100 players × 300 records, 2 runs
    python -m bench.journal_ingest --full           # 500 players × 8,640 (a day at 10 s)
    python -m bench.journal_ingest --players 200 --records 2000 --runs 2 --rounds 5
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
from bench.pano_system import PanoSystem
from bench.runner import ROUND_TIMEOUT, SETTLE, start_swarms, stop_swarms
from bench.stats import percentile

DAY_OF_RECORDS = 8640  # 24 h of 10 s items


def push_round(system: PanoSystem, swarms: list[procs.Channel]) -> dict[str, float]:
    """One change: ms from its commit to each player's ack answered (p50, max)."""
    for s in swarms:
        s.send({"cmd": "arm", "timeout": ROUND_TIMEOUT})
    for s in swarms:
        s.expect("armed", 60)
    t0 = system.change()
    results = [s.expect("round", ROUND_TIMEOUT + 60) for s in swarms]
    done = [(t - t0) * 1000 for r in results for t in r["confirmed"]]
    clients = sum(r["clients"] for r in results)
    time.sleep(SETTLE)
    if not done:
        return {"p50": float("nan"), "max": float("nan"), "missing": clients}
    return {"p50": percentile(done, 50), "max": max(done), "missing": clients - len(done),
            "write_ms": system.write_ms[-1]}


def journal_status(swarms: list[procs.Channel]) -> dict[str, Any]:
    parts = []
    for s in swarms:
        s.send({"cmd": "journal_status"})
        parts.append(s.expect("journal_status", 120))
    starts = [p["started"] for p in parts if p["started"] is not None]
    acks = [p["last_ack"] for p in parts if p["last_ack"] is not None]
    return {"done": all(p["done"] for p in parts),
            "acked": sum(p["acked"] for p in parts),
            "refused": sum(p["refused"] for p in parts),
            "duplicates": sum(p["duplicates"] for p in parts),
            "findings": sum(p["findings"] for p in parts),
            "errors": sum(p["errors"] for p in parts),
            "first_error": next((p["first_error"] for p in parts if p["first_error"]), None),
            "started": min(starts) if starts else None,
            "last_ack": max(acks) if acks else None}


def stored_records(system: PanoSystem) -> int:
    from sqlalchemy import func, select

    from controller.models import PlayRecord

    with system.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(PlayRecord)))


def one_run(workdir: Path, players: int, records: int, rounds: int,
            mode: str) -> dict[str, Any]:
    system = PanoSystem(mode)
    workdir.mkdir(parents=True, exist_ok=True)
    server = system.start(workdir, players)
    swarms: list[procs.Channel] = []
    try:
        swarms.extend(start_swarms(system, workdir, 1 if players <= 100 else 2))
        connected = sum(s.expect("ready", 900)["connected"] for s in swarms)
        if connected < players:
            raise RuntimeError(f"only {connected} of {players} players connected")
        push_round(system, swarms)  # warm-up, not counted
        idle = [push_round(system, swarms) for _ in range(rounds)]
        cpu_before = procs.tree_cpu(server.pid)
        for s in swarms:
            s.send({"cmd": "journal", "records": records})
        for s in swarms:
            s.expect("journal_started", 60)
        time.sleep(1.0)  # the first bursts are in
        loaded = [push_round(system, swarms) for _ in range(rounds)]
        during = journal_status(swarms)
        print(f"#   pushes under load done; backlog {during['acked']:,} of "
              f"{players * records:,} acked so far", file=sys.stderr, flush=True)
        while not (status := journal_status(swarms))["done"]:
            time.sleep(2.0)
        cpu_load = procs.tree_cpu(server.pid) - cpu_before
        seconds = status["last_ack"] - status["started"]
        return {"idle": idle, "loaded": loaded, "journal": status,
                "load_still_running_after_pushes": not during["done"],
                "seconds": seconds, "records_per_s": status["acked"] / seconds,
                "stored": stored_records(system), "controller_cpu_s": cpu_load}
    finally:
        stop_swarms(swarms)
        system.close()
        procs.stop(server)


def _median(runs: list[dict[str, Any]], phase: str, key: str) -> float:
    return statistics.median(statistics.median(r[key] for r in run[phase]) for run in runs)


def table(runs: list[dict[str, Any]], players: int, records: int) -> str:
    idle_p50, load_p50 = _median(runs, "idle", "p50"), _median(runs, "loaded", "p50")
    idle_max, load_max = _median(runs, "idle", "max"), _median(runs, "loaded", "max")
    rate = statistics.median(r["records_per_s"] for r in runs)
    lines = [
        f"{players} players × {records:,} records each ({players * records:,} records), "
        f"medians over {len(runs)} run(s):",
        "",
        "| measure | idle | during the journal load | ratio |",
        "|---|---:|---:|---:|",
        f"| push: change → every ack answered, p50 | {idle_p50:.0f} ms | {load_p50:.0f} ms "
        f"| {load_p50 / idle_p50:.2f} |",
        f"| push: change → every ack answered, max | {idle_max:.0f} ms | {load_max:.0f} ms "
        f"| {load_max / idle_max:.2f} |",
        f"| journal records stored and acked | — | {rate:,.0f} records/s | — |",
        "",
        "runs: " + "; ".join(
            f"{r['journal']['acked']:,} acked, {r['stored']:,} stored in "
            f"{r['seconds']:.0f} s ({r['records_per_s']:,.0f}/s), controller CPU "
            f"{r['controller_cpu_s']:.0f} s, refused batches {r['journal']['refused']}, "
            f"errors {r['journal']['errors']}, findings {r['journal']['findings']}, "
            f"load still running after the pushes: {r['load_still_running_after_pushes']}"
            for r in runs),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.journal_ingest",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 players × 300, 2 runs")
    parser.add_argument("--full", action="store_true",
                        help=f"a day's backlog: {DAY_OF_RECORDS:,} records per player")
    parser.add_argument("--players", type=int)
    parser.add_argument("--records", type=int, help="backlog per player")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--rounds", type=int, default=5, help="changes per phase")
    parser.add_argument("--mode", default="gevent", choices=["gevent", "threading"])
    parser.add_argument("--out", type=Path, help="all runs as JSON")
    args = parser.parse_args(argv)
    players = args.players or (100 if args.quick else 500)
    records = args.records or (300 if args.quick else DAY_OF_RECORDS if args.full else 864)
    runs_wanted = args.runs or (2 if args.quick else 1 if args.full else 3)
    rounds = 3 if args.quick and args.rounds == 5 else args.rounds
    runs = []
    with tempfile.TemporaryDirectory(prefix="pano-journal-bench-") as tmp:
        for n in range(runs_wanted):
            print(f"# run {n + 1}/{runs_wanted}: {players} players × {records:,} records",
                  file=sys.stderr, flush=True)
            runs.append(one_run(Path(tmp) / f"run-{n}", players, records, rounds,
                                args.mode))
    print(table(runs, players, records))
    out = args.out or Path(__file__).parent / "results" / \
        f"journal-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"players": players, "records": records, "runs": runs},
                              indent=1))
    ok = all(r["journal"]["acked"] == r["stored"] == players * records
             and r["journal"]["errors"] == 0 for r in runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
