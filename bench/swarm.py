"""A swarm of benchmark clients in one asyncio process, driven by JSON lines on stdin:

    python -m bench.swarm --kind pano --url http://127.0.0.1:N --creds FILE
    python -m bench.swarm --kind ws --url ws://127.0.0.1:N/ --count 500 --first 0 --step 2

`pano` clients are real python-socketio AsyncClients (websocket transport, namespace
/player, screen credentials in `auth`) that ack every `timeline` with
{"version": v, "missing": []} and an acknowledgement callback; `ws` clients are plain
`websockets` clients that do the same over bare WebSocket messages (bench/swarm_clients.py).
Every client has an index in the whole fleet (`index` in the credentials; first + k·step
for `ws`), so a round can expect only the clients a change touches.

Commands (stdin): {"cmd": "arm", "timeout": s, "every": k} — start a round: wait until
every expected client (index a multiple of k; every client without "every") has received
a newer version than it holds now and has its ack answered, then print
{"event": "round", ...} with monotonic timestamps (CLOCK_MONOTONIC is shared by every
process on the machine) and how many other clients got a newer version anyway;
{"cmd": "storm", "timeout": s} — the server is about to restart: wait until every client
has reconnected (player.backoff's jittered waits) and holds a timeline at least as new as
now, then print {"event": "storm", ...}; {"cmd": "journal", "records": N} — every `pano`
client starts sending a journal backlog of N records (bench.journal_load) while rounds go on;
{"cmd": "journal_status"} — print {"event": "journal_status", ...}; {"cmd": "quit"}.
Events (stdout): "ready" once every client has its first timeline, "armed", "round",
"storm_armed", "storm", "error"."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.swarm_clients import PanoClient, Tracker, WsClient

CONNECT_CONCURRENCY = 25


def emit(event: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


async def connect_all(clients: list, timeout: float) -> tuple[int, int]:
    """Connect every client, at most CONNECT_CONCURRENCY attempts at a time; a failed
    attempt is tried again after the player's backoff (player.backoff), as a real fleet
    coming up would, until ``timeout``. Returns how many never got their first timeline,
and how many attempts failed."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    failures: list[str] = []
    deadline = time.monotonic() + timeout

    async def one(client: Any) -> None:
        while True:
            async with gate:
                try:
                    await client.connect()
                    break
                except Exception as exc:  # noqa: BLE001 - reported, then tried again
                    failures.append(f"{type(exc).__name__}: {exc}")
            delay = client.backoff.failed()
            if time.monotonic() + delay >= deadline:
                return
            await asyncio.sleep(delay)
        # a connection closed before its first timeline reconnects by itself (dropped())
        try:
            await asyncio.wait_for(client.t.first.wait(), max(1.0, deadline - time.monotonic()))
        except TimeoutError:
            failures.append("no first timeline")

    await asyncio.wait_for(asyncio.gather(*(one(c) for c in clients)), timeout + 5)
    missing = sum(not c.t.first.is_set() for c in clients)
    if failures:
        emit("log", message=f"{len(failures)} failed attempts, {missing} clients without a "
                            f"timeline; first: {failures[0]}")
    return missing, len(failures)


async def run_round(clients: list, timeout: float, every: int = 1) -> dict[str, Any]:
    expected = [c for c in clients if c.t.index % every == 0]
    others = [c.t for c in clients if c.t.index % every != 0]
    try:
        await asyncio.wait_for(asyncio.gather(*(c.t.done.wait() for c in expected)), timeout)
    except TimeoutError:
        pass
    trackers = [c.t for c in expected]
    return {
        "received": [t.received for t in trackers if t.received is not None],
        "acked": [t.acked for t in trackers if t.acked is not None],
        "confirmed": [t.confirmed for t in trackers if t.confirmed is not None],
        "clients": len(trackers),
        "others_received": sum(t.received is not None for t in others),
    }


async def _round(clients: list, timeout: float, every: int) -> None:
    emit("round", **await run_round(clients, timeout, every))


async def run_storm(clients: list, timeout: float) -> dict[str, Any]:
    """Wait until every client is back with the version it held when the storm began."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(c.t.back is None for c in clients):
        await asyncio.sleep(0.05)
    trackers = [c.t for c in clients]
    return {
        "back": [t.back for t in trackers if t.back is not None],
        "clients": len(trackers),
        "attempts": sum(t.attempts for t in trackers),
        "failures": [f for t in trackers for f in t.failures],
    }


async def _storm(clients: list, timeout: float) -> None:
    emit("storm", **await run_storm(clients, timeout))


async def main_async(args: argparse.Namespace) -> None:
    if args.kind == "pano":
        creds = json.loads(args.creds.read_text())
        clients: list = [PanoClient(args.url, c["screen"], c["token"], int(c.get("index", 0)))
                         for c in creds]
    else:
        clients = [WsClient(args.url, args.first + k * args.step) for k in range(args.count)]
    started = time.monotonic()
    failed, failed_attempts = await connect_all(clients, args.connect_timeout)
    clients = [c for c in clients if c.t.first.is_set()]
    await asyncio.sleep(1.0)  # let the answers to the first acks arrive
    Tracker.confirm = any(c.t.first_confirmed for c in clients)
    sizes = sorted(c.t.payload_bytes for c in clients) or [0]
    emit("ready", connected=len(clients), failed=failed, failed_attempts=failed_attempts,
         seconds=time.monotonic() - started,
         payload_bytes=sizes[len(sizes) // 2], confirm=Tracker.confirm)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    senders: list = []
    while line := await reader.readline():
        command = json.loads(line)
        if command["cmd"] == "journal":
            from bench.journal_load import SenderStats, send_backlog

            for c in clients:
                senders.append(SenderStats())
                call = (lambda sio: lambda event, data: sio.call(
                    event, data, namespace="/player", timeout=600))(c.sio)
                asyncio.create_task(send_backlog(call, c.screen, int(command["records"]),
                                                 senders[-1]))
            emit("journal_started", senders=len(senders))
        elif command["cmd"] == "journal_status":
            from bench.journal_load import summary

            emit("journal_status", **summary(senders))
        elif command["cmd"] == "arm":
            for c in clients:
                c.t.arm()
            emit("armed")
            asyncio.create_task(_round(clients, float(command.get("timeout", 60)),
                                       max(1, int(command.get("every", 1)))))
        elif command["cmd"] == "storm":
            for c in clients:
                c.t.arm_storm()
            emit("storm_armed")
            asyncio.create_task(_storm(clients, float(command.get("timeout", 120))))
        elif command["cmd"] == "quit":
            break
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["pano", "ws"], required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--creds", type=Path, help="JSON list of {screen, token} (pano)")
    parser.add_argument("--count", type=int, default=0, help="number of clients (ws)")
    parser.add_argument("--first", type=int, default=0, help="index of the first ws client")
    parser.add_argument("--step", type=int, default=1, help="index step between ws clients")
    parser.add_argument("--connect-timeout", type=float, default=300.0)
    args = parser.parse_args()
    try:
        asyncio.run(main_async(args))
    except Exception as exc:  # noqa: BLE001 - the parent must hear about it
        emit("error", message=f"{type(exc).__name__}: {exc}")
        raise


if __name__ == "__main__":
    main()
