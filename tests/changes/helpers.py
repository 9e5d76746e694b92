"""Helpers for the change-feed tests: a watcher running in a thread, a publisher whose
rebuilds can be held at a gate, and a bump made by another process."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from web.helpers import wait_for

from controller import changes
from controller.changes import Scope
from controller.timeline.publisher import TimelinePublisher
from controller.timeline.watcher import ChangeWatcher

REPO = Path(__file__).resolve().parents[2]
POLL = 30.0  # the safety-net poll of these tests: anything sooner was woken
SOON = 10.0  # generous for a loaded machine, and well before the poll


class GatedPublisher(TimelinePublisher):
    """The real publisher, counting ``rebuild_for`` calls and the scopes they got; while
    ``gate`` is clear a call waits at it (a rebuild in progress)."""

    def __init__(self) -> None:
        super().__init__(None, 15.0)
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.calls: list[list[Scope]] = []

    def rebuild_for(self, session: Session, scopes: Iterable[Scope]) -> list[str]:
        self.calls.append(list(scopes))
        self.entered.set()
        assert self.gate.wait(60), "the test never opened the gate"
        return super().rebuild_for(session, self.calls[-1])


@contextmanager
def running(watcher: ChangeWatcher) -> Iterator[ChangeWatcher]:
    """``watcher.run()`` in a thread, after its first check; stopped at the end."""
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: watcher.checks >= 1 and watcher.last_seen is not None,
                 SOON, "the watcher's first check")
        yield watcher
    finally:
        watcher.stop()
        thread.join(10)
        assert not thread.is_alive(), "the watcher did not stop"


def latest(sessions: Any) -> int:
    with sessions() as session:
        return changes.latest_id(session)


_BUMP = """
import sys
from controller import changes
from controller.db import make_engine, make_session_factory
url, redis_url, channel, kind, key = sys.argv[1:6]
if redis_url:
    from controller.changes_notify.redis_pubsub import use_redis
    use_redis(redis_url, channel)
engine = make_engine(url)
with make_session_factory(engine)() as session:
    changes.bump(session, changes.Scope(kind, key))
    session.commit()
    print(changes.latest_id(session))
engine.dispose()
"""


def bump_elsewhere(db_url: str, scope: Scope, redis_url: str = "",
                   channel: str = "pano") -> int:
    """A bump committed by another process (as the CLI or another controller would);
    returns its change-log id."""
    done = subprocess.run([sys.executable, "-c", _BUMP, db_url, redis_url, channel,
                           scope.kind, scope.key], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip().splitlines()[-1])
