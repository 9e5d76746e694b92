"""Helpers the player tests import: a timeline factory, a real media HTTP server with Range
support and injectable faults, a real python-socketio controller stand-in, a stand-in
whose WebSocket is blocked but whose HTTP routes answer, an agent running in a thread,
a polling wait."""

from __future__ import annotations

import hashlib
import json
import random
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import socketio
from werkzeug.serving import make_server

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
ROOT = Path(__file__).resolve().parents[2]
T0 = 1795626000.0  # 2026-11-25T17:00:00Z = midnight in Asia/Ho_Chi_Minh


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_item(item_id: str, duration: float) -> dict:
    return {"id": item_id, "type": "text", "duration": duration,
            "variants": {"vi": {"title": f"Xin chào {item_id}", "body": "Chào mừng",
                                "media": None, "url": None},
                         "en": {"title": f"Hello {item_id}", "body": "Welcome",
                                "media": None, "url": None}}}


def image_item(item_id: str, duration: float, digest: str) -> dict:
    return {"id": item_id, "type": "image", "duration": duration,
            "variants": {"vi": {"title": "Ảnh", "body": "", "media": digest, "url": None},
                         "en": {"title": "Picture", "body": "", "media": digest, "url": None}}}


def make_timeline(segments: list[tuple[float, float, str | None]], playlists: dict,
                  media: dict | None = None, version: int = 1, screen: str = SCREEN,
                  generated_at: float = T0, mode: str = "dual") -> dict:
    """``segments`` as (from, until, playlist key); ``playlists`` key → list of items."""
    start = segments[0][0] if segments else T0
    end = segments[-1][1] if segments else T0 + 3 * 86400
    return {
        "schema": 1, "screen": screen, "version": version,
        "generated_at": iso(generated_at), "valid_from": iso(start), "valid_until": iso(end),
        "timezone": "Asia/Ho_Chi_Minh", "heartbeat_interval": 15,
        "display": {"name": {"vi": "Sảnh đến", "en": "Arrivals"}, "orientation": "landscape",
                    "resolution": [1920, 1080], "languages": ["vi", "en"],
                    "bilingual_mode": mode},
        "segments": [{"from": iso(a), "until": iso(b), "playlist": key, "reason": "test"}
                     for a, b, key in segments],
        "playlists": {key: {"id": key.split("@")[0], "version": 1, "title": {"en": key},
                            "items": items} for key, items in playlists.items()},
        "media": media or {},
    }


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
    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()






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


def png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real, tiny PNG image (so a browser can decode it)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


PICTURE = png()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def saved_player_dir(tmp_path: Path, *, start: float | None = None, hours: float = 72,
                     missing: bytes | None = None, mode: str = "dual",
                     items: list | None = None) -> Path:
    """A cache dir as a player leaves it: timeline.json, clock.json and media/."""
    start = time.time() - 600 if start is None else start
    media = {sha(PICTURE): {"size": len(PICTURE), "mime": "image/png"}}
    items = items or [image_item("citadel", 2.0, sha(PICTURE)), text_item("hello", 2.0)]
    if missing is not None:
        media[sha(missing)] = {"size": len(missing), "mime": "image/png"}
        items.append(image_item("absent", 2.0, sha(missing)))
    timeline = make_timeline([(start, start + hours * 3600, "welcome@1")],
                             {"welcome@1": items}, media=media, version=7, mode=mode)
    cache = tmp_path / "cache"
    (cache / "media").mkdir(parents=True)
    (cache / "media" / sha(PICTURE)).write_bytes(PICTURE)
    (cache / "timeline.json").write_text(json.dumps(timeline))
    (cache / "clock.json").write_text(json.dumps({"clock_offset": 0.0}))
    return cache


class PlayerProcess:
    def __init__(self, cache: Path, display: str = "kiosk") -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "player.cli",
             "--controller", f"http://127.0.0.1:{free_port()}",  # nobody listens there
             "--screen", SCREEN, "--token", "pst_x", "--cache-dir", str(cache),
             "--display", display, "--http-port", "0"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.port = self._read_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def _read_port(self) -> int:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                line = self.proc.stdout.readline()
                if line.startswith("http_port="):
                    return int(line.strip().split("=")[1])
            if self.proc.poll() is not None:
                break
        self.proc.kill()
        raise AssertionError(f"player did not start: {self.proc.stderr.read()}")

    def get(self, path: str, headers: dict | None = None):
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def json(self, path: str) -> dict:
        status, _, body = self.get(path)
        assert status == 200, body
        return json.loads(body)

    def stop(self) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        return self.proc.returncode, self.proc.stderr.read()


class FakeClock:
    """A clock standing still at ``t`` (the player's ``Clock`` interface)."""

    offset = 0.0

    def __init__(self, now: float) -> None:
        self.t = now

    def now(self) -> float:
        return self.t


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05, what: str = "condition"):
    """Poll until ``predicate()`` is truthy; return its value or fail with ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")
