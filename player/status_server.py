"""The player's local HTTP server on 127.0.0.1: ``GET /status`` for every backend, plus the
routes a display backend adds (the kiosk page, and its ``POST /api/shown`` reports)."""

from __future__ import annotations

import json
import logging
import mimetypes
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from player import SOFTWARE
from player.cache import MediaCache
from player.clock import Clock
from player.facts import iso
from player.journal import Journal
from player.state import PlayerState, reported_error

log = logging.getLogger("pano.player.http")

STARTED_AT = time.time()  # when this player process started
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
MAX_POST = 16 * 1024  # bytes: the page's reports are a few hundred
Routes = Callable[["Handler", str], bool]


def status_document(screen: str, state: PlayerState, clock: Clock, cache: MediaCache,
                    journal: Journal | None = None, display: dict | None = None) -> dict:
    snap = state.snapshot()
    playing = None
    if snap.playing is not None:
        p = snap.playing
        slide = p.slide_at(clock.now())
        playing = {"playlist": p.playlist_key, "item": p.item.get("id"),
                   "type": p.item.get("type"), "started_at": iso(p.started_at),
                   "ends_at": iso(p.ends_at),
                   # the language(s) on screen now (one at a time in alternate mode)
                   "languages": None if slide is None else list(slide.languages)}
    return {
        "screen": screen,
        "software": SOFTWARE,
        # when this process started, to the millisecond (a ``restart`` changes it)
        "started_at": datetime.fromtimestamp(STARTED_AT, UTC).isoformat(
            timespec="milliseconds").replace("+00:00", "Z"),
        "timeline_version": None if snap.timeline is None else snap.timeline.get("version"),
        "now_playing": playing,
        "since": None if snap.since is None else iso(snap.since),
        "connected": snap.connected,
        "transport": snap.transport,  # "websocket", "http" (HTTP mode) or null
        "clock_offset": clock.offset,
        "last_error": reported_error(snap, cache.damaged(snap.timeline)),
        "stale": snap.stale,
        "cache": cache.status(snap.timeline),
        "emergency": None if snap.emergency is None else {
            "id": snap.emergency.get("id"), "until": snap.emergency.get("until"),
            "since": None if snap.emergency_since is None else iso(snap.emergency_since)},
        # The play journal (docs/operations.md): its id, records not stored by the
        # controller yet and the start of the oldest, bytes on disk, losses declared.
        "journal": None if journal is None else journal.status(),
        # Whether the kiosk page is alive (player/page_alive.py), as the heartbeat says.
        "display": display,
    }


class Handler(BaseHTTPRequestHandler):
    server: PlayerHTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = urlsplit(self.path).path
        try:
            if path == "/status":
                self.send_json(self.server.status())
            elif not (self.server.routes and self.server.routes(self, path)):
                self.send_json({"error": "not_found", "message": f"No such page: {path}"}, 404)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # noqa: BLE001 - answer, log, keep serving
            log.exception("error serving %s", path)
            self.send_json({"error": "internal", "message": str(exc)[:200]}, 500)

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        path = urlsplit(self.path).path
        try:
            if not (self.server.routes and self.server.routes(self, path)):
                self.send_json({"error": "not_found", "message": f"No such route: {path}"},
                               404)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # noqa: BLE001 - answer, log, keep serving
            log.exception("error serving POST %s", path)
            self.send_json({"error": "internal", "message": str(exc)[:200]}, 500)

    def read_json(self) -> object:
        """The request's JSON body, at most ``MAX_POST`` bytes; ``ValueError`` if not."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= MAX_POST:
            self.close_connection = True
            raise ValueError(f"the body must be JSON of 1 to {MAX_POST} bytes, with its "
                             "Content-Length")
        return json.loads(self.rfile.read(length))

    def send_bytes(self, body: bytes, content_type: str, status: int = 200,
                   headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, obj: object, status: int = 200) -> None:
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.send_bytes(body, "application/json; charset=utf-8", status)

    def send_file(self, path: Path, content_type: str | None = None,
                  cache_control: str = "no-store") -> None:
        """Serve a file, honouring ``Range: bytes=a-b`` (videos seek with it)."""
        size = path.stat().st_size
        content_type = content_type or mimetypes.guess_type(path.name)[0] or \
            "application/octet-stream"
        start, end, status = 0, size - 1, 200
        match = RANGE_RE.match(self.headers.get("Range", "").strip())
        if match and (match.group(1) or match.group(2)):
            if match.group(1):
                start = int(match.group(1))
                end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
            else:
                start = max(size - int(match.group(2)), 0)
            if start > end or start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", cache_control)
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        with open(path, "rb") as f:
            f.seek(start)
            left = end - start + 1
            while left > 0:
                block = f.read(min(left, 256 * 1024))
                if not block:
                    break
                self.wfile.write(block)
                left -= len(block)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)


class PlayerHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, status: Callable[[], dict], routes: Routes | None = None,
                 host: str = "127.0.0.1") -> None:
        super().__init__((host, port), Handler)
        self.status = status
        self.routes = routes

    @property
    def port(self) -> int:
        return self.server_address[1]

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="http", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
