"""The bench's pure parts: the push-costs table's ratios to the baseline, who set the
pace, and the profile summary. The end-to-end run is test_bench_smoke.py."""

from __future__ import annotations

import os

from bench.profiling import summarize
from bench.push_costs import table
from bench.stats import Phase
from bench.usage import limit_note


def _phase(system: str, first: float, cpu: float, **info: object) -> Phase:
    phase = Phase(system, 500)
    phase.add_round(0.0, [first / 1000 * 2], [first / 1000], 1)
    phase.info.update(server_cpu_ms_per_change_net=cpu, rss_per_conn_kib=40.0,
                      storm={"last_back_s": 12.5, "errors": 0}, **info)
    return phase


def test_push_costs_table_gives_each_figure_and_its_ratio_to_the_baseline():
    pano = _phase("pano-gevent", first=40.0, cpu=90.0,
                  tenth={"median": {"first": 20.0, "p50": 30.0}})
    base = _phase("baseline", first=10.0, cpu=30.0,
                  tenth={"median": {"first": 5.0, "p50": 6.0}})
    rows = table([pano, base]).splitlines()
    pano_row = next(r for r in rows if "pano-gevent" in r)
    base_row = next(r for r in rows if "| baseline |" in r)
    assert "40 ms (4.0×)" in pano_row  # first push, every screen
    assert "20 ms (4.0×)" in pano_row  # first push, every tenth screen
    assert "90 ms (3.0×)" in pano_row  # CPU per change
    assert "12.5 s (1.0×)" in pano_row
    assert base_row.startswith("| 500 | baseline | 10 ms | 5 ms |") and "×" not in base_row
    assert pano_row.endswith("| server |")


def test_pace_is_the_clients_or_the_machine_only_when_saturated():
    assert limit_note({"client_core_max": 0.5, "machine_busy": 0.6}, 2) == ""
    client = limit_note({"client_core_max": 0.97, "machine_busy": 0.5}, 2)
    assert "client process used 97% of a core" in client and "--procs" in client
    machine = limit_note({"client_core_max": 0.4, "machine_busy": 0.95,
                          "server_cores": 1.1, "clients_cores": 0.8}, 4)
    assert "machine was 95% busy" in machine and "server 1.10 cores" in machine


def test_profile_summary_counts_functions_once_per_stack_and_merges_lines(tmp_path):
    raw = tmp_path / "p.txt"
    raw.write_text(
        "run (a.py:1);rebuild (b.py:10);build (b.py:20) 6\n"
        "run (a.py:1);rebuild (b.py:11);rebuild (b.py:12) 2\n"
        "run (a.py:2);ack (c.py:5) 2\n"
        "garbage line\n")
    summary = summarize(raw)
    assert summary["samples"] == 10
    inclusive = dict(summary["inclusive"])
    assert inclusive["run (a.py)"] == 1.0
    assert inclusive["rebuild (b.py)"] == 0.8  # recursion counted once per stack
    assert dict(summary["self"]) == {"build (b.py)": 0.6, "rebuild (b.py)": 0.2,
                                     "ack (c.py)": 0.2}


def test_pace_note_says_when_processes_outside_the_bench_took_the_cpu():
    note = limit_note({"machine_busy": 1.0, "server_cores": 0.4, "clients_cores": 0.1,
                       "other_cores": 1.5}, 2)
    assert "other processes 1.50" in note and "disturbed" in note
    assert "disturbed" not in limit_note({"other_cores": 0.2}, 2)


def test_the_changes_own_import_in_the_bench_process_is_not_another_processs_cpu():
    from bench.usage import Snapshot, Usage

    cores = os.cpu_count() or 1
    usage = Usage()
    # One second of round: the server used 0.5 core, the clients 0.3, the bench's own
    # import of the change 0.6, and nothing else ran (1.4 cores of the machine busy).
    before = Snapshot(at=0.0, server=0.0, clients=[0.0], busy=0.0, total=0.0, bench=0.0)
    end = Snapshot(at=1.0, server=0.5, clients=[0.3], busy=1.4 / cores, total=1.0,
                   bench=0.6)
    usage.add(before, end, end)
    info = usage.summary()
    assert abs(info["bench_cores"] - 0.6) < 1e-9
    assert abs(info["other_cores"]) < 1e-9
    assert "disturbed" not in limit_note(info, 2)


def test_the_idle_rate_is_the_quietest_window(monkeypatch):
    from bench import usage

    clock = {"t": 0.0}
    cpu = iter([0.0, 1.3, 1.3, 1.44, 1.44, 1.9])  # windows of 2 s: 0.65, 0.07, 0.23 /s
    monkeypatch.setattr(usage.procs, "tree_cpu", lambda _pid: next(cpu))
    monkeypatch.setattr(usage.time, "monotonic", lambda: clock["t"])
    monkeypatch.setattr(usage.time, "sleep", lambda s: clock.update(t=clock["t"] + s))
    assert abs(usage.idle_rate(1234) - 0.07) < 1e-9
