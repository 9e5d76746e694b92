"""Timelines pushed as the JSON text the rebuild made (controller/timeline/encoded_push.py)
reach every player of each screen, each with its own screen's stored body and version;
with a message queue's manager the body is emitted as before."""

from __future__ import annotations

import json

import socketio
from sqlalchemy import select
from web.helpers import DEADLINE, WELCOME_SCREENS

from controller.edge.room_index import IndexedManager, indexed_manager_class
from controller.jobs.renders import WAIT
from controller.models import ScreenTimeline
from controller.timeline.encoded_push import EncodedPush, event_packet

SCREENS = WELCOME_SCREENS[:2]


def _stored(fleet):
    with fleet.sessions() as session:
        return dict(session.execute(select(ScreenTimeline.screen_id,
                                           ScreenTimeline.body)).all())


def test_each_player_gets_its_own_screens_stored_body_as_pushed_text(players, fleet, server,
                                                                    tmp_path):
    pushed: list[str] = []
    publisher = server.app.extensions["pano"].publisher
    sender = publisher.push_text
    assert isinstance(sender, EncodedPush)

    def counting(namespace: str, room: str, text: str) -> bool:
        sent = sender(namespace, room, text)
        if sent:
            pushed.append(room)
        return sent

    publisher.push_text = counting
    try:
        # Two players of the first screen (each connection gets the push) and one of the
        # second: the same change, different bodies and versions per screen.
        first = [players().connect(SCREENS[0], fleet.tokens[SCREENS[0]]) for _ in range(2)]
        second = players().connect(SCREENS[1], fleet.tokens[SCREENS[1]])
        for player in [*first, second]:
            player.next_timeline()
        fleet.edit_playlist(tmp_path / "edit", "welcome-hue", "citadel", "The Citadel, again")
        # A changed text waits for its new slide from the job worker (WAIT at most).
        got = {id(p): p.next_timeline(timeout=WAIT + DEADLINE) for p in [*first, second]}
    finally:
        publisher.push_text = sender
    stored = _stored(fleet)
    for player in first:
        assert got[id(player)] == stored[SCREENS[0]]
    assert got[id(second)] == stored[SCREENS[1]]
    assert got[id(first[0])]["screen"] == SCREENS[0] and got[id(second)]["screen"] == SCREENS[1]
    assert {f"screen:{s}" for s in SCREENS} <= set(pushed)  # the text path, not emit


def test_the_packet_is_what_python_socketio_would_send():
    body = {"screen": "s", "version": 3, "title": "Huế", "items": [1, 2.5, None, True]}
    mine = event_packet("/player", "timeline", json.dumps(body, ensure_ascii=False))
    theirs = socketio.packet.Packet(socketio.packet.EVENT, namespace="/player",
                                    data=["timeline", body]).encode()
    assert json.loads(mine[len("2/player,"):]) == json.loads(theirs[len("2/player,"):])
    assert mine.startswith("2/player,[") and theirs.startswith("2/player,[")


def test_a_message_queue_manager_is_left_to_emit():
    class QueueManager(socketio.PubSubManager):  # stands for Redis's or Kombu's
        pass

    server = socketio.Server(client_manager=QueueManager())
    assert EncodedPush(server)("/player", "screen:x", "{}") is False
    queue_indexed = indexed_manager_class(socketio.RedisManager)(
        "redis://127.0.0.1:1/0", write_only=True)  # never connects: nothing is emitted
    assert EncodedPush(socketio.Server(client_manager=queue_indexed))(
        "/player", "screen:x", "{}") is False
    # In-memory managers, python-socketio's and the indexed one the controller uses.
    assert EncodedPush(socketio.Server())("/player", "screen:x", "{}") is True
    assert EncodedPush(socketio.Server(client_manager=IndexedManager()))(
        "/player", "screen:x", "{}") is True


def test_the_screens_with_a_socket_here_are_named_for_the_publisher():
    for manager in (socketio.Manager(), IndexedManager()):
        server = socketio.Server(client_manager=manager)
        manager.set_server(server)
        manager.initialize()
        for eio_sid, screen in (("e1", "a"), ("e2", "b"), ("e3", "b")):
            sid = manager.connect(eio_sid, "/player")
            manager.enter_room(sid, "/player", f"screen:{screen}")
        gone = manager.connect("e4", "/player")
        manager.enter_room(gone, "/player", "screen:c")
        manager.disconnect(gone, "/player")
        assert EncodedPush(server).connected_screens("/player") == {"a", "b"}
        assert EncodedPush(server).connected_screens("/panel") == set()
    queue = socketio.Server(client_manager=indexed_manager_class(socketio.RedisManager)(
        "redis://127.0.0.1:1/0", write_only=True))
    assert EncodedPush(queue).connected_screens("/player") is None  # others hold sockets
