"""The bench reads a server's CPU time from its CPU clock, to the nanosecond, not in the
10 ms ticks of /proc/<pid>/stat (bench/cpu_clock.py): a real child process that has
burnt some CPU and then sleeps reads about the same time both ways (the ticks are
sampled: a few of them apart on a busy machine), and the clock's reading is not a whole
number of ticks."""

from __future__ import annotations

import subprocess
import sys

from bench import cpu_clock, procs

BURN_THEN_SLEEP = """
import sys, time
x = 0
for i in range(2_000_000):
    x += i
print("burnt", flush=True)
time.sleep(30)
"""


def test_a_processes_cpu_clock_agrees_with_its_ticks_and_is_finer():
    child = subprocess.Popen([sys.executable, "-c", BURN_THEN_SLEEP], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "burnt"
        ticks_before = procs.tick_seconds(child.pid)
        precise = cpu_clock.seconds(child.pid)
        ticks_after = procs.tick_seconds(child.pid)
        assert precise is not None, "the CPU clock of a child process can be read on Linux"
        # The ticks are sampled (a busy machine read 0.15 s against the clock's 0.166):
        # the same time, give or take a sampling error, not another unit or process.
        slack = 0.02 + 0.3 * ticks_after
        assert ticks_before - slack <= precise <= ticks_after + slack, (
            ticks_before, precise, ticks_after)
        assert precise > 0.05, precise  # two million additions: tens of milliseconds
        assert round(precise * 1e9) % 10_000_000 != 0, "a whole number of ticks"
        assert procs.cpu_seconds(child.pid) >= precise
    finally:
        child.kill()
        child.wait()


def test_a_process_that_is_gone_has_no_clock():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert cpu_clock.seconds(child.pid) is None
