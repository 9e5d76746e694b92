"""Controller stand-ins for the player tests: a real media HTTP server with Range support
and injectable faults, a real python-socketio controller, one whose WebSocket is blocked
but whose HTTP routes answer, and an agent running in a thread (player_helpers.py
re-exports them)."""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
from collections import Counter

import socketio
from werkzeug.serving import make_server

from controller.edge.http_server import werkzeug_handler
from player.agent import Agent
from player.backoff import Backoff
from player.cache import MediaCache
from player.clock import Clock
from player.config import PlayerConfig
from player.receipts import Receipts
from player.state import PlayerState
from player.store import Store

TOKEN = "pst_test-token"
SCREEN = "test-screen"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- a real media server -------------------------------------------------------------


class MediaApp:
    """``GET /media/<sha>`` with Bearer auth and ``Range: bytes=N-``; faults on demand."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.cut_once: set[str] = set()  # send half the bytes, then drop the connection
        self.corrupt: Counter[str] = Counter()  # send wrong bytes this many times
        self.ignore_range = False  # answer 200 with the whole file to a Range request
        self.requests: list[tuple[str, str | None]] = []
        self.lock = threading.Lock()

    def add(self, data: bytes) -> str:
        digest = sha(data)
        self.files[digest] = data
        return digest

    def __call__(self, environ: dict, start_response):
        path = environ.get("PATH_INFO", "")
        range_header = environ.get("HTTP_RANGE")
        with self.lock:
            self.requests.append((path, range_header))
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {TOKEN}":
            return _json(start_response, "401 UNAUTHORIZED",
                         {"error": "unauthorized", "message": "Wrong credential."})
        match = re.match(r"^/media/([0-9a-f]{64})$", path)
        if not match or match.group(1) not in self.files:
            return _json(start_response, "404 NOT FOUND",
                         {"error": "not_found", "message": "No such media."})
        digest = match.group(1)
        data = self.files[digest]
        with self.lock:
            if self.corrupt[digest] > 0:
                self.corrupt[digest] -= 1
                data = bytes(b ^ 0x5A for b in data)
            cut = digest in self.cut_once
            self.cut_once.discard(digest)
        start, status = 0, "200 OK"
        headers = [("Content-Type", "application/octet-stream"), ("ETag", f'"{digest}"')]
        range_match = re.match(r"^bytes=(\d+)-$", range_header or "")
        if range_match and not self.ignore_range:
            start = int(range_match.group(1))
            if start >= len(data):
                start_response("416 RANGE NOT SATISFIABLE",
                               [("Content-Range", f"bytes */{len(data)}")])
                return [b""]
            status = "206 PARTIAL CONTENT"
            headers.append(("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}"))
        body = data[start:]
        headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        if cut:
            def cut_stream():
                yield body[: len(body) // 2]
                raise ConnectionAbortedError("test server cuts the download")
            return cut_stream()
        return [body]


def _json(start_response, status: str, obj: dict,
          headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    body = json.dumps(obj).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body))), *(headers or [])])
    return [body]


class HttpOnlyController:
    """A controller behind a proxy that blocks WebSockets: ``/socket.io/`` answers 400,
    the player routes of protocol section 6 answer (``timeline`` is what
    ``GET /api/v1/player/timeline`` gives), media come from a ``MediaApp``."""

    def __init__(self, media: MediaApp) -> None:
        self.media = media
        self.timeline: object = None
        self.accept_token = TOKEN
        self.server_skew = 100.0  # the controller's clock is 100 s ahead
        self.posted: list[tuple[str, object]] = []
        self.polls = 0
        self.not_modified = 0  # polls answered 304 (the player sent the current ETag)
        self.lock = threading.Lock()

    def received(self, route: str) -> list:
        with self.lock:
            return [body for name, body in self.posted if name == route]

    def __call__(self, environ: dict, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/socket.io"):
            start_response("400 BAD REQUEST", [("Content-Type", "text/plain")])
            return [b"WebSocket upgrades are not allowed through this proxy."]
        if path.startswith("/media/"):
            return self.media(environ, start_response)
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {self.accept_token}":
            return _json(start_response, "401 UNAUTHORIZED", {
                "error": "unauthorized", "message": "Wrong or revoked screen credential."})
        method = environ["REQUEST_METHOD"]
        if (method, path) == ("GET", "/api/v1/time"):
            return _json(start_response, "200 OK", {"server_time": time.time()
                                                    + self.server_skew})
        if (method, path) == ("GET", "/api/v1/player/timeline"):
            with self.lock:
                self.polls += 1
            if self.timeline is None:
                return _json(start_response, "404 NOT FOUND", {
                    "error": "not_found", "message": f"No timeline for screen {SCREEN!r}."})
            tag = f'"{SCREEN}-{self.timeline.get("version")}"'  # type: ignore[attr-defined]
            if environ.get("HTTP_IF_NONE_MATCH") == tag:
                with self.lock:
                    self.not_modified += 1
                start_response("304 NOT MODIFIED", [("ETag", tag)])
                return [b""]
            return _json(start_response, "200 OK", self.timeline, [("ETag", tag)])
        if method == "POST" and path in ("/api/v1/player/ack", "/api/v1/player/heartbeat",
                                         "/api/v1/player/emergency_shown",
                                         "/api/v1/player/journal"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length))
            with self.lock:
                self.posted.append((path.rsplit("/", 1)[1], body))
            answer: dict = {"ok": True}
            if path.endswith("/journal"):  # every record stored (protocol section 5)
                answer.update(stored_through=body["records"][-1]["seq"], duplicates=0,
                              findings=[])
            return _json(start_response, "200 OK", answer)
        return _json(start_response, "404 NOT FOUND", {"error": "not_found",
                                                       "message": f"No route {path}."})


class Served:
    """``app`` on a free port, served as the controller serves in threading mode: with
    its request handler, which closes a connection once its WebSocket ends. (werkzeug's
    own handler reads the client's WebSocket close frame as a new HTTP request, answers
    400, and the client waits 3 s for a close that never comes: every player stop
    against a stand-in took 3 s.)"""

    def __init__(self, app) -> None:
        self.server = serve_like_the_controller(0, app)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()






def serve_like_the_controller(port: int, app):  # noqa: ANN201 - werkzeug's BaseWSGIServer
    return make_server("127.0.0.1", port, app, threaded=True,
                       request_handler=werkzeug_handler())


# --- a real Socket.IO controller stand-in ----------------------------------------------


class FakeController:
    """A tiny python-socketio server speaking the player protocol, with a media route."""

    def __init__(self, media: MediaApp) -> None:
        self.sio = socketio.Server(async_mode="threading")
        self.media = media
        self.timeline: dict | None = None  # pushed on connect when push_on_connect
        self.push_on_connect = True
        self.accept_token = TOKEN
        self.server_skew = 100.0  # the controller's clock is 100 s ahead
        self.events: list[tuple[str, object]] = []
        self.connects: list[dict] = []
        self.sids: list[str] = []
        self.lock = threading.Lock()
        ns = "/player"

        @self.sio.on("connect", namespace=ns)
        def connect(sid, environ, auth):
            with self.lock:
                self.connects.append(auth)
            if not isinstance(auth, dict) or auth.get("token") != self.accept_token:
                raise socketio.exceptions.ConnectionRefusedError("unknown or revoked token")
            self.sids.append(sid)
            self.sio.start_background_task(self._greet, sid)

        for event in ("ack", "heartbeat", "command_result"):
            self.sio.on(event, self._recorder(event), namespace=ns)

        @self.sio.on("time", namespace=ns)
        def on_time(sid, data=None):
            return {"ok": True, "server_time": time.time() + self.server_skew}

        @self.sio.on("journal", namespace=ns)
        def on_journal(sid, data=None):
            # Answered as the controller answers a batch it stored (docs/protocol.md
            # section 5): without an answer a stopping player waits 10 s for one.
            self.record("journal", data)
            records = data.get("records") if isinstance(data, dict) else None
            seqs = [r["seq"] for r in records or [] if isinstance(r, dict) and "seq" in r]
            return {"ok": True, "stored_through": max(seqs, default=0), "duplicates": 0,
                    "findings": []}

        @self.sio.on("timeline_request", namespace=ns)
        def on_request(sid, data=None):
            self.record("timeline_request", data)
            return {"ok": True, "timeline": self.timeline}

    def _recorder(self, event: str):
        def handler(sid, data=None):
            self.record(event, data)
            return {"ok": True}
        return handler

    def record(self, event: str, data: object) -> None:
        with self.lock:
            self.events.append((event, data))

    def _greet(self, sid: str) -> None:
        time.sleep(0.1)
        self.sio.emit("welcome", {"screen": SCREEN, "server_time": time.time(),
                                  "heartbeat_interval": 15, "protocol": 1},
                      to=sid, namespace="/player")
        if self.push_on_connect and self.timeline is not None:
            self.sio.emit("timeline", self.timeline, to=sid, namespace="/player")

    def push(self, event: str, data: object) -> None:
        self.sio.emit(event, data, namespace="/player")

    def received(self, event: str) -> list:
        with self.lock:
            return [data for name, data in self.events if name == event]


class Running:
    """An agent running in a thread, like the real player runs it (heartbeats every
    0.3 s; in HTTP mode the timeline is fetched every ``poll`` seconds)."""

    def __init__(self, tmp_path, url: str, token: str = TOKEN, cap: float = 60.0,
                 poll: float = 60.0, receipts: Receipts | None = None) -> None:
        self.config = PlayerConfig(controller=url, screen=SCREEN, token=token,
                                   cache_dir=tmp_path, display="headless",
                                   heartbeat_interval=0.3, http_poll_interval=poll)
        self.state = PlayerState()
        self.store = Store(tmp_path)
        self.cache = MediaCache(tmp_path, url, token)
        self.clock = Clock()
        self.agent = Agent(self.config, self.state, self.store, self.cache, self.clock,
                           Backoff(random.Random(1), base=0.05, cap=cap), receipts=receipts)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.agent.run, args=(self.stop,), daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()
