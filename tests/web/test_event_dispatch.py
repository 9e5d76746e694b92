"""A player's events are handled in its socket's reader, one after the other, not each
in a greenlet (or thread) of its own (controller/app.py, ``async_handlers=False``: one
spawn less per ack, docs/performance.md): the answers come back in the order the events
were sent, and a refused event does not hold up the next."""

from __future__ import annotations

import json

from support.rawws import TEXT, RawWebSocket
from web.helpers import WELCOME_SCREENS


def test_events_are_answered_in_order_from_the_sockets_reader(server, fleet):
    """Read on the wire, frame by frame: a client library may hand answers to its
    callbacks in threads of its own (python-engineio's client does), so the order its
    callbacks run in says nothing about the server's (this test failed that way once in
    a loaded run). These handlers are quick enough that threads of their own would
    still answer in order here (checked), so the first line is what notices a return
    to one thread or greenlet per event; the rest is the contract players see."""
    assert server.socketio.server.async_handlers is False
    screen = WELCOME_SCREENS[0]
    ws = RawWebSocket(server.port)
    try:
        assert ws.join_player(screen, fleet.tokens[screen]).startswith("40/player")
        pushed = ws.next_text('42/player,["timeline"')
        version = json.loads(pushed.removeprefix("42/player,"))[1]["version"]
        sent = [("timeline_request", {"screen": screen, "have_version": 0}),
                ("time", {}), ("ack", {"version": "x"}),
                ("ack", {"version": version, "missing": []}),
                ("time", {}), ("heartbeat", {"uptime": 1.0})]
        for number, (name, data) in enumerate(sent, start=1):  # all before any answer
            ws.send_text(f"42/player,{number}" + json.dumps([name, data]))
        answers: list[tuple[int, object]] = []
        while len(answers) < len(sent):
            frame = ws.next_frame()
            assert frame is not None, f"closed after {answers}"
            if frame.opcode == TEXT and frame.text.startswith("43/player,"):
                text = frame.text.removeprefix("43/player,")
                number, _, body = text.partition("[")
                answers.append((int(number), json.loads("[" + body)[0]))
        assert [number for number, _ in answers] == [1, 2, 3, 4, 5, 6]
        replies = [reply for _, reply in answers]
        assert replies[0]["timeline"]["version"] == version
        assert replies[2]["ok"] is False  # the malformed ack is refused ...
        assert replies[1]["ok"] and replies[3] == {"ok": True} and replies[4]["ok"]
        assert replies[5] == {"ok": True}  # ... and the events after it answered
    finally:
        ws.sock.close()
