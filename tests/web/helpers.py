"""Helpers for the web-layer tests: the seeded fleet and a recording Socket.IO player."""

from __future__ import annotations

import atexit
import dataclasses
import functools
import json
import queue
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import socketio
import yaml
from support.prerender import render_once

from controller.auth.tokens import issue_screen_token, issue_user_token
from controller.auth.users import add_user
from controller.content.playlists_write import import_playlists
from controller.content.sites_import import import_sites
from controller.db import make_engine, make_session_factory, upgrade
from controller.media.store import MediaStore
from controller.review.agencies import import_agencies
from controller.settings import Settings, load_settings
from controller.zones.declarations import import_layouts

REPO = Path(__file__).resolve().parents[2]
HEARTBEAT = 0.5  # seconds: offline after 3 missed ones comes quickly
DEADLINE = 10.0  # generous: "within a second" is what a user sees; CI may be slow

WELCOME_SCREENS = ["chan-may-cruise-terminal", "chan-may-gate-kiosk", "phu-bai-arrivals",
                   "phu-bai-baggage", "lang-co-bay-pano"]
BORDER_SCREENS = ["a-dot-entry-hall", "a-dot-outdoor-pano"]


def wait_for(predicate: Callable[[], Any], timeout: float = DEADLINE,
             what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Fleet:
    """The seeded database: settings, a session factory, screen and user tokens."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings.db_url)
        self.sessions = make_session_factory(self.engine)
        self.store = MediaStore(settings.media_dir)
        self.tokens: dict[str, str] = {}
        self.users: dict[str, str] = {}

    def seed(self) -> Fleet:
        upgrade(self.settings.db_url)
        with self.sessions() as session:
            import_layouts(session, REPO / "config" / "layouts.yaml")  # named by sites.yaml
            import_sites(session, REPO / "config" / "sites.yaml")
            import_agencies(session, REPO / "config" / "agencies.yaml")
            import_playlists(session, REPO / "playlists", self.store, REPO / "media", approve=True)
            session.commit()
            for screen in WELCOME_SCREENS + BORDER_SCREENS:
                self.tokens[screen] = issue_screen_token(session, screen)
            for role in ("admin", "technician", "viewer"):
                add_user(session, f"{role}-user", role, password="correct horse battery")
                session.flush()
                self.users[role] = issue_user_token(session, f"{role}-user")
            session.commit()
        return self

    def new_token(self, screen: str) -> str:
        """An operator issues a new credential: the old one is revoked at once."""
        with self.sessions() as session:
            token = issue_screen_token(session, screen)
            session.commit()
        self.tokens[screen] = token
        return token

    def edit_playlist(self, tmp: Path, playlist: str, item: str, title: str) -> None:
        """Re-import a copy of a repository playlist with one English title changed,
        as the CLI does (the import bumps the change counter)."""
        data = yaml.safe_load((REPO / "playlists" / f"{playlist}.yaml").read_text("utf-8"))
        for entry in data["items"]:
            if entry["id"] == item:
                entry["variants"]["en"]["title"] = title
        tmp.mkdir(parents=True, exist_ok=True)
        path = tmp / f"{playlist}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        with self.sessions() as session:
            import_playlists(session, path, self.store, REPO / "media", approve=True,
                             draw_slides=True)
            session.commit()

    def close(self) -> None:
        self.engine.dispose()

    @classmethod
    def seeded(cls, data_dir: Path, **overrides: Any) -> Fleet:
        """A fleet as :meth:`seed` leaves it, in ``data_dir``: a copy of the files of
        one seeding per test process (migrations, the demo content with its slides
        and people cost most of a second each time). ``overrides`` are settings that
        do not change what is seeded."""
        template, tokens, users = _template()
        shutil.copytree(template, data_dir, dirs_exist_ok=True)
        fleet = cls(make_settings(data_dir, **overrides))
        fleet.tokens, fleet.users = dict(tokens), dict(users)
        return fleet


@functools.cache
def _template() -> tuple[Path, dict[str, str], dict[str, str]]:
    data = Path(tempfile.mkdtemp(prefix="pano-seeded-"))
    atexit.register(shutil.rmtree, data, True)
    fleet = Fleet(make_settings(data)).seed()
    fleet.close()  # the last connection closes: the WAL is folded into pano.db
    render_once(data, jobs_worker="thread", media_source_dir=REPO / "media")
    return data, dict(fleet.tokens), dict(fleet.users)


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    # Jobs (imports, uploads) run in threads of the in-process server: no subprocess to
    # start per test module (tests/e2e/test_jobs.py runs the real embedded worker).
    overrides.setdefault("jobs_worker", "thread")
    overrides.setdefault("heartbeat_interval", HEARTBEAT)
    settings = load_settings(data_dir=data_dir,
                             media_source_dir=REPO / "media", **overrides)
    return dataclasses.replace(settings, port=0, change_poll_interval=0.1,
                               secret_key="test-secret-key-" + "x" * 32)


class Player:
    """A real python-socketio client on the websocket transport, recording what the
    controller sends to ``/player``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = socketio.Client(reconnection=False)
        self.timelines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.all_timelines: list[dict[str, Any]] = []
        self.welcomes: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self.connect_errors: list[Any] = []
        self.disconnected = threading.Event()
        on = self.client.on
        on("timeline", self._on_timeline, namespace="/player")
        on("welcome", self.welcomes.append, namespace="/player")
        on("error", self.errors.append, namespace="/player")
        on("connect_error", self.connect_errors.append, namespace="/player")
        on("disconnect", lambda *a: self.disconnected.set(), namespace="/player")

    def _on_timeline(self, body: dict[str, Any]) -> None:
        self.all_timelines.append(body)
        self.timelines.put(body)

    def connect(self, screen: str | None, token: str | None, **extra: Any) -> Player:
        auth: dict[str, Any] = {**extra}
        if screen is not None:
            auth["screen"] = screen
        if token is not None:
            auth["token"] = token
        self.client.connect(self.url, namespaces=["/player"], auth=auth,
                            transports=["websocket"], wait_timeout=DEADLINE)
        return self

    def next_timeline(self, timeout: float = DEADLINE) -> dict[str, Any]:
        return self.timelines.get(timeout=timeout)

    def call(self, event: str, data: Any = None) -> Any:
        if data is None:
            return self.client.call(event, namespace="/player", timeout=DEADLINE)
        return self.client.call(event, data, namespace="/player", timeout=DEADLINE)

    def close(self) -> None:
        """Disconnect without waiting: python-engineio's client waits up to 3 s for the
        websocket close handshake, which the server has already seen."""
        if self.client.connected:
            threading.Thread(target=self.client.disconnect, daemon=True).start()


class RawSocket:
    """A bare WebSocket speaking Engine.IO 4 by hand, to send what no well-behaved
    client library would."""

    def __init__(self, base_url: str) -> None:
        import websocket

        url = base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(url, timeout=DEADLINE)
        opening = self.ws.recv()
        assert opening.startswith("0{"), opening

    def send(self, frame: str) -> None:
        self.ws.send(frame)

    def wait_frame(self, prefix: str) -> str:
        """Read frames until one starts with ``prefix`` (ignoring the others)."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            frame = self.ws.recv()
            if isinstance(frame, str) and frame.startswith(prefix):
                return frame
        raise AssertionError(f"no frame starting with {prefix!r}")

    def close(self) -> None:
        try:
            self.ws.close(timeout=0.5)
        except Exception:  # the server may have closed it already
            pass


# --------------------------------------------------------------------------- HTTP API


def call(server, method: str, path: str, token: str | None, body: Any = None,
         raw: bytes | None = None) -> tuple[int, Any]:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(server.url + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=DEADLINE) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


class Api:
    """Calls /api/v1 with requests; asserts every answer is JSON and every error has
    exactly ``error`` and ``message``."""


    def __init__(self, server) -> None:
        self.url = server.url + "/api/v1"

    def __call__(self, method: str, path: str, token: str | None = None,
                 body: Any = None, raw: bytes | None = None,
                 content_type: str = "application/json") -> tuple[int, Any]:
        headers = {"Content-Type": content_type}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (None if body is None else
                                             json.dumps(body))
        response = requests.request(method, self.url + path, data=data, headers=headers,
                                    timeout=10)
        assert response.headers["Content-Type"].startswith("application/json"), response.text
        answer = response.json()
        if response.status_code >= 400:
            assert set(answer) == {"error", "message"} and answer["message"], answer
        return response.status_code, answer


def people_tokens(fleet: Fleet, people: dict[str, tuple[str, str | None]]) -> dict[str, str]:
    """Personal API tokens of the fleet's admin, viewer and technician, and of new users
    ``{username: (role, agency)}``."""
    out = {role: fleet.users[role] for role in ("admin", "viewer", "technician")}
    with fleet.sessions() as session:
        for name, (role, agency) in people.items():
            add_user(session, name, role, password="correct horse battery", agency=agency)
            session.flush()
            out[name] = issue_user_token(session, name)
        session.commit()
    return out
