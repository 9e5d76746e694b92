"""Remote commands from the controller (docs/protocol.md, ``command``): identify,
reload, clear_cache, screenshot, restart and reboot (player/power.py), each answered
with ``command_result``.

The socket thread only checks and queues a command (``CommandRunner.submit``); one
worker thread runs them in order, so a slow download or capture never holds up
heartbeats, and a command that fails is logged and answered ``ok: false``: the player
keeps playing whatever happens here.

``DisplayControl`` is what the commands change on screen; the kiosk page reads it
through ``/api/upcoming`` (player/display/kiosk.py): ``identify`` (the screen's name and
id over everything until a time), ``reload_token`` (the page reloads when it changes)
and ``media_epoch`` (added to media URLs, so the browser fetches refreshed files again).
"""

from __future__ import annotations

import logging
import os
import queue
import secrets
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import requests

from player import download, power, screenshot
from player.cache import MediaCache
from player.clock import Clock
from player.config import PlayerConfig
from player.facts import iso
from player.message_check import MessageRefused, check
from player.messages import COMMAND, COMMANDS, IDENTIFY_SECONDS
from player.state import PlayerState
from player.timeline import SHA256_RE, timeline_media

log = logging.getLogger("pano.player.commands")

MAX_WAITING = 8
REMEMBERED_IDS = 200
MAX_ID = 100

Reply = Callable[[dict], object]


class DisplayControl:
    """Thread-safe: written by commands, read by the kiosk page's API."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._identify: tuple[float, dict, str] | None = None
        self._run = secrets.token_hex(4)  # a restarted player makes the page reload once
        self._reloads = 0
        self._media_epoch = 0

    def identify(self, until: float, name: dict, screen: str) -> None:
        with self._lock:
            self._identify = (until, dict(name), screen)

    def identify_json(self, now: float) -> dict | None:
        """``{"until": ISO time, "name": {lang: text}, "id": screen}`` while it lasts."""
        with self._lock:
            current = self._identify
        if current is None or current[0] <= now:
            return None
        return {"until": iso(current[0]), "name": current[1], "id": current[2]}

    def reload(self) -> str:
        with self._lock:
            self._reloads += 1
            return f"{self._run}-{self._reloads}"

    @property
    def reload_token(self) -> str:
        with self._lock:
            return f"{self._run}-{self._reloads}"

    def bump_media(self) -> int:
        with self._lock:
            self._media_epoch += 1
            return self._media_epoch

    @property
    def media_epoch(self) -> int:
        with self._lock:
            return self._media_epoch


def _result(command_id: str, ok: bool, message: str, **extra: Any) -> dict:
    return {"id": command_id, "ok": ok, "message": message, **extra}


class CommandRunner:
    def __init__(self, config: PlayerConfig, state: PlayerState, cache: MediaCache,
                 clock: Clock, control: DisplayControl | None = None) -> None:
        self.config = config
        self.state = state
        self.cache = cache
        self.clock = clock
        self.control = control  # None: a display with nothing to show (headless)
        self.session = requests.Session()
        self._queue: queue.Queue[tuple[dict, Reply]] = queue.Queue(MAX_WAITING)
        self._seen: deque[str] = deque(maxlen=REMEMBERED_IDS)
        self._lock = threading.Lock()
        self.request_timeline: Callable[[], object] = lambda: None
        self.connected: Callable[[], bool] = lambda: self.state.connected
        # restart: what stops the player and re-executes it (player/cli.py), and how a
        # result is sent waiting for the controller's acknowledgement (player/agent.py)
        self.restart: Callable[[], object] = lambda: None
        self.deliver: Callable[[dict], object] | None = None
        self._after: Callable[[], object] | None = None

    # --- receiving (socket thread) -------------------------------------------------

    def submit(self, payload: object, reply: Reply) -> None:
        """Queue a command, or answer at once if it cannot run."""
        command_id = payload.get("id") if isinstance(payload, dict) else None
        if not isinstance(command_id, str) or not 0 < len(command_id) <= MAX_ID:
            log.warning("ignoring a command without a usable id: %.200r", payload)
            return
        with self._lock:
            if command_id in self._seen:
                log.info("command %s received twice; ignoring the repeat", command_id)
                return
            self._seen.append(command_id)
        try:
            self._queue.put_nowait((payload, reply))  # type: ignore[arg-type]
        except queue.Full:
            reply(_result(command_id, False, f"busy: {MAX_WAITING} commands are waiting"))

    def run(self, stop: threading.Event) -> None:
        """The worker: run queued commands one at a time until ``stop``."""
        while not stop.is_set():
            try:
                payload, reply = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            self._after = None
            result = self.execute(payload)
            after, self._after = self._after, None
            try:
                if after is not None and self.deliver is not None:
                    self.deliver(result)  # acknowledged before the player goes away
                else:
                    reply(result)
            except Exception as exc:  # noqa: BLE001 - the socket may be gone
                log.warning("cannot send the result of %s: %s", result.get("id"), exc)
            if after is not None:
                after()

    # --- running -------------------------------------------------------------------

    def execute(self, payload: dict) -> dict:
        """Run one command; always a ``command_result`` body, never an exception."""
        command_id = payload["id"]
        name = payload.get("command")
        if not isinstance(name, str) or name not in COMMANDS:
            log.info("unsupported command %.60r (%s)", name, command_id)
            return {"id": command_id, "ok": False, "message": "unsupported"}
        try:  # the shape declared in player.messages
            args = (check(COMMAND, payload) or {}).get("args") or {}
        except MessageRefused as exc:
            return _result(command_id, False, f"bad command: {exc}"[:1000])
        log.info("command %s %s %s", name, command_id, args)
        try:
            handler = getattr(self, f"_{name}")
            result = handler(command_id, args)
        except Exception as exc:  # noqa: BLE001 - a command never stops the player
            log.exception("command %s %s failed", name, command_id)
            result = _result(command_id, False, f"{name} failed: {str(exc)[:300]}")
        level = logging.INFO if result.get("ok") else logging.WARNING
        log.log(level, "command %s %s: %s", name, command_id, result.get("message"))
        return result

    def _identify(self, command_id: str, args: dict) -> dict:
        default, low, high = IDENTIFY_SECONDS
        seconds = args.get("seconds", default)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) \
                or not low <= seconds <= high:
            return _result(command_id, False,
                           f"bad command: identify seconds must be {low}…{high}")
        timeline = self.state.timeline or {}
        name = (timeline.get("display") or {}).get("name") or {}
        if not isinstance(name, dict):
            name = {}
        shown = " / ".join(str(v) for v in name.values()) or "(no name yet)"
        log.warning("IDENTIFY: this is screen %s, %s (for %s s)", self.config.screen, shown,
                    seconds)
        if self.control is None:
            return _result(command_id, True, f"{self.config.display} display: nothing to "
                           "show; the screen's name and id were written to the log",
                           seconds=seconds)
        self.control.identify(self.clock.now() + seconds, name, self.config.screen)
        return _result(command_id, True, f"showing the screen's name and id for {seconds} s",
                       seconds=seconds)

    def _reload(self, command_id: str, args: dict) -> dict:
        if args:
            return _result(command_id, False, "bad command: reload takes no arguments")
        token = self.control.reload() if self.control is not None else None
        self.request_timeline()
        page = "page reload requested" if token else "no page to reload (headless)"
        return _result(command_id, True, f"{page}; timeline requested again",
                       timeline_version=self.state.timeline_version)

    def _screenshot(self, command_id: str, args: dict) -> dict:
        if args:
            return _result(command_id, False, "bad command: screenshot takes no arguments")
        page = f"http://127.0.0.1:{self.config.http_port}/"
        try:
            data, method = screenshot.capture(self.config.devtools_url,
                                              self.config.screenshot_command, page)
            answer = screenshot.upload(self.session, self.config.controller,
                                       self.config.token, command_id, data)
        except screenshot.CaptureError as exc:
            return _result(command_id, False, str(exc))
        size = screenshot.image_size(data)
        width, height = size if size else (answer.get("width"), answer.get("height"))
        return _result(command_id, True, f"screenshot uploaded ({width}×{height}, "
                       f"{len(data)} bytes, by {method})", width=width, height=height,
                       size=len(data), method=method)

    def _restart(self, command_id: str, args: dict) -> dict:
        if args:
            return _result(command_id, False, "bad command: restart takes no arguments")
        self._after = self.restart  # once the answer is sent
        return _result(command_id, True, "restarting: the player stops cleanly and starts "
                       "again now", pid=os.getpid())

    def _reboot(self, command_id: str, args: dict) -> dict:
        if args:
            return _result(command_id, False, "bad command: reboot takes no arguments")
        ok, message, extra = power.reboot(self.config.reboot_command)
        return _result(command_id, ok, message, **extra)

    # --- clear_cache ---------------------------------------------------------------

    def _clear_cache(self, command_id: str, args: dict) -> dict:
        """Every cached file goes: the current timeline's files are downloaded again
        and each replaces its cached copy only once complete and verified (so the
        screen keeps playing), every other file is deleted."""
        if args:
            return _result(command_id, False, "bad command: clear_cache takes no arguments")
        if not self.connected():
            return _result(command_id, False, "offline: not clearing the cache")
        timeline = self.state.timeline
        needed = sorted(set(timeline_media(timeline))) if timeline else []
        sizes = {sha: info.get("size") for sha, info in
                 ((timeline or {}).get("media") or {}).items() if isinstance(info, dict)}
        cached = [p for p in self.cache.media_dir.iterdir() if p.is_file()]
        for part in self.cache.tmp_dir.glob("*.part"):
            part.unlink(missing_ok=True)
        names = {p.name for p in cached}
        downloaded, replaced, failed = 0, 0, []
        for index, sha in enumerate(needed):
            try:
                self._download(sha, sizes.get(sha))
                downloaded += 1
                replaced += sha in names
            except (requests.ConnectionError, requests.Timeout) as exc:
                log.warning("clear_cache: controller unreachable (%s); stopping", exc)
                return _result(command_id, False, "offline: the controller stopped answering;"
                               f" refreshed {downloaded} of {len(needed)} files, kept the "
                               "others", removed=replaced, downloaded=downloaded,
                               not_refreshed=len(needed) - index)
            except (download.DownloadError, requests.RequestException, OSError) as exc:
                log.warning("clear_cache: %s… not downloaded: %s", sha[:12], exc)
                failed.append(sha)
                self._drop_if_corrupt(sha)
        removed = replaced  # a refreshed file counts as removed and downloaded
        for path in cached:
            if path.name in needed:
                continue
            if SHA256_RE.match(path.name):
                self.cache.discard(path.name)
            else:
                path.unlink(missing_ok=True)
            removed += 1
        if timeline is not None:
            self.state.set_missing(self.cache.sync(timeline))
        if self.control is not None:
            self.control.bump_media()
        message = (f"removed {removed} cached files, downloaded {downloaded} of the "
                   f"{len(needed)} the timeline needs")
        if failed:
            return _result(command_id, False, f"{message}; {len(failed)} failed (verified "
                           "copies kept, corrupt ones deleted)", removed=removed,
                           downloaded=downloaded, failed=len(failed))
        return _result(command_id, True, message, removed=removed, downloaded=downloaded)

    def _download(self, sha: str, size: object) -> None:
        """Fetch ``sha`` anew and put it in place of the cached copy, atomically."""
        part = self.cache.tmp_dir / f"{sha}.refresh"
        expected = size if isinstance(size, int) and not isinstance(size, bool) else None
        try:
            download.fetch(self.session, self.cache.base_url, self.config.token, sha, part,
                           expected, resume=False)
            self.cache.install(part, sha)
        finally:
            part.unlink(missing_ok=True)

    def _drop_if_corrupt(self, sha: str) -> None:
        """Check the cached copy a failed refresh left (deleted if damaged)."""
        if self.cache.path(sha).exists():
            self.cache.verify(sha, again=True)
