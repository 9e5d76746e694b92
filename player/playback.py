"""The playback loop: every ~200 ms, resolve what plays now and record changes.

Both display backends run it; the kiosk page then shows what the loop resolves. An active
emergency is resolved first and shown over everything; the first time one is shown,
``on_emergency_shown(id, at)`` is called (the player queues a delivery receipt).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from player.cache import MediaCache
from player.clock import Clock
from player.facts import iso
from player.state import PlayerState
from player.timeline import (
    Playing,
    active_emergency,
    item_media,
    parse_time,
    resolve,
    upcoming,
)

log = logging.getLogger("pano.player.playback")

TICK = 0.2


class Playback:
    def __init__(self, state: PlayerState, clock: Clock, cache: MediaCache,
                 on_emergency_shown: Callable[[int, float], None] | None = None) -> None:
        self.state = state
        self.clock = clock
        self.cache = cache
        self.on_emergency_shown = on_emergency_shown

    def playable(self, timeline: dict) -> Callable[[dict], bool]:
        """An item can play when every media file it needs on this screen is cached."""
        languages = (timeline.get("display") or {}).get("languages")

        def can_play(item: dict) -> bool:
            return all(self.cache.has(sha) for sha in item_media(item, languages))

        return can_play

    def current(self, now: float | None = None) -> Playing | None:
        timeline = self.state.timeline
        if timeline is None:
            return None
        now = self.clock.now() if now is None else now
        return resolve(timeline, now, self.playable(timeline))

    def upcoming(self, count: int = 3, now: float | None = None) -> list[Playing]:
        timeline = self.state.timeline
        if timeline is None:
            return []
        now = self.clock.now() if now is None else now
        return upcoming(timeline, now, count, self.playable(timeline))

    def tick(self) -> Playing | None:
        """Resolve once; log and record a change of item."""
        now = self.clock.now()
        timeline = self.state.timeline
        try:
            self._emergency(timeline, now)
            playing = self.current(now)
        except Exception as exc:  # noqa: BLE001 - a bad timeline must never stop the loop
            log.exception("cannot resolve the timeline: %s", exc)
            self.state.set_error(f"cannot resolve the timeline: {exc}")
            return None
        expired = bool(timeline) and now >= parse_time(timeline["valid_until"])
        self.state.set_stale(bool(playing and playing.stale) or expired)
        if self.state.set_playing(playing, now):
            if playing is None:
                log.info("now playing: nothing (idle page)")
            else:
                log.info("now playing: %s item %d %r (%s) until %s%s", playing.playlist_key,
                         playing.item_index, playing.item.get("id"), playing.item.get("type"),
                         iso(playing.ends_at), " [stale timeline]" if playing.stale else "")
        return playing

    def _emergency(self, timeline: dict | None, now: float) -> None:
        emergency = active_emergency(timeline, now) if timeline else None
        if not self.state.set_emergency(emergency, now):
            return
        if emergency is None:
            log.info("emergency over: back to the timeline")
            return
        title = next(iter(emergency["messages"].values()), {}).get("title", "")
        log.warning("EMERGENCY %d shown until %s: %s", emergency["id"], emergency["until"],
                    title)
        if self.on_emergency_shown is not None:
            self.on_emergency_shown(emergency["id"], now)

    def run(self, stop: threading.Event) -> None:
        log.info("playback loop started")
        while not stop.is_set():
            self.tick()
            stop.wait(TICK)
        log.info("playback loop stopped")
