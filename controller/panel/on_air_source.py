"""The live topic ``on_air`` (event ``on_air``): on how many screens each playlist
version is really on air, for the words beside "approved" on the panel's pages
("đang phát trên 3/5 màn hình", issue 16 point 4; ``static/on_air.js`` shows them).

Approved is not on air. A version is on air on a screen once the screen has
acknowledged a timeline that contains it: the screen's stored timeline names the
version (``"<playlist>@<n>"`` in the body's ``playlists``) and the player's last ack is
that timeline's version (``ScreenStatus.acked_version == ScreenTimeline.version``, the
``acked_version`` and ``timeline_version`` of ``GET /api/v1/screens``). Only a screen's
newest timeline is stored, so a screen that has not yet acknowledged its newest one
counts as not showing the versions in it, even when an older timeline it acknowledged
named them too: the count rises as the screens confirm, never ahead of them.

Items: ``{"<playlist>@<n>": {"screens": acked, "of": scheduled}}`` for every version a
timeline names (``of``: screens whose timeline names it), and ``"*"``: ``{"screens":
the whole fleet}``. The feed recomputes it every second while a page watches, so the
words follow the screens without a reload; a timeline's body is read once per (screen,
timeline version), 500 screens a query, and its playlist names kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from controller.db import in_chunks
from controller.models import Screen, ScreenStatus, ScreenTimeline
from controller.panel.live import register_source
from controller.panel.nav import PREVIEW_ROLES

TOPIC = "on_air"
EVENT = "on_air"
MAX_CACHED = 20_000  # (screen, timeline version) pairs; the fleet's size in practice

# (screen id, timeline version) -> the playlist versions that timeline names
_NAMED: dict[tuple[str, int], tuple[str, ...]] = {}


def _learn(session: Session, wanted: list[tuple[str, int]]) -> None:
    """Read the playlist names of the timelines not yet known, 500 screens a query."""
    if len(_NAMED) + len(wanted) > MAX_CACHED:
        _NAMED.clear()
    for chunk in in_chunks(wanted):
        versions = dict(chunk)
        rows = session.execute(select(ScreenTimeline.screen_id, ScreenTimeline.version,
                                      ScreenTimeline.body)
                               .where(ScreenTimeline.screen_id.in_(list(versions))))
        for screen_id, version, body in rows:
            if versions.get(screen_id) == version:
                _NAMED[(screen_id, version)] = tuple(
                    str(k) for k in ((body or {}).get("playlists") or {}))


def snapshot(session: Session) -> dict[str, Any]:
    rows = session.execute(
        select(ScreenTimeline.screen_id, ScreenTimeline.version, ScreenStatus.acked_version)
        .outerjoin(ScreenStatus, ScreenStatus.screen_id == ScreenTimeline.screen_id)).all()
    unknown = [(screen_id, version) for screen_id, version, _acked in rows
               if (screen_id, version) not in _NAMED]
    if unknown:
        _learn(session, unknown)
    out: dict[str, Any] = {}
    for screen_id, version, acked in rows:
        for key in _NAMED.get((screen_id, version), ()):
            counts = out.setdefault(key, {"screens": 0, "of": 0})
            counts["of"] += 1
            if acked is not None and acked == version:
                counts["screens"] += 1
    out["*"] = {"screens": int(session.scalar(select(func.count()).select_from(Screen)) or 0)}
    return out


# Every role of the panel reads it: it names versions and counts, no screen.
register_source(TOPIC, EVENT, PREVIEW_ROLES, snapshot)
