"""The elected controller polls the declared sources by itself: a real controller
server with its scheduler, a real feed server, no call from the test."""

from __future__ import annotations

import time

from controller.models import DataSourceState
from controller.server import ControllerServer


def test_the_leader_polls_and_stops_polling_when_it_stops(db, feeds):
    db.declare({"id": "arrivals", "kind": "json", "url": feeds.url("/board.json"),
                "records": "arrivals"})
    server = ControllerServer(db.settings, scheduler=True).start()
    try:
        assert server.leading and server.sources is not None
        deadline = time.monotonic() + 10
        status = None
        while time.monotonic() < deadline:
            with db.sessions() as session:
                status = session.get(DataSourceState, "arrivals").status
            if status == "ok":
                break
            time.sleep(0.05)
        assert status == "ok"
    finally:
        server.stop()
    assert server.sources is None  # the term's poller was stopped with the lease
