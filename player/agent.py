"""The Socket.IO agent: connects to the controller (namespace ``/player``, over WebSocket
only, as the controller accepts nothing else), receives timelines, hands them to the
intake (``player.intake``: stored, media fetched, acked), sends heartbeats and runs
remote commands (protocol 3–5).

Reconnection is our own loop with full-jitter backoff (python-socketio's is disabled) so
that a first connect, a dropped connection and a refused credential go the same way. A
WebSocket that fails while the controller answers over HTTP (a proxy that blocks
upgrades) hands over to HTTP mode (``player.http_mode``) until the WebSocket works again.
Event handlers only queue work, so heartbeats keep going during a long download.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import engineio
import socketio

from player import SOFTWARE, facts
from player.backoff import Backoff
from player.cache import MediaCache
from player.clock import Clock
from player.commands import CommandRunner
from player.config import PlayerConfig
from player.http_mode import TRANSPORT as HTTP
from player.http_mode import HttpMode, Reach
from player.intake import TimelineIntake
from player.link_failure import short_reason
from player.message_check import MessageRefused, check
from player.messages import WELCOME
from player.page_alive import NO_PAGE
from player.receipts import Receipts
from player.state import PlayerState, reported_error
from player.store import Store

log = logging.getLogger("pano.player.agent")

NAMESPACE = "/player"
DEFAULT_HEARTBEAT = 15.0
TIMELINE_WAIT = 5.0  # seconds after connect before asking for the timeline
CALL_TIMEOUT = 10.0
TRANSPORT = "websocket"
# What a connection attempt came to (``Agent._connect``).
OPEN = "open"
REFUSED = "refused"  # the controller refused the credential
NOT_OPENED = "not opened"  # no WebSocket: the controller unreachable, or a proxy blocks it
NO_ANSWER = "no answer"  # the WebSocket opened, the namespace did not answer in time


class Agent:
    def __init__(self, config: PlayerConfig, state: PlayerState, store: Store,
                 cache: MediaCache, clock: Clock, backoff: Backoff | None = None,
                 receipts: Receipts | None = None,
                 commands: CommandRunner | None = None) -> None:
        self.config = config
        self.state = state
        self.store = store
        self.cache = cache
        self.clock = clock
        self.receipts = receipts  # emergency receipts, sent while connected
        self.backoff = backoff or Backoff(cap=config.backoff_cap)
        self.heartbeat_interval = config.heartbeat_interval or DEFAULT_HEARTBEAT
        self.timeline_wait = TIMELINE_WAIT
        self._client: socketio.Client | None = None
        self._emit_lock = threading.Lock()
        self.intake = TimelineIntake(config, state, store, cache, self._call,
                                     self._set_interval)
        self.http = HttpMode(config, state)  # when only the WebSocket is blocked
        self._got_timeline = threading.Event()
        self._disconnected = threading.Event()
        self._refusal: str | None = None
        # Remote commands (player/commands.py), run on their own worker thread.
        self.commands = commands or CommandRunner(config, state, cache, clock)
        self.commands.request_timeline = self._request_timeline
        self.commands.connected = lambda: self.connected
        self.commands.deliver = lambda result: self._call("command_result", result)
        # The kiosk page's liveness (player/page_alive.py), set by player.cli; a player
        # without a page says it has none.
        self.display: Callable[[], dict] = lambda: dict(NO_PAGE)

    @property
    def connected(self) -> bool:
        return self.state.connected

    # --- the connection loop ---------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Connect, serve, reconnect with backoff, until ``stop`` is set."""
        worker = threading.Thread(target=self.intake.run, args=(stop,),
                                  name="timeline-worker", daemon=True)
        worker.start()
        commands = threading.Thread(target=self.commands.run, args=(stop,),
                                    name="command-worker", daemon=True)
        commands.start()
        while not stop.is_set():
            delay = self._serve_once(stop)
            if stop.is_set():
                break
            stop.wait(delay)
        worker.join(timeout=5)
        commands.join(timeout=5)

    def _serve_once(self, stop: threading.Event) -> float:
        """One connection, from its attempt to its end: the WebSocket, else HTTP mode if
        the WebSocket did not open and the controller answers over HTTP. Returns the
        wait before the next attempt."""
        attempt = self._connect()
        if attempt == NOT_OPENED:
            reach = self.http.probe()
            if reach is Reach.REFUSED:
                log.error("controller %s refused screen %s over HTTP: %s",
                          self.config.controller, self.config.screen, self.http.refusal)
                self.state.set_error(f"controller refused the connection: {self.http.refusal}")
                attempt = REFUSED
            elif reach is Reach.ANSWERS:
                started = time.monotonic()
                if not self.http.run(stop, self):
                    delay = self.backoff.disconnected(time.monotonic() - started)
                    log.info("HTTP mode ended; next connection attempt in %.1f s", delay)
                    return delay
                attempt = OPEN  # the WebSocket opened from HTTP mode
        if attempt != OPEN:
            delay = self.backoff.failed(refused=attempt == REFUSED)
            log.info("next connection attempt in %.1f s", delay)
            return delay
        started = time.monotonic()
        try:
            self._session(stop)
        finally:
            self._close()
        delay = self.backoff.disconnected(time.monotonic() - started)
        if not stop.is_set():
            log.info("disconnected from the controller; reconnecting in %.1f s", delay)
        return delay

    def _new_client(self) -> socketio.Client:
        client = socketio.Client(reconnection=False, logger=False, engineio_logger=False)
        handlers = {
            "connect_error": self._on_connect_error,
            "disconnect": self._on_disconnect,
            "welcome": self._on_welcome,
            "timeline": self._on_timeline,
            "error": self._on_error,
            "command": self._on_command,
        }
        for event, handler in handlers.items():
            client.on(event, handler, namespace=NAMESPACE)
        return client

    def _connect(self) -> str:
        """Open the WebSocket and join the namespace: ``OPEN``, ``REFUSED``,
        ``NOT_OPENED`` or ``NO_ANSWER``."""
        auth = {"screen": self.config.screen, "token": self.config.token, "software": SOFTWARE}
        client = self._new_client()
        self._refusal = None
        self._got_timeline.clear()
        self._disconnected.clear()
        try:
            client.connect(self.config.controller, auth=auth, namespaces=[NAMESPACE],
                           transports=[TRANSPORT], wait_timeout=CALL_TIMEOUT)
        except (socketio.exceptions.ConnectionError, ValueError, OSError) as exc:
            if "namespaces failed to connect" in str(exc):
                reason = self._refusal or "refused"
                log.error("controller %s refused screen %s: %s", self.config.controller,
                          self.config.screen, reason)
                self.state.set_error(f"controller refused the connection: {reason}")
                return REFUSED
            # Engine.IO's error: the WebSocket itself did not open (no connection, a
            # refused handshake); else it opened and the namespace did not answer.
            opened = not isinstance(exc.__cause__, engineio.exceptions.ConnectionError)
            log.warning("cannot connect to %s: %s%s", self.config.controller,
                        short_reason(exc), " (no answer on the open WebSocket)" if opened
                        else "")
            return NO_ANSWER if opened else NOT_OPENED
        self._client = client
        self.state.set_link(TRANSPORT)
        log.info("connected to %s as screen %s (%s)", self.config.controller,
                 self.config.screen, TRANSPORT)
        return OPEN

    def try_websocket(self) -> bool:
        """HTTP mode's retry: True if the WebSocket is open now."""
        return self._connect() == OPEN

    def _close(self) -> None:
        client, self._client = self._client, None
        self.state.set_link(None)
        if client is not None:
            try:
                client.disconnect()
            except Exception as exc:  # noqa: BLE001 - closing a dead socket may fail
                log.debug("disconnect: %s", exc)

    def _session(self, stop: threading.Event) -> None:
        """While connected: measure the clock, get the timeline, send heartbeats and
        emergency receipts."""
        self.measure_clock(self._ask_time)
        connected_at = time.monotonic()
        requested = False
        next_heartbeat = time.monotonic()
        while not stop.is_set() and not self._disconnected.is_set():
            now = time.monotonic()
            if not requested and not self._got_timeline.is_set() \
                    and now - connected_at >= self.timeline_wait:
                requested = True
                self._request_timeline()
            if now >= next_heartbeat:
                self.send_heartbeat()
                next_heartbeat = now + self.heartbeat_interval
            self.send_receipts()
            self._disconnected.wait(min(0.5, max(0.05, next_heartbeat - now)))

    def send_receipts(self) -> None:
        """Send the emergency receipts still queued (over the socket, or in HTTP mode
        to its route)."""
        if self.receipts is not None and self.receipts.pending():
            self.receipts.send(self._call)

    # --- emitting (python-socketio's emit is not thread-safe) ------------------------

    def _emit(self, event: str, data: object, callback: object = None) -> bool:
        client = self._client
        if client is None:
            return False
        try:
            with self._emit_lock:
                client.emit(event, data, namespace=NAMESPACE, callback=callback)
        except socketio.exceptions.SocketIOError as exc:
            log.warning("cannot send %s: %s", event, exc)
            return False
        return True

    def call(self, event: str, data: object) -> object:
        """Emit ``event`` and wait for its answer, over whatever link is up (the play
        journal's sender, on its own thread)."""
        return self._call(event, data)

    def _call(self, event: str, data: object, timeout: float = CALL_TIMEOUT) -> object:
        """Emit and wait for the acknowledgement (in HTTP mode: the event's route, if it
        has one); raises TimeoutError or ConnectionError."""
        if self._client is None and self.state.transport == HTTP:
            return self.http.call(event, data)
        done = threading.Event()
        answer: list = []

        def on_ack(*args: object) -> None:
            answer.extend(args)
            done.set()

        if not self._emit(event, data, on_ack):
            raise ConnectionError(f"not connected, cannot send {event}")
        if not done.wait(timeout):
            raise TimeoutError(f"no answer to {event} within {timeout:.0f} s")
        return answer[0] if answer else None

    def _ask_time(self) -> float:
        reply = self._call("time", {})
        if not isinstance(reply, dict) or not reply.get("ok"):
            raise ValueError(f"time refused: {reply!r}")
        return float(reply["server_time"])

    def measure_clock(self, ask: Callable[[], float]) -> None:
        """Measure the offset to the controller's clock with ``ask`` and save it."""
        try:
            offset = self.clock.measure(ask)
        except Exception as exc:  # noqa: BLE001 - keep the saved offset
            log.warning("clock not measured, keeping offset %.3f s: %s", self.clock.offset, exc)
            return
        log.info("clock offset %.3f s", offset)
        try:
            self.store.save_clock_offset(offset)
        except OSError as exc:
            log.error("cannot save the clock offset: %s", exc)

    def _request_timeline(self) -> None:
        request: dict = {"screen": self.config.screen}
        if self.state.timeline_version is not None:
            request["have_version"] = self.state.timeline_version
        log.info("no timeline yet; sending timeline_request %s", request)
        try:
            reply = self._call("timeline_request", request)
        except (TimeoutError, ConnectionError) as exc:
            log.warning("timeline_request failed: %s", exc)
            return
        if isinstance(reply, dict) and reply.get("ok") and isinstance(reply.get("timeline"), dict):
            self.deliver(reply["timeline"])
        else:
            log.warning("timeline_request refused: %s", reply)

    def heartbeat(self) -> dict:
        """The heartbeat to send now (protocol section 5), whatever carries it."""
        snap = self.state.snapshot()
        playing = None
        if snap.playing is not None:
            playing = {"playlist": snap.playing.playlist_key,
                       "item": snap.playing.item.get("id"),
                       "since": facts.iso(snap.since or self.clock.now())}
        return facts.collect(
            self.config.cache_dir, now=self.clock.now(), clock_offset=self.clock.offset,
            last_error=reported_error(snap, self.cache.damaged(snap.timeline)),
            playing=playing, transport=snap.transport, display=self.display(),
            capture=("devtools" if self.config.devtools_url
                     else "command" if self.config.screenshot_command else "none"),
            timeline_version=None if snap.timeline is None else snap.timeline.get("version"))

    def send_heartbeat(self) -> bool:
        def on_ack(reply: object = None, *_: object) -> None:
            if isinstance(reply, dict) and not reply.get("ok", True):
                log.warning("heartbeat refused: %s", reply.get("message") or reply)

        return self._emit("heartbeat", self.heartbeat(), on_ack)

    def deliver(self, timeline: object) -> None:
        """A timeline from any transport, to the intake."""
        self._got_timeline.set()
        self.intake.put(timeline)

    # --- events from the controller (run on python-socketio's threads) ---------------

    def _on_connect_error(self, data: object = None, *_: object) -> None:
        if isinstance(data, dict):
            self._refusal = str(data.get("message") or data)
        elif data is not None:
            self._refusal = str(data)

    def _on_disconnect(self, *_: object) -> None:
        self._disconnected.set()

    def _on_welcome(self, data: object = None, *_: object) -> None:
        try:  # the shape declared in player.messages, as the controller checks ours
            welcome = check(WELCOME, data) or {}
        except MessageRefused as exc:
            log.warning("ignoring a malformed welcome: %s", exc)
            return
        log.info("welcome from the controller (protocol %s)", welcome["protocol"])
        self._set_interval(welcome["heartbeat_interval"])

    def _on_timeline(self, data: object = None, *_: object) -> None:
        self.deliver(data)

    def _on_error(self, data: object = None, *_: object) -> None:
        if isinstance(data, dict):
            message = f"{data.get('event', '?')}: {data.get('message', data)}"
        else:
            message = str(data)
        log.warning("controller reported an error: %s", message)
        self.state.set_error(f"controller: {message}"[:1000])

    def _on_command(self, data: object = None, *_: object) -> None:
        """Queue a remote command; its ``command_result`` is sent when it has run."""
        self.commands.submit(data, self._send_result)

    def _send_result(self, result: dict) -> bool:
        def on_ack(reply: object = None, *_: object) -> None:
            if isinstance(reply, dict) and not reply.get("ok", True):
                log.warning("command_result refused: %s", reply.get("message") or reply)

        return self._emit("command_result", result, on_ack)

    def _set_interval(self, value: object) -> None:
        if self.config.heartbeat_interval is not None:
            return  # the command line wins
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            self.heartbeat_interval = float(value)
