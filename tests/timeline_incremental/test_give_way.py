"""How a rebuild pauses for the sockets under gevent (controller/timeline/give_way.py):
an ack's answer takes several steps on the loop, each waking the next greenlet; a pause
lets every such chain finish (``time.sleep(0)`` advanced each by one step, so the acks
of the batches pushed were answered only after the whole rebuild), and a loop that is
never idle cannot hold the rebuild beyond the pause's limit, nor longer than the rebuild
worked since its last pause (it keeps at least half of a busy loop's time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from controller.timeline.give_way import FLOOR, LIMIT, pause_length

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import json, sys
import gevent
from gevent.event import Event
from controller.timeline.give_way import sleep_zero, until_idle

pause = until_idle(0.05) if sys.argv[1] == "until_idle" else sleep_zero

# An ack's way through the loop: read -> Engine.IO -> Socket.IO -> written, each step a
# greenlet woken by the one before.
steps = [Event() for _ in range(5)]
answered = []

def step(n):
    steps[n].wait()
    if n + 1 < len(steps):
        steps[n + 1].set()
    else:
        answered.append(True)

for n in range(len(steps)):
    gevent.spawn(step, n)
gevent.sleep(0)  # every step waits
steps[0].set()  # the ack arrives
pause()
chain = bool(answered)

# A loop that always has something to run: the pause still ends.
spins = [0]
def busy():
    while True:
        spins[0] += 1
        gevent.sleep(0)
gevent.spawn(busy)
gevent.sleep(0)
pause()
print(json.dumps({"answered_in_one_pause": chain, "busy_ran": spins[0]}))
"""


def _run(kind: str) -> dict:
    out = subprocess.run([sys.executable, "-c", SCRIPT, kind], cwd=REPO, capture_output=True,
                         text=True, check=True, timeout=60)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_pause_lets_an_acks_whole_way_through_the_loop_finish() -> None:
    assert _run("until_idle")["answered_in_one_pause"] is True
    assert _run("sleep_zero")["answered_in_one_pause"] is False  # one step per pause


def test_a_loop_that_is_never_idle_does_not_hold_the_rebuild() -> None:
    # It returns (the subprocess would time out otherwise), having let the loop run.
    assert _run("until_idle")["busy_ran"] > 1


def test_a_pause_is_no_longer_than_the_work_before_it_within_its_bounds() -> None:
    assert pause_length(0.010) == 0.010  # a busy loop: half the time each
    assert pause_length(0.0) == FLOOR  # right after another pause: a few steps still
    assert pause_length(5.0) == LIMIT  # after a long stretch (another rebuild): capped
    assert FLOOR < LIMIT
