"""A rebuild yields to the other greenlets every few bodies it builds
(controller/timeline/publisher.py, ``yield_every``), so that the players' acks of the
batches already pushed, and any other request, are answered while a large batch is
built: in a gevent process, a greenlet that only yields runs many times during one
rebuild, where it ran only between batches before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from controller.timeline.publisher import TimelinePublisher

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
from gevent import monkey
monkey.patch_all()
import json, sys
from datetime import UTC, datetime, timedelta
import gevent
from controller.db import make_engine, make_session_factory
from controller.timeline.publisher import TimelinePublisher

sessions = make_session_factory(make_engine(sys.argv[1]))
now = [datetime(2026, 11, 27, 3, 0, tzinfo=UTC)]
publisher = TimelinePublisher(None, 15, clock=lambda: now[0])
with sessions() as session:
    publisher.rebuild(session)
publisher.yield_every = int(sys.argv[2])
now[0] += timedelta(days=1)  # every timeline changes
ran, done = [], []

def other():  # another greenlet: an ack, a heartbeat, a request
    while not done:
        ran.append(publisher.screens_built)
        gevent.sleep(0)

gevent.spawn(other)
gevent.sleep(0)
with sessions() as session:
    ran.clear()
    changed = publisher.rebuild(session)
done.append(True)
print(json.dumps({"ran": len(ran), "built": len(changed)}))
"""


def _run(url: str, every: int) -> dict[str, int]:
    out = subprocess.run([sys.executable, "-c", SCRIPT, url, str(every)], cwd=REPO,
                         capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_other_greenlets_run_while_a_batch_is_built(fleet) -> None:  # noqa: ANN001
    sessions = fleet()
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    assert TimelinePublisher(None, 15).yield_every > 1
    every = _run(url, 4)
    never = _run(url, 10**6)  # no yield while building: as before
    assert every["built"] == never["built"] > 16
    assert never["ran"] == 0
    assert every["ran"] >= every["built"] // 4
