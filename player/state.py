"""The player's shared state, read by the status page and heartbeats, written by the
agent (timeline, connection, errors) and the playback loop (what is on screen)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from player.timeline import Playing


@dataclass
class Snapshot:
    timeline: dict | None
    connected: bool
    playing: Playing | None
    since: float | None
    last_error: str | None
    missing: list[str] = field(default_factory=list)
    stale: bool = False
    emergency: dict | None = None  # the timeline's entry being shown, if any
    emergency_since: float | None = None
    transport: str | None = None  # "websocket", "http" (HTTP mode) or None (offline)


class PlayerState:
    """Thread-safe holder; every method takes the lock briefly and never blocks."""

    def __init__(self, timeline: dict | None = None) -> None:
        self._lock = threading.Lock()
        self._timeline = timeline
        self._transport: str | None = None  # the link to the controller, if any
        self._playing: Playing | None = None
        self._since: float | None = None
        self._last_error: str | None = None
        self._missing: list[str] = []
        self._stale = False
        self._emergency: dict | None = None
        self._emergency_since: float | None = None
        self.timeline_changed = threading.Event()

    @property
    def timeline(self) -> dict | None:
        with self._lock:
            return self._timeline

    def set_timeline(self, timeline: dict) -> None:
        with self._lock:
            self._timeline = timeline
        self.timeline_changed.set()

    @property
    def timeline_version(self) -> int | None:
        timeline = self.timeline
        return None if timeline is None else timeline.get("version")

    @property
    def connected(self) -> bool:
        """True while the controller is reached, over the WebSocket or in HTTP mode."""
        with self._lock:
            return self._transport is not None

    @property
    def transport(self) -> str | None:
        with self._lock:
            return self._transport

    def set_link(self, transport: str | None) -> None:
        """``"websocket"``, ``"http"`` (player/http_mode.py) or None: not connected."""
        with self._lock:
            self._transport = transport

    @property
    def last_error(self) -> str | None:
        with self._lock:
            return self._last_error

    def set_error(self, message: str | None) -> None:
        with self._lock:
            self._last_error = message

    def set_missing(self, missing: list[str]) -> None:
        with self._lock:
            self._missing = list(missing)

    def set_stale(self, stale: bool) -> None:
        with self._lock:
            self._stale = stale

    @property
    def stale(self) -> bool:
        with self._lock:
            return self._stale

    def set_playing(self, playing: Playing | None, at: float | None = None) -> bool:
        """Record what is on screen; True if it changed (another item, or none)."""
        with self._lock:
            if _same(self._playing, playing):
                self._playing = playing  # keep the freshest times (ends_at may move)
                return False
            self._playing = playing
            self._since = time.time() if at is None else at
            return True

    def set_emergency(self, emergency: dict | None, at: float) -> bool:
        """Record the emergency on screen (None: none); True if another one (or none)."""
        with self._lock:
            old = None if self._emergency is None else self._emergency.get("id")
            new = None if emergency is None else emergency.get("id")
            self._emergency = emergency
            if old == new:
                return False
            self._emergency_since = None if emergency is None else at
            return True

    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(self._timeline, self._transport is not None, self._playing,
                            self._since, self._last_error, list(self._missing), self._stale,
                            self._emergency, self._emergency_since, self._transport)


def _same(a: Playing | None, b: Playing | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.playlist_key, a.item_index, a.started_at) == (
        b.playlist_key, b.item_index, b.started_at)


def reported_error(snapshot: Snapshot, damaged: dict[str, str] | None = None) -> str | None:
    """The error to report: the last one, else "timeline expired" past the timeline's end
    and the cached files found damaged on disk (``MediaCache.damaged``)."""
    if snapshot.last_error:
        return snapshot.last_error
    parts = ["timeline expired"] if snapshot.stale else []
    if damaged:
        listed = "; ".join(f"{sha[:12]}… ({why})" for sha, why in list(damaged.items())[:5])
        more = f" and {len(damaged) - 5} more" if len(damaged) > 5 else ""
        parts.append(f"{len(damaged)} cached media file{'s' if len(damaged) > 1 else ''} "
                     f"damaged on disk, deleted and not shown: {listed}{more}; downloaded "
                     "again when the controller is reachable")
    return "; ".join(parts) or None
