"""Display backends: ``headless`` (no screen) and ``kiosk`` (a full-screen page for
Chromium). Both run the playback loop and serve ``GET /status``."""

from __future__ import annotations

from player.cache import MediaCache
from player.commands import DisplayControl
from player.page_alive import PageAlive
from player.play_recorder import PlayRecorder
from player.playback import Playback
from player.state import PlayerState
from player.status_server import Routes

BACKENDS = ("headless", "kiosk")


def make_routes(kind: str, playback: Playback, state: PlayerState,
                cache: MediaCache, control: DisplayControl | None = None,
                recorder: PlayRecorder | None = None,
                alive: PageAlive | None = None) -> Routes | None:
    """The extra HTTP routes of display backend ``kind`` (a headless player records its
    plays from the playback loop; the kiosk page reports what it shows to ``recorder``
    and that it is alive to ``alive``)."""
    if kind == "headless":
        from player.display.headless import routes
        return routes()
    if kind == "kiosk":
        from player.display.kiosk import KioskRoutes
        return KioskRoutes(playback, state, cache, control, recorder, alive)
    raise ValueError(f"unknown display {kind!r} (expected one of {', '.join(BACKENDS)})")
