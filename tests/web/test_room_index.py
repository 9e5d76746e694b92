"""Socket.IO managers with each client's rooms indexed (controller/edge/room_index.py):
they keep the same room table as python-socketio's own for any sequence of joins,
leaves, closes and disconnects; with real players, a disconnect leaves every room,
pushes to a room still reach exactly its sockets, and a reconnect storm converges."""

from __future__ import annotations

import random
import threading

import pytest
import socketio
from web.helpers import DEADLINE, WELCOME_SCREENS, Player, wait_for

from controller.edge.room_index import (
    IndexedManager,
    client_manager,
    indexed_manager_class,
)
from controller.jobs.renders import WAIT

NS = "/player"


def _pair() -> tuple[socketio.Manager, socketio.Manager]:
    """A stock and an indexed manager, each set on its own (unstarted) server."""
    stock, indexed = socketio.Manager(), IndexedManager()
    socketio.Server(client_manager=stock)
    socketio.Server(client_manager=indexed)
    return stock, indexed


def _index_from_table(manager: socketio.Manager) -> dict[tuple[str, str], set]:
    """What the index must hold, found the slow way from python-socketio's table."""
    found: dict[tuple[str, str], set] = {}
    for namespace, rooms in manager.rooms.items():
        for room, members in rooms.items():
            for sid in members:
                found.setdefault((namespace, sid), set()).add(room)
    return found


def test_any_sequence_leaves_the_same_rooms_as_python_socketios_manager():
    rnd = random.Random(14)
    stock, indexed = _pair()
    to_b: dict[str, str] = {}  # stock sid -> indexed sid (each manager makes its own)
    live: list[tuple[str, str, str]] = []  # (namespace, stock sid, indexed sid)
    rooms = [f"screen:{i}" for i in range(6)] + ["site:a", "site:b"]
    for step in range(3000):
        op = rnd.random()
        if op < 0.25 or not live:
            namespace = rnd.choice([NS, "/panel"])
            eio_sid = f"e{step}"
            a, b = stock.pre_connect(eio_sid, namespace), indexed.pre_connect(eio_sid, namespace)
            stock.connect(a, namespace)
            indexed.connect(b, namespace)
            live.append((namespace, a, b))
            to_b[a] = b
        elif op < 0.55:
            namespace, a, b = rnd.choice(live)
            room = rnd.choice(rooms)
            stock.enter_room(a, namespace, room)
            indexed.enter_room(b, namespace, room)
        elif op < 0.75:
            namespace, a, b = rnd.choice(live)
            room = rnd.choice(rooms)
            stock.leave_room(a, namespace, room)
            indexed.leave_room(b, namespace, room)
        elif op < 0.78:
            namespace, room = rnd.choice([NS, "/panel"]), rnd.choice(rooms)
            stock.close_room(room, namespace)
            indexed.close_room(room, namespace)
        else:
            namespace, a, b = live.pop(rnd.randrange(len(live)))
            stock.pre_disconnect(a, namespace)
            indexed.pre_disconnect(b, namespace)
            stock.disconnect(a, namespace)
            indexed.disconnect(b, namespace)
        for namespace, a, b in live:
            want = {b if r == a else r for r in stock.get_rooms(a, namespace)}
            assert set(indexed.get_rooms(b, namespace)) == want
    # The same table, each stock sid read as its indexed twin.
    renamed = {ns: {to_b.get(room, room): {to_b[s] for s in members}
                    for room, members in table.items()}
               for ns, table in stock.rooms.items()}
    assert {ns: {room: set(members) for room, members in table.items()}
            for ns, table in indexed.rooms.items()} == renamed
    assert {k: set(v) for k, v in indexed.rooms_of.items()} == _index_from_table(indexed)
    assert stock.pending_connect == {} and indexed.pending_connect == {}
    assert stock.pending_disconnect == {} and indexed.pending_disconnect == {}


def test_a_disconnect_leaves_the_other_clients_rooms_and_index_alone():
    _stock, manager = _pair()
    first, second = manager.pre_connect("e1", NS), manager.pre_connect("e2", NS)
    for sid in (first, second):
        manager.connect(sid, NS)
        manager.enter_room(sid, NS, "screen:a")
    manager.enter_room(first, NS, "site:x")
    assert manager.get_rooms(first, NS) == [first, "screen:a", "site:x"]  # entry order
    manager.pre_disconnect(first, NS)
    manager.disconnect(first, NS)
    assert manager.get_rooms(first, NS) == []
    assert (NS, first) not in manager.rooms_of
    assert "site:x" not in manager.rooms[NS] and first not in manager.rooms[NS]
    assert dict(manager.get_participants(NS, "screen:a")) == {second: "e2"}
    assert manager.get_rooms(second, NS) == [second, "screen:a"]


def test_a_message_queue_manager_class_gets_the_index_and_bad_classes_are_refused():
    redis_class = indexed_manager_class(socketio.RedisManager)
    assert issubclass(redis_class, socketio.RedisManager)
    assert redis_class.basic_disconnect is IndexedManager.basic_disconnect
    queue = client_manager("redis://127.0.0.1:1/0", "pano")  # connects only when used
    assert isinstance(queue, socketio.RedisManager) and hasattr(queue, "rooms_of")
    assert type(client_manager("", "pano")) is IndexedManager
    assert client_manager("amqp://127.0.0.1//", "pano") is None  # Flask-SocketIO's stock
    with pytest.raises(TypeError, match="not a python-socketio manager class"):
        indexed_manager_class(dict)  # type: ignore[arg-type]


# -- with the real controller and real players -------------------------------------------

def _consistent(manager: IndexedManager) -> None:
    assert {k: set(v) for k, v in manager.rooms_of.items()} == _index_from_table(manager)


def test_players_rooms_through_disconnects_pushes_and_a_reconnect_storm(server, fleet,
                                                                        tmp_path):
    manager = server.socketio.server.manager
    assert isinstance(manager, IndexedManager)
    screen_a, screen_b = WELCOME_SCREENS[:2]
    made: list[Player] = []

    def player(screen: str) -> Player:
        made.append(Player(server.url).connect(screen, fleet.tokens[screen]))
        made[-1].next_timeline()
        return made[-1]

    try:
        a1, a2, b1 = player(screen_a), player(screen_a), player(screen_b)
        sid_a1 = a1.client.get_sid(NS)
        assert f"screen:{screen_a}" in manager.get_rooms(sid_a1, NS)
        _consistent(manager)

        a1.client.disconnect()
        wait_for(lambda: (NS, sid_a1) not in manager.rooms_of)
        assert all(sid_a1 not in members for members in manager.rooms[NS].values())
        _consistent(manager)

        # A push to screen A's room reaches its remaining player; screen B's player is
        # pushed to as well only because the edited playlist shows there too.
        fleet.edit_playlist(tmp_path / "edit", "welcome-hue", "citadel", "The Citadel, anew")
        # A changed text waits for its new slide from the job worker (WAIT at most).
        assert a2.next_timeline(timeout=WAIT + DEADLINE)["screen"] == screen_a
        assert b1.next_timeline(timeout=WAIT + DEADLINE)["screen"] == screen_b
        assert a1.timelines.empty()
        server.socketio.emit("timeline", {"screen": "only-a"}, to=f"screen:{screen_a}",
                             namespace=NS)
        assert a2.next_timeline() == {"screen": "only-a"}
        assert b1.timelines.empty()

        # Everybody drops and comes back at once, twice: the table and the index agree,
        # every player holds its screen's timeline, no room is left behind.
        for _round in range(2):
            for p in made:
                if p.client.connected:
                    p.client.disconnect()
            wait_for(lambda: not manager.rooms.get(NS))
            assert not any(ns == NS for ns, _sid in manager.rooms_of)
            screens = [WELCOME_SCREENS[i % 4] for i in range(24)]
            made.clear()
            threads = [threading.Thread(target=player, args=(s,)) for s in screens]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert len(made) == len(screens)
            assert len(manager.rooms[NS][None]) == len(screens)
            _consistent(manager)
            for p in made:
                sid = p.client.get_sid(NS)
                assert f"screen:{p.all_timelines[-1]['screen']}" in manager.get_rooms(sid, NS)
    finally:
        for p in made:
            p.close()


def test_the_micro_bench_prints_both_managers_and_refuses_bad_sizes(capsys):
    from bench.room_index import main

    assert main(["--players", "3,20", "--runs", "1"]) == 0
    rows = [r for r in capsys.readouterr().out.splitlines() if r.startswith("| 20 |")]
    assert len(rows) == 2 and "python-socketio" in rows[0] and "indexed" in rows[1]
    with pytest.raises(SystemExit):
        main(["--players", "ten"])
