"""Kiosk display: the full-screen page Chromium shows (``chromium --kiosk
http://127.0.0.1:8090/``) and the small API it polls. Everything is served locally from
the package and the media cache; the page needs no network at all.

Cached media reach Chromium with ``Cache-Control: no-store``, so the browser keeps no
copy of its own. The player checks every file before it is first shown after a start and
daily (player/cache.py, player/verifier.py); a copy in Chromium's profile, on the same SD
card, is one nobody checks, and with ``immutable`` Chromium never asked again, so it
went on showing a file the player had deleted as damaged. ``no-cache`` with the ETag
would not do: Chromium would still write the copy and, after a ``304``, show its own
bytes. The cost is small: the page shows the very element it preloaded (a picture is
fetched and decoded once per showing, a few MB a minute from 127.0.0.1), and a video's
Range requests are answered from the file, mostly from the OS page cache; Chromium's
media buffer keeps what it plays in memory. It also spares the card a second write of
every file.

Proof of play: the page reports what is really on screen — its pictures decoded
(``img.decode()``), a video with a frame, the page visible — to ``POST /api/shown`` when
it changes and every 2 s while it lasts; the play journal's records of a kiosk are made
from those reports (player/on_screen.py, player/play_recorder.py), never from what the
player merely decided.
"""

from __future__ import annotations

import re
from pathlib import Path

from player.cache import MediaCache
from player.commands import DisplayControl
from player.display.zones import layout_json
from player.on_screen import reported
from player.page_alive import PageAlive
from player.play_recorder import PlayRecorder
from player.playback import Playback
from player.state import PlayerState
from player.status_server import Handler
from player.timeline import (
    Playing,
    alternate_timing,
    badge_of,
    drawn_file,
    overlay_file,
    parse_time,
)

STATIC = Path(__file__).parent / "static"
STATIC_FILES = {
    "/": ("kiosk.html", "text/html; charset=utf-8"),
    "/static/kiosk.js": ("kiosk.js", "text/javascript; charset=utf-8"),
    "/static/slides.js": ("slides.js", "text/javascript; charset=utf-8"),
    "/static/kiosk.css": ("kiosk.css", "text/css; charset=utf-8"),
    "/static/alive.js": ("alive.js", "text/javascript; charset=utf-8"),
    "/static/zones.js": ("zones.js", "text/javascript; charset=utf-8"),
}
MEDIA_RE = re.compile(r"^/media/([0-9a-f]{64})$")
# The page's own script, styles and cached media only; ``web`` items are framed pages
# (http/https); nothing may frame the kiosk. Same reasons as controller/security_headers.
KIOSK_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self'; media-src 'self'; connect-src 'self'; "
                               "frame-src http: https:; object-src 'none'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# The page gets the item on screen and the next ones, at least three and enough to cover
# the next 20 s (at most 12): it polls every 0.5 s, and a player busy for a moment (a
# cache check, a slow card, a loaded board) must not leave it without an item to show.
UPCOMING, UPCOMING_SECONDS = 3, 20.0
REFUSED = object()  # a page report already answered with a refusal


def _cached(cache: MediaCache | None, sha: str | None) -> str | None:
    """``sha`` if the page may show it: in the cache and checked (a slide or a badge is
    small: checked here at once if it was not yet, player/cache.py)."""
    return sha if sha and (cache is None or cache.ready(sha)) else None


def _badge(cache: MediaCache | None, qr: dict | None) -> dict | None:
    """A QR badge the page can show: its short link and its cached file."""
    if not qr or _cached(cache, qr.get("badge")) is None:
        return None
    return {"url": qr.get("url"), "file": qr["badge"]}


def playing_json(p: Playing, cache: MediaCache | None = None) -> dict:
    return {
        "key": f"{p.playlist_key}|{p.item.get('id')}|{p.item_index}|{p.started_at:.3f}",
        "playlist": p.playlist_key,
        "segment_index": p.segment_index,
        "item_index": p.item_index,
        "item": p.item,
        "started_at": p.started_at,
        "ends_at": p.ends_at,
        "stale": p.stale,
        # The page shows slide i from its started_at to its ends_at (player.timeline
        # decides, so alternate_timing is honoured the same way everywhere).
        # ``file``: the rendered slide (text) or frame (image) to show full screen, when
        # cached (else the page draws the text, or captions the picture); ``overlay``:
        # a video's caption drawn by the controller, laid over it when cached (else the
        # page captions it); ``badge``: the QR badge laid over display.qr_badge.
        "slides": [{"languages": list(s.languages), "started_at": s.started_at,
                    "ends_at": s.ends_at,
                    "file": _cached(cache, drawn_file(p.item, s.languages)),
                    "overlay": _cached(cache, overlay_file(p.item, s.languages)),
                    "badge": _badge(cache, badge_of(p.item, s.languages))}
                   for s in p.slides],
    }


def emergency_json(entry: dict, cache: MediaCache | None = None) -> dict:
    return {"id": entry["id"], "from": parse_time(entry["from"]),
            "until": parse_time(entry["until"]), "messages": entry["messages"],
            "url": entry.get("url"), "file": _cached(cache, entry.get("slide")),
            "badge": _badge(cache, entry.get("qr"))}


class KioskRoutes:
    """Routes of the kiosk page: ``/``, ``/static/*``, ``/api/upcoming``, ``/media/<sha>``
    and ``POST /api/shown``."""

    def __init__(self, playback: Playback, state: PlayerState, cache: MediaCache,
                 control: DisplayControl | None = None,
                 recorder: PlayRecorder | None = None,
                 alive: PageAlive | None = None) -> None:
        self.playback = playback
        self.state = state
        self.cache = cache
        self.control = control or DisplayControl()  # what remote commands change
        self.recorder = recorder  # the play journal, fed by the page's reports
        self.alive = alive or PageAlive()  # the page's liveness (player/page_alive.py)

    def upcoming_document(self) -> dict:
        timeline = self.state.timeline
        now = self.playback.clock.now()
        items = self.playback.upcoming(UPCOMING, now, UPCOMING_SECONDS) if timeline else []
        display = (timeline or {}).get("display") or {}
        return {
            "now": now,
            "timeline_version": None if timeline is None else timeline.get("version"),
            "display": {
                "languages": display.get("languages") or [],
                "bilingual_mode": display.get("bilingual_mode", "dual"),
                "alternate_timing": alternate_timing(display),
                "name": display.get("name") or {},
                "orientation": display.get("orientation"),
                "resolution": display.get("resolution"),
                "qr_badge": display.get("qr_badge"),
                # The zones (docs/zones.md): main area, ticker strips, clock corner.
                "layout": layout_json(display.get("layout"), self.cache),
            },
            "items": [playing_json(p, self.cache) for p in items],
            # The page shows the one active at its clock, over everything (kiosk.js).
            "emergencies": [emergency_json(e, self.cache)
                            for e in (timeline or {}).get("emergencies") or []],
            # Remote commands (player/commands.py): the screen's name and id shown over
            # everything until ``identify.until``; the page reloads when
            # ``reload_token`` changes; ``media_epoch`` goes into media URLs so the
            # browser fetches files again after clear_cache.
            "identify": self.control.identify_json(now),
            "reload_token": self.control.reload_token,
            "media_epoch": self.control.media_epoch,
        }

    def __call__(self, handler: Handler, path: str) -> bool:
        if handler.command == "POST":
            if path == "/api/shown":
                self.shown(handler)
            elif path == "/api/alive":
                self.page_alive(handler)
            else:
                return False
            return True
        if path in STATIC_FILES:
            name, content_type = STATIC_FILES[path]
            handler.send_bytes((STATIC / name).read_bytes(), content_type, headers=KIOSK_HEADERS)
            return True
        if path == "/api/upcoming":
            handler.send_json(self.upcoming_document())
            return True
        match = MEDIA_RE.match(path)
        if match:
            self.serve_media(handler, match.group(1))
            return True
        return False

    def shown(self, handler: Handler) -> None:
        """The page's report of what is on screen now (player/on_screen.py). Only from
        the page itself: JSON (so a cross-origin script needs a preflight, which this
        server never grants) and, when the browser names an origin, this one — a
        ``web`` item's framed page cannot forge proof of play."""
        report = self._page_report(handler, "Reports of what is on screen")
        if report is REFUSED:
            return
        try:
            screen = reported(report, self.state.timeline)
        except ValueError as exc:
            handler.send_json({"error": "bad_request", "message": str(exc)[:300]}, 400)
            return
        if self.recorder is not None:
            self.recorder.observe(screen)
        handler.send_json({"ok": True})

    def page_alive(self, handler: Handler) -> None:
        """The page's "alive" report (player/page_alive.py), from the page itself only;
        the answer tells it when to report next."""
        report = self._page_report(handler, "Alive reports")
        if report is REFUSED:
            return
        try:
            self.alive.report(report)
        except ValueError as exc:
            handler.send_json({"error": "bad_request", "message": str(exc)[:300]}, 400)
            return
        handler.send_json({"ok": True, "next_ms": round(self.alive.interval * 1000)})

    def _page_report(self, handler: Handler, what: str) -> object:
        """The JSON body of a report the kiosk page sends, or REFUSED once refused: JSON
        only (a cross-origin script needs a preflight, which this server never grants)
        and, when the browser names an origin, this one — a ``web`` item's framed page
        cannot forge it."""
        origin = handler.headers.get("Origin")
        if origin is not None and origin != f"http://{handler.headers.get('Host', '')}":
            handler.close_connection = True  # its body is not read
            handler.send_json({"error": "forbidden", "message": (
                f"{what} come from the kiosk page only, not from {origin[:100]}.")}, 403)
            return REFUSED
        if not (handler.headers.get("Content-Type") or "").startswith("application/json"):
            handler.close_connection = True
            handler.send_json({"error": "unsupported_media_type",
                               "message": "A report is JSON (Content-Type: application/json)."},
                              415)
            return REFUSED
        try:
            return handler.read_json()
        except ValueError as exc:
            handler.send_json({"error": "bad_request", "message": str(exc)[:300]}, 400)
            return REFUSED

    def serve_media(self, handler: Handler, sha: str) -> None:
        """A cached file, checked first if it was not yet in this run (whatever its
        size: the request waits); a missing or damaged file is refused, Range or not."""
        if not self.cache.ready(sha, any_size=True):
            why = self.cache.damaged().get(sha)
            if why is not None:
                handler.send_json({"error": "damaged", "message": (
                    f"Media {sha[:12]}… failed its check on this player's disk ({why}) and "
                    "was deleted: it is not served, and is downloaded again when the "
                    "controller is reachable.")}, 404)
            else:
                handler.send_json({"error": "not_found",
                                   "message": f"Media {sha[:12]}… is not in the cache."}, 404)
            return
        media = ((self.state.timeline or {}).get("media") or {}).get(sha) or {}
        try:
            handler.send_file(self.cache.path(sha), media.get("mime"))  # no-store: above
        except FileNotFoundError:  # evicted or deleted since the check
            handler.send_json({"error": "not_found",
                               "message": f"Media {sha[:12]}… is not in the cache."}, 404)
