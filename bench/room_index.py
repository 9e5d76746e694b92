"""`python -m bench.room_index` — what one client's disconnect costs the Socket.IO
manager, python-socketio's own against the controller's indexed one
(controller/edge/room_index.py), in the same run.

    python -m bench.room_index                    # fleets of 50 and 500 players
    python -m bench.room_index --players 50,500,2500 --runs 7

Each fleet is laid out as the controller lays out its players: every player in its own
sid room, its screen's room and its site's room (sites of 100), so a namespace of N
players holds about 2N + N/100 rooms. Two figures per manager and fleet, medians of
``--runs``:

- **one disconnect**: a player's ``pre_disconnect`` + ``disconnect`` (what
  python-socketio does when a socket closes), then the same player back (not timed);
  the median of 200 such disconnects a run;
- **the whole fleet**: every player disconnected one after the other (a stop, or a
  fleet dropping at once), in ms.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import socketio

from controller.edge.room_index import IndexedManager

NS = "/player"
SAMPLES = 200  # disconnects timed per run


def _fleet(make: Callable[[], socketio.Manager], players: int) -> tuple[socketio.Manager,
                                                                         list[str]]:
    manager = make()
    socketio.Server(client_manager=manager)
    sids = [_join(manager, i) for i in range(players)]
    return manager, sids


def _join(manager: socketio.Manager, i: int) -> str:
    sid = manager.pre_connect(f"eio-{i}-{time.monotonic_ns()}", NS)
    manager.connect(sid, NS)
    manager.enter_room(sid, NS, f"screen:{i}")
    manager.enter_room(sid, NS, f"site:{i // 100}")
    return sid


def _leave(manager: socketio.Manager, sid: str) -> None:
    manager.pre_disconnect(sid, NS)
    manager.disconnect(sid, NS)


def one_disconnect_us(make: Callable[[], socketio.Manager], players: int) -> float:
    """Median µs of one player's disconnect in a fleet of ``players``."""
    manager, sids = _fleet(make, players)
    times = []
    for k in range(SAMPLES):
        i = (k * 7919) % players
        t0 = time.perf_counter()
        _leave(manager, sids[i])
        times.append(time.perf_counter() - t0)
        sids[i] = _join(manager, i)
    return statistics.median(times) * 1e6


def whole_fleet_ms(make: Callable[[], socketio.Manager], players: int) -> float:
    """ms to disconnect every player of a fleet of ``players``, one after the other."""
    manager, sids = _fleet(make, players)
    t0 = time.perf_counter()
    for sid in sids:
        _leave(manager, sid)
    return (time.perf_counter() - t0) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.room_index",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--players", default="50,500",
                        help="comma-separated fleet sizes (default 50,500)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.players.split(",")]
    except ValueError:
        parser.error(f"--players: not a list of numbers: {args.players!r}")
    if any(n < 1 for n in sizes) or args.runs < 1:
        parser.error("--players and --runs must be positive")
    managers: dict[str, Callable[[], socketio.Manager]] = {
        "python-socketio": socketio.Manager, "indexed": IndexedManager}
    print("| players | rooms | manager | one disconnect, µs | whole fleet, ms |")
    print("|---:|---:|---|---:|---:|")
    for players in sizes:
        rooms = len(_fleet(IndexedManager, players)[0].rooms[NS]) - 1  # not the None room
        ones: dict[str, list[float]] = {name: [] for name in managers}
        wholes: dict[str, list[float]] = {name: [] for name in managers}
        for _run in range(args.runs):  # interleaved: both managers see the same machine
            for name, make in managers.items():
                ones[name].append(one_disconnect_us(make, players))
                wholes[name].append(whole_fleet_ms(make, players))
        figures = {name: (statistics.median(ones[name]), statistics.median(wholes[name]))
                   for name in managers}
        stock = figures["python-socketio"]
        for name, (one, whole) in figures.items():
            note = "" if name == "python-socketio" else \
                f" ({stock[0] / one:.0f}× / {stock[1] / whole:.0f}× quicker)"
            print(f"| {players} | {rooms} | {name}{note} | {one:.1f} | {whole:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
