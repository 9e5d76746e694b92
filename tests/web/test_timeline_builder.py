"""The timeline builder, a pure function: what window and segments a screen gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from controller.timeline.builder import (
    BuildInputs,
    Claim,
    MediaFacts,
    PlaylistOnAir,
    ScreenFacts,
    build_body,
    paint,
)

SHA = "ab" * 32


def _inputs(now: datetime, default: str | None = "welcome-hue", tz: str = "Asia/Ho_Chi_Minh",
            interval: float = 15.0) -> BuildInputs:
    screen = ScreenFacts(
        id="phu-bai-arrivals", name={"vi": "Sảnh đến quốc tế", "en": "Arrivals hall"},
        site_id="phu-bai-airport", site_name={"vi": "Phú Bài", "en": "Phu Bai"},
        orientation="landscape", resolution=(1920, 1080), languages=["vi", "en"],
        bilingual_mode="dual", timezone=tz, default_playlist=default)
    items = [
        {"id": "citadel", "type": "image", "duration": 10.0,
         "variants": {"vi": {"title": "Kinh thành", "body": "", "media": SHA, "url": None},
                      "en": {"title": "Citadel", "body": "", "media": SHA, "url": None}}},
        {"id": "hello", "type": "text", "duration": 8.0,
         "variants": {"vi": {"title": "Xin chào", "body": "", "media": None, "url": None},
                      "en": {"title": "Hello", "body": "", "media": None, "url": None}}},
    ]
    playlist = PlaylistOnAir(id="welcome-hue", version=3,
                             title={"vi": "Chào mừng", "en": "Welcome"}, items=items)
    return BuildInputs(screen=screen, playlists={"welcome-hue": playlist},
                       media={SHA: MediaFacts(size=1234, mime="image/jpeg")},
                       heartbeat_interval=interval, now=now)


def test_window_starts_at_local_midnight_and_reaches_48_hours_ahead():
    # 23:30 local time in Huế (UTC+7) is 16:30 UTC: the local day started at 17:00 UTC
    # the day before.
    now = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)
    body = build_body(_inputs(now))
    assert body["valid_from"] == "2026-11-25T17:00:00Z"
    assert body["valid_until"] == "2026-11-28T17:00:00Z"
    until = datetime.fromisoformat(body["valid_until"].replace("Z", "+00:00"))
    assert until - now >= timedelta(hours=48)
    assert body["timezone"] == "Asia/Ho_Chi_Minh"


def test_just_after_local_midnight_the_window_moves_on():
    now = datetime(2026, 11, 26, 17, 0, 1, tzinfo=UTC)  # 00:00:01 on the 27th in Huế
    body = build_body(_inputs(now))
    assert body["valid_from"] == "2026-11-26T17:00:00Z"
    assert body["valid_until"] == "2026-11-29T17:00:00Z"


def test_default_playlist_fills_the_window_with_everything_the_player_needs():
    body = build_body(_inputs(datetime(2026, 11, 26, 7, 0, tzinfo=UTC)))
    assert body["segments"] == [{"from": body["valid_from"], "until": body["valid_until"],
                                 "playlist": "welcome-hue@3",
                                 "reason": "default playlist of the screen"}]
    playlist = body["playlists"]["welcome-hue@3"]
    assert playlist["id"] == "welcome-hue" and playlist["version"] == 3
    assert [item["id"] for item in playlist["items"]] == ["citadel", "hello"]
    assert body["media"] == {SHA: {"size": 1234, "mime": "image/jpeg"}}
    assert body["display"] == {
        "name": {"vi": "Sảnh đến quốc tế", "en": "Arrivals hall"},
        "site": {"id": "phu-bai-airport", "name": {"vi": "Phú Bài", "en": "Phu Bai"}},
        "orientation": "landscape", "resolution": [1920, 1080], "languages": ["vi", "en"],
        "bilingual_mode": "dual"}
    assert body["schema"] == 1 and body["screen"] == "phu-bai-arrivals"
    assert body["heartbeat_interval"] == 15
    assert "version" not in body and "generated_at" not in body


def test_a_screen_without_playlist_gets_one_empty_segment():
    body = build_body(_inputs(datetime(2026, 11, 26, 7, 0, tzinfo=UTC), default=None))
    assert len(body["segments"]) == 1
    assert body["segments"][0]["playlist"] is None
    assert body["playlists"] == {} and body["media"] == {}


def test_later_sources_paint_over_earlier_ones_without_overlaps():
    t0 = datetime(2026, 11, 26, tzinfo=UTC)
    hours = [t0 + timedelta(hours=h) for h in range(10)]
    base = [Claim(hours[0], hours[9], "a", "default")]
    evening = [Claim(hours[3], hours[5], "b", "schedule"),
               Claim(hours[5], hours[6], "b", "schedule")]
    segments = paint(hours[0], hours[9], [base, evening])
    assert [(s.start, s.end, s.playlist) for s in segments] == [
        (hours[0], hours[3], "a"), (hours[3], hours[6], "b"), (hours[6], hours[9], "a")]


def test_same_inputs_same_body():
    now = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    assert build_body(_inputs(now)) == build_body(_inputs(now + timedelta(hours=3)))
