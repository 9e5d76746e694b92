"""The Socket.IO agent: connects to the controller (namespace ``/player``), receives
timelines, stores them, fetches their media, acks, and sends heartbeats (protocol 3–5).

Reconnection is our own loop with full-jitter backoff (python-socketio's is disabled) so
that a first connect, a dropped connection and a refused credential go the same way.
Event handlers only queue work; a worker thread stores timelines and syncs media, so
heartbeats keep going during a long download.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

import socketio

from player import SOFTWARE, facts
from player.backoff import Backoff
from player.cache import MediaCache
from player.clock import Clock
from player.commands import CommandRunner
from player.config import PlayerConfig
from player.receipts import Receipts
from player.state import PlayerState, reported_error
from player.store import Store
from player.timeline import TimelineError, parse_time, parse_timeline

log = logging.getLogger("pano.player.agent")

NAMESPACE = "/player"
DEFAULT_HEARTBEAT = 15.0
TIMELINE_WAIT = 5.0  # seconds after connect before asking for the timeline
CALL_TIMEOUT = 10.0
RETRY_MISSING_EVERY = 60.0
RESTORED_AFTER = 86400.0  # a lower version is accepted if generated a day later


def is_newer(new: dict, held: dict | None) -> bool:
    """Protocol rule: ignore a lower version unless it was generated over a day later."""
    if held is None or new["version"] >= held["version"]:
        return True
    return parse_time(new["generated_at"]) > parse_time(held["generated_at"]) + RESTORED_AFTER


def _short_reason(exc: Exception) -> str:
    """One short phrase for a failed connection (requests' messages run to lines)."""
    text = str(exc)
    for needle, phrase in (("Connection refused", "connection refused"),
                           ("Name or service not known", "unknown host"),
                           ("timed out", "timed out"),
                           ("No route to host", "no route to host"),
                           ("Network is unreachable", "network unreachable")):
        if needle in text:
            return phrase
    return text[:120]


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
        self._inbox: queue.Queue[dict] = queue.Queue()
        self._got_timeline = threading.Event()
        self._disconnected = threading.Event()
        self._refusal: str | None = None
        # Remote commands (player/commands.py), run on their own worker thread.
        self.commands = commands or CommandRunner(config, state, cache, clock)
        self.commands.request_timeline = self._request_timeline
        self.commands.connected = lambda: self.connected

    @property
    def connected(self) -> bool:
        return self.state.connected

    # --- the connection loop ---------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Connect, serve, reconnect with backoff, until ``stop`` is set."""
        worker = threading.Thread(target=self._work, args=(stop,), name="timeline-worker",
                                  daemon=True)
        worker.start()
        commands = threading.Thread(target=self.commands.run, args=(stop,),
                                    name="command-worker", daemon=True)
        commands.start()
        while not stop.is_set():
            refused = self._connect()
            if refused is not None:
                delay = self.backoff.failed(refused=refused)
                log.info("next connection attempt in %.1f s", delay)
                stop.wait(delay)
                continue
            started = time.monotonic()
            try:
                self._session(stop)
            finally:
                self._close()
            if stop.is_set():
                break
            delay = self.backoff.disconnected(time.monotonic() - started)
            log.info("disconnected from the controller; reconnecting in %.1f s", delay)
            stop.wait(delay)
        worker.join(timeout=5)
        commands.join(timeout=5)

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

    def _connect(self) -> bool | None:
        """Try to connect (WebSocket, then long-polling); None on success, else whether
        the controller refused us (as opposed to being unreachable)."""
        auth = {"screen": self.config.screen, "token": self.config.token, "software": SOFTWARE}
        failures = []
        for transport in ("websocket", "polling"):
            client = self._new_client()
            self._refusal = None
            self._got_timeline.clear()
            self._disconnected.clear()
            try:
                client.connect(self.config.controller, auth=auth, namespaces=[NAMESPACE],
                               transports=[transport], wait_timeout=CALL_TIMEOUT)
            except (socketio.exceptions.ConnectionError, ValueError, OSError) as exc:
                if "namespaces failed to connect" in str(exc):
                    reason = self._refusal or "refused"
                    log.error("controller %s refused screen %s: %s", self.config.controller,
                              self.config.screen, reason)
                    self.state.set_error(f"controller refused the connection: {reason}")
                    return True
                failures.append(f"{transport}: {_short_reason(exc)}")
                continue
            self._client = client
            self.state.set_connected(True)
            log.info("connected to %s as screen %s (%s)", self.config.controller,
                     self.config.screen, transport)
            return None
        log.warning("cannot connect to %s (%s)", self.config.controller, "; ".join(failures))
        return False

    def _close(self) -> None:
        client, self._client = self._client, None
        self.state.set_connected(False)
        if client is not None:
            try:
                client.disconnect()
            except Exception as exc:  # noqa: BLE001 - closing a dead socket may fail
                log.debug("disconnect: %s", exc)

    def _session(self, stop: threading.Event) -> None:
        """While connected: measure the clock, get the timeline, send heartbeats and
        emergency receipts."""
        self._measure_clock()
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
            if self.receipts is not None and self.receipts.pending():
                self.receipts.send(self._call)
            self._disconnected.wait(min(0.5, max(0.05, next_heartbeat - now)))

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

    def _call(self, event: str, data: object, timeout: float = CALL_TIMEOUT) -> object:
        """Emit and wait for the acknowledgement; raises TimeoutError or ConnectionError."""
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

    def _measure_clock(self) -> None:
        def ask() -> float:
            reply = self._call("time", {})
            if not isinstance(reply, dict) or not reply.get("ok"):
                raise ValueError(f"time refused: {reply!r}")
            return float(reply["server_time"])

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
            self._got_timeline.set()
            self._inbox.put(reply["timeline"])
        else:
            log.warning("timeline_request refused: %s", reply)

    def send_heartbeat(self) -> bool:
        snap = self.state.snapshot()
        playing = None
        if snap.playing is not None:
            playing = {"playlist": snap.playing.playlist_key,
                       "item": snap.playing.item.get("id"),
                       "since": facts.iso(snap.since or self.clock.now())}
        beat = facts.collect(
            self.config.cache_dir, now=self.clock.now(), clock_offset=self.clock.offset,
            last_error=reported_error(snap, self.cache.damaged(snap.timeline)),
            playing=playing,
            timeline_version=None if snap.timeline is None else snap.timeline.get("version"))

        def on_ack(reply: object = None, *_: object) -> None:
            if isinstance(reply, dict) and not reply.get("ok", True):
                log.warning("heartbeat refused: %s", reply.get("message") or reply)

        return self._emit("heartbeat", beat, on_ack)

    # --- events from the controller (run on python-socketio's threads) ---------------

    def _on_connect_error(self, data: object = None, *_: object) -> None:
        if isinstance(data, dict):
            self._refusal = str(data.get("message") or data)
        elif data is not None:
            self._refusal = str(data)

    def _on_disconnect(self, *_: object) -> None:
        self._disconnected.set()

    def _on_welcome(self, data: object = None, *_: object) -> None:
        if not isinstance(data, dict):
            return
        log.info("welcome from the controller (protocol %s)", data.get("protocol"))
        self._set_interval(data.get("heartbeat_interval"))

    def _on_timeline(self, data: object = None, *_: object) -> None:
        self._got_timeline.set()
        self._inbox.put(data)

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

    # --- timelines and media (worker thread) -----------------------------------------

    def _work(self, stop: threading.Event) -> None:
        last_retry = time.monotonic()
        damage_seen = 0
        while not stop.is_set():
            try:
                data = self._inbox.get(timeout=0.5)
            except queue.Empty:
                # A file found damaged on disk is fetched again as soon as we are
                # connected; other missing files are retried every minute.
                damaged = self.connected and self.cache.damage_count != damage_seen
                if damaged or (self.state.snapshot().missing
                               and time.monotonic() - last_retry >= RETRY_MISSING_EVERY):
                    last_retry = time.monotonic()
                    damage_seen = self.cache.damage_count
                    self._sync_and_ack()
                continue
            try:
                damage_seen = self.cache.damage_count
                self.accept(data)
            except Exception as exc:  # noqa: BLE001 - never let the worker die
                log.exception("error while handling a timeline: %s", exc)
                self.state.set_error(f"error while handling a timeline: {exc}"[:1000])

    def accept(self, data: object) -> bool:
        """Validate, store (before acking), play, fetch media, ack. True if accepted."""
        try:
            timeline = parse_timeline(data)
        except TimelineError as exc:
            log.error("refusing a broken timeline: %s", exc)
            self.state.set_error(f"refused a broken timeline: {exc}"[:1000])
            return False
        if timeline["screen"] != self.config.screen:
            log.error("refusing a timeline for screen %r (I am %r)", timeline["screen"],
                      self.config.screen)
            self.state.set_error(f"refused a timeline for screen {timeline['screen']!r}"[:1000])
            return False
        held = self.state.timeline
        if not is_newer(timeline, held):
            log.info("ignoring timeline v%d: holding v%d", timeline["version"], held["version"])
            return False
        try:
            self.store.save_timeline(timeline)
        except OSError as exc:
            log.error("cannot save timeline v%d, not acking it: %s", timeline["version"], exc)
            self.state.set_error(f"cannot save the timeline: {exc}"[:1000])
            return False
        self.state.set_timeline(timeline)
        self.state.set_error(None)
        self._set_interval(timeline.get("heartbeat_interval"))
        log.info("timeline v%d accepted and saved: %d segments, %d media files",
                 timeline["version"], len(timeline["segments"]), len(timeline["media"]))
        self._sync_and_ack()
        return True

    def _sync_and_ack(self) -> None:
        timeline = self.state.timeline
        if timeline is None:
            return
        missing = self.cache.sync(timeline)
        self.state.set_missing(missing)
        if missing:
            log.warning("timeline v%d: %d media files missing", timeline["version"], len(missing))
        ack = {"version": timeline["version"], "missing": missing}
        try:
            reply = self._call("ack", ack)
        except (TimeoutError, ConnectionError) as exc:
            log.info("ack of v%d not sent (%s); the controller resends on reconnect",
                     timeline["version"], exc)
            return
        log.info("acked timeline v%d (%d missing)", timeline["version"], len(missing))
        if isinstance(reply, dict) and not reply.get("ok", True):
            log.warning("ack refused: %s", reply.get("message") or reply)
