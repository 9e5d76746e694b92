"""`python -m bench.event_cost` — the controller's CPU per player event: one WebSocket
frame read, the Socket.IO event dispatched to its handler and its answer written, what
every ack of every change costs (issue 14's "answering acks").

    python -m bench.event_cost                       # 300 players, 3 rounds
    python -m bench.event_cost --players 500 --compare ../pano-before

A real gevent controller (`pano-controller serve`, the push bench's database), N real
python-socketio clients in this process. Each round every client sends 5 `time` events
one after the other (within the event's budget), all clients at once; the controller
process tree's CPU time over the round, less its idle rate times the round's length, is
divided by the events answered. ``--compare DIR`` runs another checkout's controller on
the same database, rounds interleaved. Prints the median of the rounds, in µs per event.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

import socketio

from bench import procs
from bench.pano_system import PanoSystem
from bench.startup import compare_args, interleaved, launch_from, print_table

EVENTS_PER_CLIENT = 5  # the `time` budget's burst is 6
IDLE_SECONDS = 2.0


async def _connect(url: str, creds: list[dict[str, Any]]) -> list[socketio.AsyncClient]:
    clients = []
    for start in range(0, len(creds), 25):  # 25 at a time, as the push bench's swarm
        batch = []
        for cred in creds[start:start + 25]:
            sio = socketio.AsyncClient(reconnection=False)
            batch.append(sio.connect(url, namespaces=["/player"], transports=["websocket"],
                                     auth={"screen": cred["screen"], "token": cred["token"]},
                                     wait_timeout=30))
            clients.append(sio)
        await asyncio.gather(*batch)
    return clients


async def _round(clients: list[socketio.AsyncClient]) -> int:
    async def one(sio: socketio.AsyncClient) -> int:
        answered = 0
        for _ in range(EVENTS_PER_CLIENT):
            reply = await sio.call("time", {}, namespace="/player", timeout=30)
            answered += bool(isinstance(reply, dict) and reply.get("ok"))
        return answered

    return sum(await asyncio.gather(*(one(c) for c in clients)))


async def measure(system: PanoSystem, code: Path, rounds: int) -> list[float]:
    """µs of controller CPU per answered event, one figure per round."""
    proc = launch_from(system, code)
    clients: list[socketio.AsyncClient] = []
    try:
        clients = await _connect(f"http://127.0.0.1:{system.port}", system.creds_parts)
        await asyncio.sleep(3)  # greetings sent and acked
        cpu0, t0 = procs.tree_cpu(proc.pid), time.monotonic()
        await asyncio.sleep(IDLE_SECONDS)
        idle_rate = (procs.tree_cpu(proc.pid) - cpu0) / (time.monotonic() - t0)
        figures = []
        for _ in range(rounds):
            await asyncio.sleep(1.2)  # the budget's bucket refills
            cpu0, t0 = procs.tree_cpu(proc.pid), time.monotonic()
            answered = await _round(clients)
            await asyncio.sleep(0.2)
            used = procs.tree_cpu(proc.pid) - cpu0 - idle_rate * (time.monotonic() - t0)
            figures.append(used / max(answered, 1) * 1e6)
        return figures
    finally:
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
        procs.stop(proc, grace=10)


def main(argv: list[str] | None = None) -> int:
    args, codes = compare_args("python -m bench.event_cost", __doc__, argv,
                               ("players", 300), ("rounds", 3))
    figures = interleaved(codes, args.players, 2,  # two passes of --rounds each
                          lambda system, code: asyncio.run(measure(system, code, args.rounds)))
    print_table(["code", "players", "events a round", "controller CPU per event, µs (median)",
                 "rounds"],
                [[name, str(args.players), str(args.players * EVENTS_PER_CLIENT),
                  f"{statistics.median(values):.0f}", str(len(values))]
                 for name, values in figures.items()])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
