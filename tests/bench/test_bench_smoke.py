"""`python -m bench` end to end at its smallest: 5 players, 1 change of every screen and 1
of every tenth screen, and a reconnect storm, against a real gevent controller (SQLite)
and the plain `websockets` baseline, each with real clients in another process; and,
apart (the two run side by side under xdist), the controller's socket stack alone
(`stack`, the floor of Pano's figures). No
timing is asserted: that every client got every change it should, and only those, that
every client came back after the restart, and that the results file keeps its format
(per phase: system, size, median p50/p95/max/first)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_smallest_bench_runs_end_to_end(tmp_path):
    run, results = _run(tmp_path, "gevent,baseline")
    assert results["meta"]["sizes"] == [5]
    assert results["meta"]["commit"], "the measured commit is recorded"
    print(run.stdout)
    phases = {p["system"]: p for p in results["phases"]}
    assert set(phases) == {"pano-gevent", "baseline"}
    for system, phase in phases.items():
        _every_change_reached_every_client_and_all_came_back(system, phase)
    assert "first push, 10 %" in run.stdout, run.stdout
    assert "reconnect storm: 5 of 5 back" in run.stdout, run.stdout


def _run(tmp_path, systems: str) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--sizes", "5", "--rounds", "1",
         "--systems", systems, "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr[-4000:]}"
    return run, json.loads(out.read_text())


def _every_change_reached_every_client_and_all_came_back(system: str, phase: dict) -> None:
    assert phase["size"] == 5
    for key in ("p50", "p95", "max", "first"):
        assert math.isfinite(phase["median"][key]), (system, key, phase["median"])
    assert [r["missing"] for r in phase["rounds"]] == [0], (system, phase["rounds"])
    info = phase["info"]
    assert math.isfinite(info["server_cpu_ms_per_change_net"]), (system, info)
    assert math.isfinite(info["rss_per_conn_kib"]), (system, info)
    tenth = info["tenth"]
    assert [r["missing"] for r in tenth["rounds"]] == [0], (system, tenth)
    assert math.isfinite(tenth["median"]["first"]), (system, tenth)
    assert tenth["others_received"] == [0], f"{system} pushed to untouched screens"
    storm = info["storm"]
    assert (storm["back"], storm["lost"], storm["errors"]) == (5, 0, 0), (system, storm)
    assert storm["last_back_s"] > 0, (system, storm)


def test_the_socket_stack_alone_runs_end_to_end(tmp_path):
    run, results = _run(tmp_path, "stack")
    phases = {p["system"]: p for p in results["phases"]}
    assert set(phases) == {"stack"}
    _every_change_reached_every_client_and_all_came_back("stack", phases["stack"])
    assert "stack" in run.stdout and "reconnect storm: 5 of 5 back" in run.stdout, run.stdout
