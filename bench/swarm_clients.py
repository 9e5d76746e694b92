"""The benchmark's clients (run by bench/swarm.py): what each one has seen, and how it
reconnects.

`PanoClient` is a real python-socketio AsyncClient (websocket transport, namespace
/player, screen credentials in `auth`); `WsClient` a plain `websockets` client of
bench/baseline_server.py. Both ack every timeline with {"version": v, "missing": []}
and, once connected, reconnect when the connection drops the way a real player does:
python-socketio's own reconnection is off and the waits come from player.backoff
(full-jitter exponential backoff, reset after a connection that lasted 30 s), the same
policy as player/agent.py. Every failed attempt is recorded with its time, so the
reconnect storm can tell attempts made while the server was down from errors."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from player.backoff import Backoff

MAX_FAILURES_KEPT = 50  # per client: enough to count a storm's attempts, bounded


class Tracker:
    """What one client has seen: the newest version, when it came, when its ack went out
    and when the server answered that ack; and, in a reconnect storm, when it was back
    with the version it held before."""

    confirm = True  # False when the server does not answer acks (then done = ack sent)

    def __init__(self, index: int = 0) -> None:
        self.index = index
        self.version = -1
        self.armed_version = -1
        self.received: float | None = None
        self.acked: float | None = None
        self.confirmed: float | None = None
        self.first = asyncio.Event()
        self.first_confirmed = False
        self.done = asyncio.Event()
        self.payload_bytes = 0
        self.storm_held: int | None = None  # version held when the storm was armed
        self.back: float | None = None
        self.attempts = 0
        self.failures: list[tuple[float, str]] = []

    def arm(self) -> None:
        self.armed_version = self.version
        self.received = self.acked = self.confirmed = None
        self.done.clear()

    def arm_storm(self) -> None:
        self.storm_held = self.version
        self.back = None
        self.attempts = 0
        self.failures.clear()

    def on_timeline(self, version: int, size: int) -> None:
        if self.payload_bytes == 0:
            self.payload_bytes = size
        self.first.set()
        newer = version > self.version
        self.version = max(self.version, version)
        if newer and version > self.armed_version and self.received is None:
            self.received = time.monotonic()

    def on_reconnected_timeline(self, version: int) -> None:
        """A timeline that came on a new connection: back, if it is the held version."""
        if self.storm_held is not None and self.back is None and version >= self.storm_held:
            self.back = time.monotonic()

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

    def on_failure(self, started: float, exc: BaseException) -> None:
        self.attempts += 1
        if len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append((started, f"{type(exc).__name__}: {exc}"[:200]))


class Reconnecting:
    """Keeps a client connected once it has been: after a drop, waits as the player's
    backoff says and tries again until it is back or closed."""

    t: Tracker

    def _init_reconnect(self) -> None:
        self.backoff = Backoff()
        self.closing = False
        self.connected_at = 0.0
        self.fresh = False  # the next timeline is the first on a new connection
        self.drops = 0
        self._reconnect_task: asyncio.Task | None = None

    async def connect(self) -> None:
        raise NotImplementedError

    def dropped(self) -> None:
        """The connection ended (not by close()): reconnect, unless already trying."""
        if self.closing:
            return
        self.drops += 1
        if self._reconnect_task is None:
            self._reconnect_task = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        try:
            delay = self.backoff.disconnected(time.monotonic() - self.connected_at)
            while not self.closing:
                await asyncio.sleep(delay)
                if self.closing:
                    return
                started, drops = time.monotonic(), self.drops
                try:
                    await self.connect()
                except Exception as exc:  # noqa: BLE001 - counted, then retried
                    self.t.on_failure(started, exc)
                    delay = self.backoff.failed()
                    continue
                self.t.attempts += 1
                if self.drops == drops:
                    return
                # the new connection ended while it was being made: wait and try again
                delay = self.backoff.disconnected(time.monotonic() - self.connected_at)
        finally:
            self._reconnect_task = None


class PanoClient(Reconnecting):
    def __init__(self, url: str, screen: str, token: str, index: int = 0) -> None:
        self.url, self.screen, self.token = url, screen, token
        self.t = Tracker(index)
        self.sio: Any = None
        self._init_reconnect()

    def _new_client(self) -> Any:
        import socketio

        sio = socketio.AsyncClient(reconnection=False)
        ready = asyncio.Event()

        async def on_connect() -> None:
            ready.set()

        async def on_disconnect(*_reason: Any) -> None:
            if sio is self.sio:
                self.dropped()

        async def on_timeline(data: dict[str, Any]) -> None:
            version = int(data.get("version", 0))
            # The controller sends the first timeline from its connect handler, before the
            # namespace's CONNECT packet; an emit before that packet is refused.
            await ready.wait()
            if self.fresh:
                self.fresh = False
                self.t.on_reconnected_timeline(version)
            self.t.on_timeline(version, len(json.dumps(data, separators=(",", ":"))))
            self.t.on_ack_sent(version)
            try:
                await sio.emit("ack", {"version": version, "missing": []},
                               namespace="/player",
                               callback=lambda *answer: self.t.on_confirmed(version))
            except socketio.exceptions.BadNamespaceError:
                pass  # the connection ended meanwhile: the next one gets the timeline again

        sio.on("connect", on_connect, namespace="/player")
        sio.on("disconnect", on_disconnect, namespace="/player")
        sio.on("timeline", on_timeline, namespace="/player")
        return sio

    async def connect(self) -> None:
        sio = self._new_client()
        self.sio = sio
        self.fresh = True
        try:
            await sio.connect(
                self.url, namespaces=["/player"], transports=["websocket"], wait_timeout=30,
                auth={"screen": self.screen, "token": self.token,
                      "software": "pano-bench/0.1"})
        except BaseException:
            await sio.disconnect()
            raise
        self.connected_at = time.monotonic()

    async def close(self) -> None:
        self.closing = True
        if self.sio is not None:
            await self.sio.disconnect()


class WsClient(Reconnecting):
    def __init__(self, url: str, index: int = 0) -> None:
        self.url = f"{url}?id={index}"
        self.t = Tracker(index)
        self.ws: Any = None
        self.task: asyncio.Task | None = None
        self._init_reconnect()

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(self.url, compression=None, max_size=None, open_timeout=30,
                                ping_interval=25, ping_timeout=20)
        self.fresh = True
        self.connected_at = time.monotonic()
        self.task = asyncio.create_task(self._loop(self.ws))

    async def _loop(self, ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in ws:
                data = json.loads(raw)
                if "ok" in data:
                    self.t.on_confirmed(int(data["version"]))
                    continue
                version = int(data.get("version", 0))
                if self.fresh:
                    self.fresh = False
                    self.t.on_reconnected_timeline(version)
                self.t.on_timeline(version, len(raw))
                self.t.on_ack_sent(version)
                await ws.send(json.dumps({"version": version, "missing": []}))
        except ConnectionClosed:
            pass
        if ws is self.ws:
            self.dropped()

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await asyncio.gather(self.task, return_exceptions=True)
