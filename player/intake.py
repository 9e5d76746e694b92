"""Timelines in: whatever brought a timeline (a push on the socket, the answer to a
``timeline_request``, an HTTP poll in HTTP mode), it takes this one path — validated
(``player.timeline_check``), saved atomically before anything acks it, played, its media
fetched, then acked over whichever link is up (protocol sections 4, 5 and 7).

A worker thread does the work, so a long download never holds up heartbeats; it also
fetches a file found damaged on disk as soon as the controller is reachable, and retries
missing files every minute.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from player.cache import MediaCache
from player.config import PlayerConfig
from player.state import PlayerState
from player.store import Store
from player.timeline import TimelineError, parse_time, parse_timeline

log = logging.getLogger("pano.player.agent")

RETRY_MISSING_EVERY = 60.0
RESTORED_AFTER = 86400.0  # a lower version is accepted if generated a day later


def is_newer(new: dict, held: dict | None) -> bool:
    """Protocol rule: ignore a lower version unless it was generated over a day later."""
    if held is None or new["version"] >= held["version"]:
        return True
    return parse_time(new["generated_at"]) > parse_time(held["generated_at"]) + RESTORED_AFTER


class TimelineIntake:
    """``put`` from any thread; ``run`` on the worker thread.

    ``call(event, data)`` sends an event over the link that is up and returns the
    controller's answer (raises ``TimeoutError`` or ``ConnectionError``);
    ``on_interval`` gets each accepted timeline's ``heartbeat_interval``.
    """

    def __init__(self, config: PlayerConfig, state: PlayerState, store: Store,
                 cache: MediaCache, call: Callable[[str, object], object],
                 on_interval: Callable[[object], None]) -> None:
        self.config = config
        self.state = state
        self.store = store
        self.cache = cache
        self.call = call
        self.on_interval = on_interval
        self._inbox: queue.Queue[object] = queue.Queue()
        self._unacked = False  # the last ack could not be sent: try again

    def put(self, data: object) -> None:
        self._inbox.put(data)

    def run(self, stop: threading.Event) -> None:
        last_retry = time.monotonic()
        damage_seen = 0
        while not stop.is_set():
            try:
                data = self._inbox.get(timeout=0.5)
            except queue.Empty:
                # A file found damaged on disk is fetched again as soon as we are
                # connected; other missing files, and an ack that could not be sent,
                # are retried every minute.
                connected = self.state.connected
                damaged = connected and self.cache.damage_count != damage_seen
                again = self.state.snapshot().missing or (self._unacked and connected)
                if damaged or (again and time.monotonic() - last_retry >= RETRY_MISSING_EVERY):
                    last_retry = time.monotonic()
                    damage_seen = self.cache.damage_count
                    self.sync_and_ack()
                continue
            try:
                damage_seen = self.cache.damage_count
                self.accept(data)
            except Exception as exc:  # noqa: BLE001 - never let the worker die
                log.exception("error while handling a timeline: %s", exc)
                self.state.set_error(f"error while handling a timeline: {exc}"[:1000])

    def accept(self, data: object) -> bool:
        """Validate, store (before acking), play, fetch media, ack. True if accepted.

        An invalid timeline (protocol section 4, "A timeline the player finds invalid")
        is refused: the one held keeps playing, nothing is acked for it, and
        ``last_error`` (heartbeat) says which version and why until one is accepted."""
        try:
            timeline = parse_timeline(data)
            if timeline["screen"] != self.config.screen:
                raise TimelineError(f"it is for screen {timeline['screen']!r}, this is "
                                    f"{self.config.screen!r}")
        except TimelineError as exc:
            self.refuse(data, str(exc))
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
        self.on_interval(timeline.get("heartbeat_interval"))
        log.info("timeline v%d accepted and saved: %d segments, %d media files",
                 timeline["version"], len(timeline["segments"]), len(timeline["media"]))
        self.sync_and_ack()
        return True

    def refuse(self, data: object, reason: str) -> None:
        version = data.get("version") if isinstance(data, dict) else None
        named = f"v{version}" if isinstance(version, int) else "(no version)"
        held = self.state.timeline_version
        keeping = f"playing v{held}" if held is not None else "no timeline to play"
        message = f"timeline {named} refused: {reason}"[:900] + f"; {keeping}"
        log.error("%s", message)
        self.state.set_error(message)

    def sync_and_ack(self) -> None:
        timeline = self.state.timeline
        if timeline is None:
            return
        missing = self.cache.sync(timeline)
        self.state.set_missing(missing)
        if missing:
            log.warning("timeline v%d: %d media files missing", timeline["version"], len(missing))
        ack = {"version": timeline["version"], "missing": missing}
        try:
            reply = self.call("ack", ack)
        except (TimeoutError, ConnectionError) as exc:
            log.info("ack of v%d not sent (%s); sent again within a minute of a connection",
                     timeline["version"], exc)
            self._unacked = True
            return
        self._unacked = False
        log.info("acked timeline v%d (%d missing)", timeline["version"], len(missing))
        if isinstance(reply, dict) and not reply.get("ok", True):
            log.warning("ack refused: %s", reply.get("message") or reply)
