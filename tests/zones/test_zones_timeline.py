"""A layout in the timelines the publisher builds and in the preview (real SQLite, real
media store, the real builder, ticker and slide renderers; bodies checked by the
player's own parser): the zones in pixels, the ticker's text and strips from the
playlist's text and data items (the fallback's words once the data are stale), slides
at the main area's size, a new version of the ticker's playlist reaching the screen,
and the preview saying and drawing the zones."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from zones.conftest import LAYOUTS, REPO, SITES, write

from controller.changes import Scope
from controller.content.sites_import import import_sites
from controller.dataslides.items import resolve_data_items
from controller.dataslides.templates import import_templates
from controller.media.store import MediaStore
from controller.models import APPROVED, Playlist, PlaylistVersion, ScreenTimeline
from controller.timeline.preview import preview, preview_png
from controller.timeline.publisher import TimelinePublisher
from controller.zones.declarations import import_layouts
from player.timeline import parse_timeline

T0 = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)  # 10:00 in Huế
ARRIVALS = [{"flight": "VN1541", "from.vi": "Hà Nội", "from.en": "Hanoi",
             "scheduled": "10:35", "status": "Đã hạ cánh"}]


def _text(item_id: str, vi: str, en: str) -> dict:
    return {"id": item_id, "type": "text", "duration": 5.0, "variants": {
        "vi": {"title": vi, "body": None, "media": None, "url": None},
        "en": {"title": en, "body": None, "media": None, "url": None}}}


def _approve(session, playlist_id: str, items: list, number: int = 1) -> None:
    playlist = session.get(Playlist, playlist_id)
    if playlist is None:
        playlist = Playlist(id=playlist_id, title_vi="T", title_en="T", current_version=None)
        session.add(playlist)
        session.flush()
    session.add(PlaylistVersion(playlist_id=playlist_id, number=number, items=items,
                                content_hash=hashlib.sha256(repr(items).encode()).hexdigest(),
                                state=APPROVED, source="test"))
    playlist.current_version = number


@pytest.fixture
def world(session, tmp_path: Path):
    from dataitems.sample import add_source

    import_layouts(session, write(tmp_path / "layouts.yaml", LAYOUTS))
    import_sites(session, write(tmp_path / "sites.yaml", SITES % "ticker-clock"))
    import_templates(session, REPO / "config" / "data_templates.yaml")
    add_source(session, "arrivals", ARRIVALS, at=T0, stale_after=600)
    board = {"id": "board", "type": "data", "source": "arrivals", "template": "arrivals-board",
             "duration": 5.0, "title": {}, "variants": {},
             "fallback": {"variants": {"vi": {"title": "Hỏi quầy thông tin"},
                                       "en": {"title": "Ask at the help desk"}}}}
    items = [_text("hello", "Xin chào Huế", "Hello Huế"), board]
    resolve_data_items(session, "test", items)
    _approve(session, "news", items)
    _approve(session, "main", [_text("welcome", "Chào mừng", "Welcome")])
    session.commit()
    return session, MediaStore(tmp_path / "media")


def _publisher(store: MediaStore, now: datetime) -> TimelinePublisher:
    return TimelinePublisher(None, 15, clock=lambda: now, store=store,
                             base_url="https://pano.example")


def _body(session) -> dict:
    session.expire_all()
    row = session.scalar(select(ScreenTimeline).where(ScreenTimeline.screen_id == "hall"))
    parse_timeline({**row.body, "version": row.version,
                    "generated_at": "2026-12-06T03:00:00Z"})  # the player accepts it
    return row.body


def _size(store: MediaStore, sha: str) -> tuple[int, int]:
    with Image.open(store.path_for(sha)) as image:
        return image.size


def test_the_timeline_carries_the_zones_and_the_ticker(world) -> None:
    session, store = world
    publisher = _publisher(store, T0 + timedelta(minutes=2))
    publisher.rebuild(session)
    layout = _body(session)["display"]["layout"]
    assert layout["name"] == "ticker-clock"
    assert {k: layout["main"][k] for k in ("x", "y", "width", "height")} == {
        "x": 0, "y": 97, "width": 1920, "height": 897}  # the clock's band above
    assert layout["band"] == {"x": 0, "y": 0, "width": 1920, "height": 97}
    assert layout["clock"]["timezone"] == "Asia/Ho_Chi_Minh"
    assert layout["clock"]["words"]["vi"]["date"] == "{weekday}, {dd}/{mm}/{yyyy}"
    ticker = layout["ticker"]
    assert (ticker["y"], ticker["height"], ticker["playlist"]) == (994, 86, "news@1")
    assert ticker["pixels_per_second"] == 154  # 8 % of 1920 px per second
    texts = {s["lang"]: s["text"] for s in ticker["strips"]}
    assert texts["vi"].startswith("Xin chào Huế   •   Chuyến bay đến: VN1541 Hà Nội 10:35")
    assert "Cập nhật lúc 10:00 06/12" in texts["vi"]
    assert texts["en"].startswith("Hello Huế   •   Arrivals: VN1541 Hà Nội 10:35")
    body = _body(session)
    for strip in ticker["strips"]:  # drawn by the controller, named in media
        assert strip["media"] in body["media"]
        assert _size(store, strip["media"]) == (strip["width"], 86)
    # The playlists are made for the main area: the text slide is 1920×897.
    welcome = next(i for p in body["playlists"].values() for i in p["items"]
                   if i["id"] == "welcome")
    assert _size(store, welcome["slides"]["*"]) == (1920, 897)


def test_stale_data_scroll_the_fallback_and_a_new_ticker_version_reaches_the_screen(
        world) -> None:
    session, store = world
    _publisher(store, T0 + timedelta(minutes=2)).rebuild(session)
    later = _publisher(store, T0 + timedelta(hours=2))  # the arrivals are stale by then
    later.rebuild(session)
    texts = {s["lang"]: s["text"] for s in _body(session)["display"]["layout"]["ticker"]["strips"]}
    assert texts == {"vi": "Xin chào Huế   •   Hỏi quầy thông tin",
                     "en": "Hello Huế   •   Ask at the help desk"}
    version = session.scalar(select(ScreenTimeline.version)
                             .where(ScreenTimeline.screen_id == "hall"))
    _approve(session, "news", [_text("hello", "Tàu đến lúc 14:00", "Ship at 14:00")], 2)
    session.commit()
    assert later.rebuild_for(session, [Scope("playlist", "news")]) == ["hall"]
    body = _body(session)
    assert body["display"]["layout"]["ticker"]["strips"][0]["text"] == "Tàu đến lúc 14:00"
    assert session.scalar(select(ScreenTimeline.version)
                          .where(ScreenTimeline.screen_id == "hall")) == version + 1


def test_a_ticker_text_too_long_arriving_later_is_cut_not_dropped(world) -> None:
    session, store = world
    _approve(session, "news", [_text("long", "Dài " * 120, "Long " * 100)], 2)
    session.commit()
    _publisher(store, T0).rebuild(session)
    strips = _body(session)["display"]["layout"]["ticker"]["strips"]
    assert [len(s["text"]) for s in strips] == [300, 300]
    assert all(s["text"].endswith("…") and s["media"] for s in strips)


def test_the_preview_says_and_draws_the_zones(world) -> None:
    session, store = world
    at = T0 + timedelta(minutes=2)
    _publisher(store, at).rebuild(session)  # the slides and strips exist
    said = preview(session, "hall", at, 15, store, "https://pano.example")
    assert said["layout"]["ticker"]["strips"][0]["text"].startswith("Xin chào Huế")
    assert said["layout"]["main"]["height"] == 897
    png = preview_png(session, "hall", at, 15, store, "https://pano.example")
    with Image.open(io.BytesIO(png)) as image:
        image = image.convert("RGB")
        assert image.size == (1920, 1080)
        # The ticker's strip along the bottom (its dark blue and white letters), the
        # clock's band at the top, the slide between them.
        strip = image.crop((0, 994, 1613, 1080))
        assert (10, 26, 46) in {c for _, c in strip.getcolors(1 << 16)}
        assert max(sum(c) for _, c in strip.getcolors(1 << 16)) > 600  # letters
        clock = image.crop((1613, 0, 1920, 97))
        assert max(sum(c) for _, c in clock.getcolors(1 << 16)) > 600  # the time
        assert image.getpixel((10, 500)) != (0, 0, 0)  # the slide in the main area


def test_slides_drawn_ahead_of_an_approval_are_the_main_areas(world) -> None:
    from controller.timeline.ahead import missing_specs

    session, _ = world
    specs = missing_specs(session, ["hall"], [_text("next", "Sắp tới", "Coming up")])
    assert {(spec.width, spec.height) for spec in specs.values()} == {(1920, 897)}


def test_screen_truth_compares_a_capture_in_the_main_area(world, tmp_path: Path) -> None:
    """A capture of a screen with zones (here: the preview's picture of it, scaled as a
    Pi's capture may be) matches the item's slide: it is compared in the main area,
    where the item plays, not over the ticker and the clock."""
    from controller.screen_truth.expected import expected_frame
    from controller.screen_truth.intake import look_at
    from controller.screen_truth.judge import judge
    from controller.settings import Settings

    session, store = world
    at = T0 + timedelta(minutes=2)
    _publisher(store, at).rebuild(session)
    said = preview(session, "hall", at, 15, store, "https://pano.example")
    item, langs = said["playing"]["item"], said["playing"]["showing"]["languages"]
    settings = Settings(data_dir=tmp_path)
    expected = expected_frame(session, store.root, "hall", item, langs)
    assert expected is not None and expected.main == (0, 97, 1920, 897, 1920, 1080)
    with Image.open(io.BytesIO(preview_png(session, "hall", at, 15, store,
                                           "https://pano.example"))) as shown:
        capture = io.BytesIO()
        shown.convert("RGB").resize((1280, 720)).save(capture, "PNG")
    seen, wanted, _ = look_at(capture.getvalue(), settings.max_image_pixels,
                              settings.screen_truth_black_level, expected)
    verdict = judge(seen, item, wanted, None, settings.screen_truth_tolerance,
                    settings.screen_truth_frozen_distance)
    assert verdict.verdict == "ok", verdict
    # The same picture, not merely close: over the whole capture (ticker and clock
    # included) this slide is 11 dHash bits away, near the tolerance of 14.
    assert verdict.distance <= settings.screen_truth_frozen_distance


def test_the_submit_fit_check_lays_texts_out_in_the_main_area(world) -> None:
    """What the screens draw is what the review checks: on a screen with a layout, a
    text is laid out at its main area's size (the refusal names that size)."""
    from controller.review.fit import misfits

    session, _ = world
    body = "Buses to Huế city leave every hour from gate two, right of the hall. " * 40
    item = {"id": "essay", "type": "text", "duration": 5.0, "variants": {
        "vi": {"title": "Xe buýt", "body": body[:2400]},
        "en": {"title": "Buses", "body": body[:2400]}}}
    (problem,) = misfits(session, ["hall"], [item])
    assert "do not fit the 1920×897 screens of phu-bai" in problem
    assert misfits(session, ["hall"], [_text("short", "Xin chào", "Hello")]) == []
