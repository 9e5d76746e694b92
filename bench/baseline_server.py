"""Baseline server: a plain `websockets` server that does what the controller does for a
change, with nothing else. Run as its own process:

    python -m bench.baseline_server --port N --payload FILE

Every client on path `/` (`/?id=N`: the client's index in the fleet) gets the payload
(version --version, default 0) on connect. A message "change" on path `/control` bumps
the version and broadcasts the payload, encoded once, to every client; "change K" sends
it only to the clients whose index is a multiple of K (Pano's change of one playlist
shown on every K-th screen). A client acks with JSON {"version": v, "missing": []}; the
server answers each ack with {"ok": true, "version": v} (as the controller answers a
Socket.IO ack callback).
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
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, broadcast, serve


class Baseline:
    def __init__(self, timeline: dict[str, Any], version: int = 0) -> None:
        self.timeline = timeline
        self.version = version
        self.clients: dict[ServerConnection, int] = {}

    def message(self) -> str:
        self.timeline["version"] = self.version
        return json.dumps(self.timeline, separators=(",", ":"))

    async def handle(self, ws: ServerConnection) -> None:
        target = urlsplit(ws.request.path if ws.request is not None else "/")
        if target.path == "/control":
            await self.control(ws)
            return
        ids = parse_qs(target.query).get("id", ["0"])
        self.clients[ws] = int(ids[0]) if ids[0].isdigit() else 0
        try:
            await ws.send(self.message())
            async for raw in ws:
                ack = json.loads(raw)
                if isinstance(ack, dict) and "version" in ack:
                    await ws.send(json.dumps({"ok": True, "version": ack["version"]}))
        finally:
            self.clients.pop(ws, None)

    async def control(self, ws: ServerConnection) -> None:
        async for raw in ws:
            if raw == "change" or raw.startswith("change "):
                every = int(raw.split()[1]) if " " in raw else 1
                self.version += 1
                to = [c for c, index in self.clients.items() if index % every == 0]
                broadcast(to, self.message())
                await ws.send(json.dumps({"version": self.version, "sent": len(to)}))
            elif raw == "count":
                await ws.send(json.dumps({"clients": len(self.clients)}))


async def main_async(port: int, payload: Path, lifetime: float, version: int = 0) -> None:
    baseline = Baseline(json.loads(payload.read_text()), version)
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
    parser.add_argument("--version", type=int, default=0, help="version to start from")
    args = parser.parse_args()
    asyncio.run(main_async(args.port, args.payload, args.lifetime, args.version))


if __name__ == "__main__":
    main()
