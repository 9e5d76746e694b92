"""Changes to a real database for the incremental rebuild tests, each returning the
scopes its writer names (``controller.changes.Scope``), as the controller's writers do:
a playlist approved or renamed, a schedule created, edited or deleted, a screen's
default playlist or tags, an emergency sent or cancelled, a site's time zone, and a
screen moved to another site by a real ``import_sites`` of a sites file (which may
refuse it: then nothing changed)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from controller.changes import Scope
from controller.content.sites_import import import_sites
from controller.content.yamlfile import YamlError
from controller.models import APPROVED, Emergency, Playlist, PlaylistVersion, Screen, Site
from controller.models import Schedule as ScheduleRow

PLAYLISTS = ("welcome-hue", "invest-hue", "sea-islands", "border-welcome", "happy-hue-2025")
TARGET_KINDS = ("sites", "screens", "tags")


def approve_new_version(session: Session, playlist_id: str, seconds: int) -> list[Scope]:
    """A new approved version of ``playlist_id`` goes on air: its first item lasts
    ``seconds``."""
    playlist = session.get(Playlist, playlist_id)
    current = session.scalar(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == playlist_id,
        PlaylistVersion.number == playlist.current_version))
    items = [dict(item) for item in current.items]
    if items:
        items[0] = {**items[0], "duration": seconds}
    number = (session.scalar(select(func.max(PlaylistVersion.number)).where(
        PlaylistVersion.playlist_id == playlist_id)) or 0) + 1
    session.add(PlaylistVersion(playlist_id=playlist_id, number=number, items=items,
                                content_hash=f"{number:064d}", state=APPROVED))
    playlist.current_version = number
    return [Scope("playlist", playlist_id)]


def rename_playlist(session: Session, playlist_id: str, title: str) -> list[Scope]:
    session.get(Playlist, playlist_id).title_en = title
    return [Scope("playlist", playlist_id)]


def _targets(kind: str, value: str) -> dict[str, list[str]]:
    return {kind: [value]}


def create_schedule(session: Session, slug: str, playlist_id: str, kind: str, value: str,
                    start_hour: int, priority: int) -> list[Scope]:
    seq = (session.scalar(select(func.max(ScheduleRow.created_seq))) or 0) + 1
    row = ScheduleRow(slug=slug, playlist_id=playlist_id, playlist_version=None,
                      targets=_targets(kind, value), weekdays=list(range(7)), priority=priority,
                      windows=[[f"{start_hour:02d}:00", f"{(start_hour + 3) % 24:02d}:30"]],
                      created_seq=seq, source="test")
    session.add(row)
    session.flush()
    return [Scope("schedule", str(row.id))]


def edit_schedule(session: Session, pick: int, playlist_id: str, kind: str,
                  value: str) -> list[Scope]:
    rows = session.scalars(select(ScheduleRow).order_by(ScheduleRow.id)).all()
    if not rows:
        return []
    row = rows[pick % len(rows)]
    row.playlist_id, row.targets = playlist_id, _targets(kind, value)
    return [Scope("schedule", str(row.id))]


def delete_schedule(session: Session, pick: int, by_slug: bool) -> list[Scope]:
    rows = session.scalars(select(ScheduleRow).order_by(ScheduleRow.id)).all()
    if not rows:
        return []
    row = rows[pick % len(rows)]
    scope = Scope("schedule", row.slug if by_slug else str(row.id))
    session.delete(row)
    return [scope]


def set_default(session: Session, screen_id: str, playlist_id: str | None) -> list[Scope]:
    session.get(Screen, screen_id).default_playlist_id = playlist_id
    return [Scope("screen", screen_id)]


def set_tags(session: Session, screen_id: str, tags: list[str]) -> list[Scope]:
    session.get(Screen, screen_id).tags = tags
    return [Scope("screen", screen_id)]


def send_emergency(session: Session, now: datetime, kind: str, value: str,
                   minutes: int) -> list[Scope]:
    row = Emergency(messages={"vi": {"title": "Khẩn", "body": "Tin khẩn"},
                              "en": {"title": "Urgent", "body": "An urgent message"}},
                    url=None, targets={"sites": [], "screens": [], kind: [value]},
                    starts_at=now, ends_at=now + timedelta(minutes=minutes), created_at=now)
    session.add(row)
    session.flush()
    return [Scope("emergency", str(row.id))]


def cancel_emergency(session: Session, now: datetime, pick: int) -> list[Scope]:
    rows = session.scalars(select(Emergency).where(Emergency.cancelled_at.is_(None))
                           .order_by(Emergency.id)).all()
    running = [row for row in rows if row.ends_at.replace(tzinfo=now.tzinfo) > now]
    if not running:
        return []
    row = running[pick % len(running)]
    row.cancelled_at = now
    return [Scope("emergency", str(row.id))]


def set_site_timezone(session: Session, site_id: str, zone: str) -> list[Scope]:
    session.get(Site, site_id).timezone = zone
    return [Scope("site", site_id)]


def _sites_file(session: Session) -> dict[str, Any]:
    sites = []
    for site in session.scalars(select(Site).order_by(Site.id)):
        screens = [{
            "id": s.id, "name": {"vi": s.name_vi, "en": s.name_en},
            "orientation": s.orientation, "resolution": f"{s.width}x{s.height}",
            "languages": list(s.languages), "bilingual_mode": s.bilingual_mode,
            **({"default_playlist": s.default_playlist_id} if s.default_playlist_id else {}),
            **({"layout": s.layout} if s.layout else {}),
            "tags": list(s.tags or []),
            **({"timezone": s.timezone} if s.timezone else {}),
            **({"alternate_timing": s.alternate_timing}
               if s.bilingual_mode == "alternate" else {}),
        } for s in session.scalars(select(Screen).where(Screen.site_id == site.id)
                                   .order_by(Screen.id))]
        sites.append({"id": site.id, "name": {**(site.names or {}), "vi": site.name_vi,
                                              "en": site.name_en},
                      "timezone": site.timezone, "screens": screens})
    return {"sites": sites}


def move_screen(session: Session, folder: Path, screen_id: str, site_id: str,
                scopes: str) -> list[Scope]:
    """Move ``screen_id`` to ``site_id`` by importing a sites file that says so. The
    importer names the screen (and sites it changed); ``scopes`` picks what the test
    hands on: ``import`` (that), ``old`` or ``new`` (only the site it left or joined)."""
    old = session.get(Screen, screen_id).site_id
    data = _sites_file(session)
    moved = None
    for site in data["sites"]:
        for screen in list(site["screens"]):
            if screen["id"] == screen_id:
                site["screens"].remove(screen)
                moved = screen
    for site in data["sites"]:
        if site["id"] == site_id:
            site["screens"].append(moved)
    path = folder / "sites.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        import_sites(session, path)
    except YamlError:  # refused (a schedule's playlist lacks a language of the new site)
        session.rollback()
        return []
    if scopes == "old":
        return [Scope("site", old)]
    if scopes == "new":
        return [Scope("site", site_id)]
    return [Scope("screen", screen_id)]
