"""The playback loop: every ~200 ms, resolve what plays now and record changes.

Both display backends run it; the kiosk page then shows what the loop resolves. An active
emergency is resolved first and shown over everything; the first time one is shown,
``on_emergency_shown(id, at)`` is called (the player queues a delivery receipt).

Cached files are checked after a start (player/cache.py). An item keeps its place in the
loop while its files are in the cache, checked or not yet, so the check never shifts what
plays; it loses it when a file is missing or found damaged (protocol section 8). The item
due now is shown only once its files are checked: small ones are checked here at once,
a big one (a video) is handed to the background check first in line, and until then
nothing is reported playing (``now_playing: null``) rather than unchecked bytes.

With a ``recorder`` (player/play_recorder.py) each tick lets it end a kiosk record whose
page fell silent; a headless player (``records_decisions``) also records what the loop
decided is on screen, since no page confirms anything.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from player.cache import MediaCache
from player.clock import Clock
from player.facts import iso
from player.on_screen import decided
from player.play_recorder import PlayRecorder
from player.state import PlayerState
from player.timeline import (
    Playing,
    active_emergency,
    item_media,
    parse_time,
    resolve,
    timeline_media,
    upcoming,
)
from player.verifier import CacheVerifier

log = logging.getLogger("pano.player.playback")

TICK = 0.2
SETTLE = 10  # resolutions at most while checking finds damaged files
ORDER_AHEAD = 10  # items whose files the check after a start takes first


class Playback:
    def __init__(self, state: PlayerState, clock: Clock, cache: MediaCache,
                 on_emergency_shown: Callable[[int, float], None] | None = None,
                 recorder: PlayRecorder | None = None, records_decisions: bool = False) -> None:
        self.state = state
        self.clock = clock
        self.cache = cache
        self.on_emergency_shown = on_emergency_shown
        self.recorder = recorder  # the play journal (proof of play)
        self.records_decisions = records_decisions  # headless: the loop's decisions
        self.verifier: CacheVerifier | None = None  # the background check, if running

    def playable(self, timeline: dict) -> Callable[[dict], bool]:
        """An item keeps its place in the loop while every media file it needs on this
        screen is in the cache (checked, or waiting for its check)."""
        languages = (timeline.get("display") or {}).get("languages")

        def can_play(item: dict) -> bool:
            return all(self.cache.present(sha) for sha in item_media(item, languages))

        return can_play

    def _settle(self, timeline: dict,
                compute: Callable[[], list[Playing]]) -> tuple[list[Playing], list[str]]:
        """``compute()``, with every file of its items checked if small; again while a
        check finds a damaged file (its item has lost its place). Also the big files
        still waiting for their check, which the background check is asked to do next."""
        languages = (timeline.get("display") or {}).get("languages")
        playings: list[Playing] = []
        for _ in range(SETTLE):
            playings = compute()
            lost, waiting = False, []
            for playing in playings:
                for sha in item_media(playing.item, languages):
                    if self.cache.ready(sha):
                        continue
                    if self.cache.present(sha):
                        waiting.append(sha)
                    else:
                        lost = True
            if not lost:
                if waiting and self.verifier is not None:
                    self.verifier.prioritize(waiting)
                return playings, waiting
        return playings, []

    def current(self, now: float | None = None) -> Playing | None:
        """The item on screen now: None for nothing, or while its files wait for their
        check (never unchecked bytes)."""
        timeline = self.state.timeline
        if timeline is None:
            return None
        now = self.clock.now() if now is None else now
        playable = self.playable(timeline)

        def compute() -> list[Playing]:
            playing = resolve(timeline, now, playable)
            return [] if playing is None else [playing]

        playings, waiting = self._settle(timeline, compute)
        return playings[0] if playings and not waiting else None

    def upcoming(self, count: int = 3, now: float | None = None,
                 horizon: float = 0.0) -> list[Playing]:
        """The item due now and the next ones (at least ``count``, reaching ``horizon``
        seconds ahead); their small files are checked, their big ones are checked by
        the local HTTP server before it serves their first byte."""
        timeline = self.state.timeline
        if timeline is None:
            return []
        now = self.clock.now() if now is None else now
        playable = self.playable(timeline)
        return self._settle(timeline, lambda: upcoming(timeline, now, count, playable,
                                                       horizon))[0]

    def media_in_play_order(self, ahead: int = ORDER_AHEAD) -> list[str]:
        """Every file of the timeline, those shown now and next first (an emergency's,
        then the next ``ahead`` items' pictures, videos, slides and QR badges): the
        order of the check after a start."""
        timeline = self.state.timeline
        if timeline is None:
            return []
        now = self.clock.now()
        languages = (timeline.get("display") or {}).get("languages")
        order: list[object] = []
        emergency = active_emergency(timeline, now)
        if emergency is not None:
            order += [emergency.get("slide"), (emergency.get("qr") or {}).get("badge")]
        for playing in upcoming(timeline, now, ahead, self.playable(timeline)):
            item = playing.item
            order += item_media(item, languages)
            order += list((item.get("slides") or {}).values())
            order += [(v.get("qr") or {}).get("badge")
                      for v in (item.get("variants") or {}).values() if isinstance(v, dict)]
        order += timeline_media(timeline)
        return list(dict.fromkeys(sha for sha in order if isinstance(sha, str)))

    def tick(self) -> Playing | None:
        """Resolve once; log and record a change of item."""
        now = self.clock.now()
        timeline = self.state.timeline
        try:
            emergency = self._emergency(timeline, now)
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
        self._record(timeline, emergency, playing, now)
        return playing

    def _record(self, timeline: dict | None, emergency: dict | None,
                playing: Playing | None, now: float) -> None:
        if self.recorder is None:
            return
        try:
            if self.records_decisions:
                self.recorder.observe(decided(timeline, emergency, playing, now), now)
            self.recorder.tick(now)
        except Exception as exc:  # noqa: BLE001 - the journal must never stop playback
            log.exception("cannot record the play: %s", exc)
            self.state.set_error(f"cannot record the play: {exc}"[:1000])

    def _emergency(self, timeline: dict | None, now: float) -> dict | None:
        emergency = active_emergency(timeline, now) if timeline else None
        if not self.state.set_emergency(emergency, now):
            return emergency
        if emergency is None:
            log.info("emergency over: back to the timeline")
            return None
        title = next(iter(emergency["messages"].values()), {}).get("title", "")
        log.warning("EMERGENCY %d shown until %s: %s", emergency["id"], emergency["until"],
                    title)
        if self.on_emergency_shown is not None:
            self.on_emergency_shown(emergency["id"], now)
        return emergency

    def run(self, stop: threading.Event) -> None:
        log.info("playback loop started")
        while not stop.is_set():
            self.tick()
            stop.wait(TICK)
        log.info("playback loop stopped")
