"""Helpers the player tests import: a timeline factory, the controller stand-ins of
fake_controllers.py (re-exported), a player process, a saved player folder, a fake
clock, a polling wait."""

from __future__ import annotations

import json
import select
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from datetime import UTC, datetime
from pathlib import Path

from fake_controllers import (  # noqa: F401  (re-exported: the tests import them from here)
    SCREEN,
    TOKEN,
    FakeController,
    HttpOnlyController,
    MediaApp,
    Running,
    Served,
    serve_like_the_controller,
    sha,
)

ROOT = Path(__file__).resolve().parents[2]
T0 = 1795626000.0  # 2026-11-25T17:00:00Z = midnight in Asia/Ho_Chi_Minh


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
