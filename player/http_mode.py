"""HTTP mode: how a player whose WebSocket fails still talks to a controller that answers
over plain HTTP (a proxy that refuses WebSocket upgrades), with the routes of protocol
section 6.

The controller accepts Socket.IO over WebSocket only (docs/security.md 3.1), so the agent
(``player.agent``) tries nothing else. When the WebSocket fails for a reason other than a
refused credential, ``probe`` asks ``GET /api/v1/time``: a controller that answers is
reachable and only the WebSocket is blocked, so ``run`` takes over — it measures the
clock with that route, fetches the timeline with ``GET /api/v1/player/timeline`` every
``http_poll_interval`` (each one goes through the same intake as a pushed one:
``player.intake``), posts heartbeats every ``heartbeat_interval`` and acks to
``/api/v1/player/heartbeat`` and ``/api/v1/player/ack``, and tries the WebSocket again
every 4–6 poll intervals, returning to it as soon as it opens. A controller that does not
answer at all is unreachable: the agent waits with its usual backoff.

Emergency receipts go to ``POST /api/v1/player/emergency_shown`` after each heartbeat;
the play journal's batches (``player.journal_sender``, its own thread) to
``POST /api/v1/player/journal``.
The timeline poll sends the last timeline's ``ETag`` back in ``If-None-Match``, so an
unchanged timeline costs a ``304`` and no body. What HTTP cannot carry: remote commands
(the controller sends them on the socket only, and refuses them for a screen it hears
from over HTTP only). Changes arrive within a poll interval instead of a second.
"""

from __future__ import annotations

import enum
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Protocol

import requests

from player import SOFTWARE
from player.config import PlayerConfig
from player.link_failure import short_reason
from player.state import PlayerState

log = logging.getLogger("pano.player.http_mode")

TIMEOUT = (5.0, 10.0)  # connect, read: seconds
LOST_AFTER = 2  # consecutive failed requests: the controller is gone (a dropped socket)
RETRY_WEBSOCKET = (4.0, 6.0)  # the WebSocket is tried again after this many polls
MAX_TIMELINE_BYTES = 8 * 1024 * 1024  # a timeline is a few KiB; a large one some 100 KiB
ROUTES = {"ack": "/api/v1/player/ack", "heartbeat": "/api/v1/player/heartbeat",
          "emergency_shown": "/api/v1/player/emergency_shown",
          "journal": "/api/v1/player/journal"}
TRANSPORT = "http"
TIMELINE = "/api/v1/player/timeline"


class Reach(enum.Enum):
    """What ``probe`` found: the controller answers, refuses the credential, or neither."""

    ANSWERS = "answers"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"


class Host(Protocol):
    """What HTTP mode needs of the agent."""

    heartbeat_interval: float

    def heartbeat(self) -> dict: ...

    def deliver(self, timeline: object) -> None: ...

    def measure_clock(self, ask: Callable[[], float]) -> None: ...

    def try_websocket(self) -> bool: ...

    def send_receipts(self) -> None: ...


class HttpMode:
    def __init__(self, config: PlayerConfig, state: PlayerState, *,
                 session: requests.Session | None = None,
                 rng: random.Random | None = None) -> None:
        self.base = config.controller
        self.poll_interval = config.http_poll_interval
        self.state = state
        self.session = session or requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {config.token}",
                                     "User-Agent": SOFTWARE})
        self.rng = rng or random.Random()
        self.refusal: str | None = None  # the controller's words for a refused credential
        self._failures = 0
        self._lock = threading.Lock()  # one request at a time (requests.Session)
        self._last: object = None  # the last timeline body delivered
        self._etag: str | None = None  # its ETag, sent back in If-None-Match

    # --- the routes of section 6 -------------------------------------------------

    def _request(self, method: str, path: str, body: object = None,
                 headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """The status and body of one request, or ``ConnectionError`` if there was no
        answer worth the name (no connection, a timeout, a 5xx, a refused credential)."""
        what = f"{method} {path}"
        try:
            with self._lock:
                with self.session.request(method, self.base + path, json=body,
                                          headers=headers, timeout=TIMEOUT,
                                          stream=True) as response:
                    status, content = response.status_code, _read_bounded(response, what)
                    if status == 200 and path == TIMELINE:
                        self._etag = response.headers.get("ETag")
        except (requests.RequestException, ValueError) as exc:
            self._failed()
            raise ConnectionError(f"{what}: {short_reason(exc)}") from exc
        if status == 401:
            self.refusal = _message(content) or "unauthorized"
            self._failed(fatal=True)
            raise ConnectionError(f"{what}: credential refused: {self.refusal}")
        if status >= 500:
            self._failed()
            raise ConnectionError(f"{what}: answered HTTP {status}")
        with self._lock:
            self._failures = 0
        return status, content

    def _failed(self, fatal: bool = False) -> None:
        with self._lock:
            self._failures = LOST_AFTER if fatal else self._failures + 1

    def probe(self) -> Reach:
        """Does the controller answer over HTTP (``GET /api/v1/time``) with this
        credential? Called after the WebSocket failed."""
        self.refusal = None
        try:
            self.server_time()
        except ConnectionError as exc:
            if self.refusal is not None:
                return Reach.REFUSED
            log.info("the controller does not answer over HTTP either (%s)", exc)
            return Reach.UNREACHABLE
        except ValueError as exc:
            log.warning("%s answers, but not as a Pano controller: %s", self.base, exc)
            return Reach.UNREACHABLE
        with self._lock:
            self._failures = 0
        return Reach.ANSWERS

    def server_time(self) -> float:
        """The controller's clock (``GET /api/v1/time``); ``ValueError`` if the answer
        is not one."""
        status, content = self._request("GET", "/api/v1/time")
        try:
            value = json.loads(content)["server_time"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"GET /api/v1/time answered HTTP {status} without a "
                             "server_time") from exc
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"GET /api/v1/time: server_time {value!r} is not a number")
        return float(value)

    def timeline(self, current: bool = False) -> object | None:
        """The screen's timeline as the controller sends it (checked by the intake),
        or None (unchanged since the last one, when ``current`` asks the controller to
        say so; or the controller has none for us, or refused: logged)."""
        tag = self._etag if current else None
        status, content = self._request("GET", TIMELINE,
                                        headers={"If-None-Match": tag} if tag else None)
        if status == 304:
            return None
        if status != 200:
            log.warning("GET /api/v1/player/timeline answered HTTP %d: %s", status,
                        _message(content) or "no message")
            return None
        try:
            return json.loads(content)
        except ValueError:
            log.warning("GET /api/v1/player/timeline answered something that is not JSON")
            return None

    def call(self, event: str, data: object) -> dict:
        """Send ``ack`` or ``heartbeat`` as its route's JSON body; the answer as the
        socket's acknowledgement would give it (``{"ok": …}``). Any other event has no
        HTTP route: ``ConnectionError``, so it waits for the WebSocket."""
        path = ROUTES.get(event)
        if path is None:
            raise ConnectionError(f"the controller has no HTTP route for {event}: sent "
                                  "once the WebSocket is back")
        status, content = self._request("POST", path, data)
        if 200 <= status < 300:
            try:  # the answer as the event's acknowledgement (journal: stored_through…)
                body = json.loads(content)
            except ValueError:
                body = None
            return dict(body, ok=True) if isinstance(body, dict) else {"ok": True}
        return {"ok": False, "error": _error(content) or f"http_{status}",
                "message": _message(content) or f"HTTP {status}"}

    # --- the mode ------------------------------------------------------------------

    def run(self, stop: threading.Event, host: Host) -> bool:
        """Serve the controller over HTTP until the WebSocket opens (True) or the
        controller stops answering or ``stop`` is set (False)."""
        self.state.set_link(TRANSPORT)
        log.warning("the WebSocket to %s fails but its HTTP routes answer: HTTP mode "
                    "(timeline polled every %g s; the WebSocket tried again every few "
                    "minutes; remote commands and emergency receipts wait for it)",
                    self.base, self.poll_interval)
        websocket = False
        try:
            host.measure_clock(self.server_time)
            now = time.monotonic()
            next_poll = next_beat = now
            retry_at = now + self._retry_delay()
            first = True
            while not stop.is_set() and self._failures < LOST_AFTER:
                now = time.monotonic()
                if now >= next_poll:
                    self._poll(host, always=first)
                    first = False
                    next_poll = now + self.poll_interval
                if now >= next_beat:
                    self._beat(host)
                    next_beat = now + host.heartbeat_interval
                if now >= retry_at:
                    if host.try_websocket():
                        websocket = True
                        log.info("the WebSocket works again: leaving HTTP mode")
                        return True
                    retry_at = time.monotonic() + self._retry_delay()
                stop.wait(max(0.05, min(next_poll, next_beat, retry_at) - time.monotonic()))
            if not stop.is_set():
                log.warning("the controller stopped answering over HTTP: %s",
                            self.refusal or "no answer")
            return False
        finally:
            if not websocket:
                self.state.set_link(None)

    def _retry_delay(self) -> float:
        return self.poll_interval * self.rng.uniform(*RETRY_WEBSOCKET)

    def _poll(self, host: Host, *, always: bool) -> None:
        """Fetch the timeline; hand it to the intake if it is new to us (the first
        poll of a session always, so it is acked at least once per session)."""
        try:
            data = self.timeline(current=not always)
        except ConnectionError as exc:
            log.warning("timeline not fetched: %s", exc)
            return
        if data is not None and (always or data != self._last):
            self._last = data
            host.deliver(data)

    def _beat(self, host: Host) -> None:
        try:
            reply = self.call("heartbeat", host.heartbeat())
        except ConnectionError as exc:
            log.warning("heartbeat not sent: %s", exc)
            return
        if not reply["ok"]:
            log.warning("heartbeat refused: %s", reply["message"])
        host.send_receipts()


def _read_bounded(response: requests.Response, what: str) -> bytes:
    """The body, refused past ``MAX_TIMELINE_BYTES`` while it is read."""
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_TIMELINE_BYTES:
            response.close()
            raise ValueError(f"{what}: the answer is over {MAX_TIMELINE_BYTES // 2**20} MiB, "
                             "more than any timeline")
        chunks.append(chunk)
    return b"".join(chunks)


def _field(content: bytes, name: str) -> str | None:
    """A field of a JSON refusal (protocol section 2), if there is one."""
    try:
        body = json.loads(content)
    except ValueError:
        return None
    value = body.get(name) if isinstance(body, dict) else None
    return str(value)[:300] if value else None


def _message(content: bytes) -> str | None:
    return _field(content, "message")


def _error(content: bytes) -> str | None:
    return _field(content, "error")

