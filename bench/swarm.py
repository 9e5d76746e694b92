"""A swarm of benchmark clients in one asyncio process, driven by JSON lines on stdin:

    python -m bench.swarm --kind pano --url http://127.0.0.1:N --creds FILE
    python -m bench.swarm --kind ws --url ws://127.0.0.1:N/ --count 500

`pano` clients are real python-socketio AsyncClients (websocket transport, namespace
/player, screen credentials in `auth`) that ack every `timeline` with
{"version": v, "missing": []} and an acknowledgement callback; `ws` clients are plain
`websockets` clients that do the same over bare WebSocket messages.

Commands (stdin): {"cmd": "arm", "timeout": s} — start a round: wait until every client
has received a newer version than it holds now and has its ack answered, then print
{"event": "round", ...} with monotonic timestamps (CLOCK_MONOTONIC is shared by every
process on the machine); {"cmd": "journal", "records": N} — every `pano` client starts
sending a journal backlog of N records (bench.journal_load) while rounds go on;
{"cmd": "journal_status"} — print {"event": "journal_status", ...}; {"cmd": "quit"}.
Events (stdout): "ready" once every client has its first timeline, "armed", "round", "error"."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

CONNECT_CONCURRENCY = 25


def emit(event: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


class Tracker:
    """What one client has seen: the newest version, when it came, when its ack went out
    and when the server answered that ack."""

    confirm = True  # False when the server does not answer acks (then done = ack sent)

    def __init__(self) -> None:
        self.version = -1
        self.armed_version = -1
        self.received: float | None = None
        self.acked: float | None = None
        self.confirmed: float | None = None
        self.first = asyncio.Event()
        self.first_confirmed = False
        self.done = asyncio.Event()
        self.payload_bytes = 0

    def arm(self) -> None:
        self.armed_version = self.version
        self.received = self.acked = self.confirmed = None
        self.done.clear()

    def on_timeline(self, version: int, size: int) -> None:
        if self.payload_bytes == 0:
            self.payload_bytes = size
        self.first.set()
        newer = version > self.version
        self.version = max(self.version, version)
        if newer and version > self.armed_version and self.received is None:
            self.received = time.monotonic()

    def on_ack_sent(self, version: int) -> None:
        if self.received is not None and self.acked is None and version > self.armed_version:
            self.acked = time.monotonic()
            if not Tracker.confirm:
                self.done.set()

    def on_confirmed(self, version: int) -> None:
        self.first_confirmed = True
        if self.acked is not None and self.confirmed is None and version > self.armed_version:
            self.confirmed = time.monotonic()
            self.done.set()


class PanoClient:
    def __init__(self, url: str, screen: str, token: str) -> None:
        import socketio

        self.url, self.screen, self.token = url, screen, token
        self.t = Tracker()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("timeline", self._on_timeline, namespace="/player")
        self.sio.on("connect", self._on_connect, namespace="/player")
        self.namespace_ready = asyncio.Event()

    async def _on_connect(self) -> None:
        self.namespace_ready.set()

    async def _on_timeline(self, data: dict[str, Any]) -> None:
        version = int(data.get("version", 0))
        # The controller sends the first timeline from its connect handler, before the
        # namespace's CONNECT packet; an emit before that packet is refused by the client.
        await self.namespace_ready.wait()
        self.t.on_timeline(version, len(json.dumps(data, separators=(",", ":"))))
        self.t.on_ack_sent(version)
        await self.sio.emit("ack", {"version": version, "missing": []}, namespace="/player",
                            callback=lambda *answer: self.t.on_confirmed(version))

    async def connect(self) -> None:
        await self.sio.connect(
            self.url, namespaces=["/player"], transports=["websocket"], wait_timeout=30,
            auth={"screen": self.screen, "token": self.token, "software": "pano-bench/0.1"})

    async def close(self) -> None:
        await self.sio.disconnect()


class WsClient:
    def __init__(self, url: str) -> None:
        self.url = url
        self.t = Tracker()
        self.ws: Any = None
        self.task: asyncio.Task | None = None

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(self.url, compression=None, max_size=None, open_timeout=30,
                                ping_interval=25, ping_timeout=20)
        self.task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        async for raw in self.ws:
            data = json.loads(raw)
            if "ok" in data:
                self.t.on_confirmed(int(data["version"]))
                continue
            version = int(data.get("version", 0))
            self.t.on_timeline(version, len(raw))
            self.t.on_ack_sent(version)
            await self.ws.send(json.dumps({"version": version, "missing": []}))

    async def close(self) -> None:
        await self.ws.close()
        if self.task is not None:
            await asyncio.gather(self.task, return_exceptions=True)


async def connect_all(clients: list, timeout: float) -> int:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    failures: list[str] = []

    async def one(client: Any) -> None:
        async with gate:
            try:
                await client.connect()
                await asyncio.wait_for(client.t.first.wait(), 30)
            except Exception as exc:  # noqa: BLE001 - reported, not hidden
                failures.append(f"{type(exc).__name__}: {exc}")

    await asyncio.wait_for(asyncio.gather(*(one(c) for c in clients)), timeout)
    if failures:
        emit("log", message=f"{len(failures)} clients failed, first: {failures[0]}")
    return len(failures)


async def run_round(clients: list, timeout: float) -> dict[str, Any]:
    try:
        await asyncio.wait_for(asyncio.gather(*(c.t.done.wait() for c in clients)), timeout)
    except TimeoutError:
        pass
    trackers = [c.t for c in clients]
    return {
        "received": [t.received for t in trackers if t.received is not None],
        "acked": [t.acked for t in trackers if t.acked is not None],
        "confirmed": [t.confirmed for t in trackers if t.confirmed is not None],
        "clients": len(trackers),
    }


async def _round(clients: list, timeout: float) -> None:
    emit("round", **await run_round(clients, timeout))


async def main_async(args: argparse.Namespace) -> None:
    if args.kind == "pano":
        creds = json.loads(args.creds.read_text())
        clients: list = [PanoClient(args.url, c["screen"], c["token"]) for c in creds]
    else:
        clients = [WsClient(args.url) for _ in range(args.count)]
    started = time.monotonic()
    failed = await connect_all(clients, args.connect_timeout)
    clients = [c for c in clients if c.t.first.is_set()]
    await asyncio.sleep(1.0)  # let the answers to the first acks arrive
    Tracker.confirm = any(c.t.first_confirmed for c in clients)
    sizes = sorted(c.t.payload_bytes for c in clients) or [0]
    emit("ready", connected=len(clients), failed=failed, seconds=time.monotonic() - started,
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
            asyncio.create_task(_round(clients, float(command.get("timeout", 60))))
        elif command["cmd"] == "quit":
            break
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["pano", "ws"], required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--creds", type=Path, help="JSON list of {screen, token} (pano)")
    parser.add_argument("--count", type=int, default=0, help="number of clients (ws)")
    parser.add_argument("--connect-timeout", type=float, default=300.0)
    args = parser.parse_args()
    try:
        asyncio.run(main_async(args))
    except Exception as exc:  # noqa: BLE001 - the parent must hear about it
        emit("error", message=f"{type(exc).__name__}: {exc}")
        raise


if __name__ == "__main__":
    main()
