"""A player's events are handled in its socket's reader, one after the other, not each
in a greenlet (or thread) of its own (controller/app.py, ``async_handlers=False``: one
spawn less per ack, docs/performance.md): the answers come back in the order the events
were sent, and a refused event does not hold up the next."""

from __future__ import annotations

import threading

from web.helpers import DEADLINE, WELCOME_SCREENS, Player


def test_events_are_answered_in_order_from_the_sockets_reader(server, fleet):
    assert server.socketio.server.async_handlers is False
    screen = WELCOME_SCREENS[0]
    player = Player(server.url).connect(screen, fleet.tokens[screen])
    try:
        version = player.next_timeline()["version"]
        answers: list[tuple[str, object]] = []
        all_in = threading.Event()
        sent = [("time", {}), ("ack", {"version": "x"}), ("ack", {"version": version,
                                                                   "missing": []}),
                ("time", {}), ("heartbeat", {"uptime": 1.0})]

        def answer(name: str):
            def got(reply: object) -> None:
                answers.append((name, reply))
                if len(answers) == len(sent):
                    all_in.set()
            return got

        for name, data in sent:
            player.client.emit(name, data, namespace="/player", callback=answer(name))
        assert all_in.wait(DEADLINE)
        assert [name for name, _ in answers] == [name for name, _ in sent]
        replies = [reply for _, reply in answers]
        assert replies[1]["ok"] is False  # the malformed ack is refused ...
        assert replies[0]["ok"] and replies[2] == {"ok": True} and replies[3]["ok"]
        assert replies[4] == {"ok": True}  # ... and the events after it answered
    finally:
        player.close()
