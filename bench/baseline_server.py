"""Baseline server: a plain `websockets` server that does what the controller does for a
change, with nothing else. Run as its own process:

    python -m bench.baseline_server --port N --payload FILE

Every client on path `/` gets the payload (version 0) on connect. A message "change" on
path `/control` bumps the version and broadcasts the payload, encoded once, to every
client. A client acks with JSON {"version": v, "missing": []}; the server answers each
ack with {"ok": true, "version": v} (as the controller answers a Socket.IO ack callback).
Compression is off, as on the Socket.IO connections (neither aiohttp nor
websocket-client offer permessage-deflate by default). The process ends on SIGTERM or
after --lifetime seconds, whichever comes first."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from pathlib import Path
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve


class Baseline:
    def __init__(self, timeline: dict[str, Any]) -> None:
        self.timeline = timeline
        self.version = 0
        self.clients: set[ServerConnection] = set()

    def message(self) -> str:
        self.timeline["version"] = self.version
        return json.dumps(self.timeline, separators=(",", ":"))

    async def handle(self, ws: ServerConnection) -> None:
        if ws.request is not None and ws.request.path == "/control":
            await self.control(ws)
            return
        self.clients.add(ws)
        try:
            await ws.send(self.message())
            async for raw in ws:
                ack = json.loads(raw)
                if isinstance(ack, dict) and "version" in ack:
                    await ws.send(json.dumps({"ok": True, "version": ack["version"]}))
        finally:
            self.clients.discard(ws)

    async def control(self, ws: ServerConnection) -> None:
        async for raw in ws:
            if raw == "change":
                self.version += 1
                broadcast(self.clients, self.message())
                await ws.send(json.dumps({"version": self.version, "sent": len(self.clients)}))
            elif raw == "count":
                await ws.send(json.dumps({"clients": len(self.clients)}))


async def main_async(port: int, payload: Path, lifetime: float) -> None:
    baseline = Baseline(json.loads(payload.read_text()))
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.cancel)
    async with serve(baseline.handle, "127.0.0.1", port, compression=None, max_size=None,
                     ping_interval=25, ping_timeout=20, backlog=1024):
        try:
            await asyncio.wait_for(stop, lifetime)
        except (asyncio.CancelledError, TimeoutError):
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--payload", type=Path, required=True)
    parser.add_argument("--lifetime", type=float, default=900.0)
    args = parser.parse_args()
    asyncio.run(main_async(args.port, args.payload, args.lifetime))


if __name__ == "__main__":
    main()
