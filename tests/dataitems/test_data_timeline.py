"""Data items in the timelines the publisher builds: the data slide at each screen's
resolution and languages while the data are fresh, the fallback in its place once they
are stale, and a new snapshot (the change ``source:<id>``) rebuilding the screens that
show the source. Real SQLite, real store, the real builder and renderer; the bodies are
checked by the player's own parser."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dataitems.sample import ARRIVALS, REPO, TEMPLATES, add_source
from PIL import Image
from sqlalchemy import select

from controller.changes import Scope
from controller.content.sites_import import import_sites
from controller.dataslides.items import resolve_data_items
from controller.dataslides.on_screen import playlists_of_sources
from controller.dataslides.templates import import_templates
from controller.media.store import MediaStore
from controller.models import APPROVED, Playlist, PlaylistVersion, Screen, ScreenTimeline
from controller.sources.records import Snapshot
from controller.sources.snapshots import store_snapshot
from controller.timeline.publisher import TimelinePublisher
from controller.zones.declarations import import_layouts
from player.timeline import parse_timeline

T0 = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
HALL, PANO = "a-dot-entry-hall", "a-dot-outdoor-pano"  # vi, lo, en; alternate
TERMINAL = "chan-may-cruise-terminal"  # vi, en; dual
FALLBACK = {"id": "welcome", "type": "text", "duration": 10.0, "variants": {
    "vi": {"title": "Chào mừng đến A Đớt", "body": None, "media": None, "url": None},
    "lo": {"title": "ຍິນດີຕ້ອນຮັບສູ່ ອາດົດ", "body": None, "media": None, "url": None},
    "en": {"title": "Welcome to A Đớt", "body": None, "media": None, "url": None}}}


@pytest.fixture
def world(session, tmp_path: Path):
    import_layouts(session, REPO / "config" / "layouts.yaml")  # named by sites.yaml
    import_sites(session, REPO / "config" / "sites.yaml")
    import_templates(session, TEMPLATES)
    add_source(session, "phu-bai-arrivals", ARRIVALS, at=T0, stale_after=600)
    items = [dict(FALLBACK), {"id": "board", "type": "data", "source": "phu-bai-arrivals",
                              "template": "arrivals-board", "duration": 20.0, "title": {},
                              "fallback": {"item": "welcome"}, "variants": {}}]
    resolve_data_items(session, "test", items)
    for playlist_id, its in (("border-welcome", items), ("welcome-hue", [dict(FALLBACK)])):
        session.add(Playlist(id=playlist_id, title_vi="Chào", title_en="Welcome",
                             current_version=1))
        session.add(PlaylistVersion(playlist_id=playlist_id, number=1, items=its,
                                    content_hash=hashlib.sha256(repr(its).encode()).hexdigest(),
                                    state=APPROVED, source="test"))
    session.get(Screen, TERMINAL).default_playlist_id = "border-welcome"
    session.commit()
    return session, MediaStore(tmp_path / "media")


def _publisher(store: MediaStore, now: datetime) -> TimelinePublisher:
    return TimelinePublisher(None, 15, clock=lambda: now, store=store,
                             base_url="https://pano.example")


def _board(session, screen: str) -> tuple[dict, dict]:
    body = session.scalar(select(ScreenTimeline.body).where(ScreenTimeline.screen_id == screen))
    parse_timeline({**body})  # the player accepts it
    item = next(i for p in body["playlists"].values() for i in p["items"] if i["id"] == "board")
    return body, item


def test_fresh_data_are_a_slide_per_screen_and_stale_data_the_fallback(world) -> None:
    session, store = world
    _publisher(store, T0 + timedelta(minutes=2)).rebuild(session)
    slides = {}
    for screen, size in ((HALL, (1920, 1080)), (PANO, (1080, 1920)),
                         (TERMINAL, (1920, 1080))):
        body, item = _board(session, screen)
        assert item["type"] == "text" and item["duration"] == 20.0
        # Alternate screens (A Đớt): a slide per language; dual ones: one with all.
        langs = {"vi", "lo", "en"} if screen != TERMINAL else {"*"}
        assert set(item["slides"]) == langs
        for sha in item["slides"].values():
            assert sha in body["media"]
            with Image.open(store.path_for(sha)) as image:
                assert image.size == size
        assert item["variants"]["vi"]["title"] == "Chuyến bay đến"
        slides[screen] = item["slides"]
    assert len(set(slides[HALL].values())) == 3 and slides[HALL] != slides[PANO]
    # Twenty minutes later the data are older than stale_after (10 min): the fallback,
    # under the data item's id and duration, drawn as its own text slide.
    _publisher(store, T0 + timedelta(minutes=20)).rebuild(session)
    _, item = _board(session, HALL)
    assert item["variants"]["vi"]["title"] == "Chào mừng đến A Đớt"
    assert item["duration"] == 20.0 and set(item["slides"]) == {"vi", "lo", "en"}
    assert not set(item["slides"].values()) & set(slides[HALL].values())


def test_a_new_snapshot_rebuilds_the_screens_that_show_the_source(world) -> None:
    session, store = world
    publisher = _publisher(store, T0 + timedelta(minutes=2))
    publisher.rebuild(session)
    _, before = _board(session, HALL)  # a slide per language (alternate)
    assert playlists_of_sources(session, ["phu-bai-arrivals"]) == {"border-welcome"}
    assert playlists_of_sources(session, ["a-dot-crossing"]) == set()
    from controller.models import DataSource

    source = session.get(DataSource, "phu-bai-arrivals")
    store_snapshot(session, source, Snapshot(ARRIVALS[:1]), now=T0 + timedelta(minutes=1),
                   size=50, etag=None, last_modified=None)
    session.commit()
    changed = publisher.rebuild_for(session, [Scope("source", "phu-bai-arrivals")])
    assert {HALL, PANO} <= set(changed)
    assert "phu-bai-arrivals" not in changed  # welcome-hue: no data item
    _, after = _board(session, HALL)
    assert after["slides"]["vi"] != before["slides"]["vi"]
