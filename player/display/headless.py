"""Headless display: no screen, only the playback loop and ``GET /status``.

For tests and for monitoring players that mirror a screen without showing anything.
"""

from __future__ import annotations

from player.status_server import Routes


def routes() -> Routes | None:
    """A headless player serves nothing beyond ``/status``."""
    return None
