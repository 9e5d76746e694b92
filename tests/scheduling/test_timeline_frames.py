"""Image items' frames in the timelines the publisher builds (issue 16: one renderer):
an image item with a caption or a link gets ``slides`` like a text item — the picture
with its caption drawn and the QR corner left free, at the screen's resolution — and the
preview of the screen at that instant is that frame with the badge laid over it, pixel
for pixel. Real SQLite, real store, the demo's pictures, the real builder and renderer."""

from __future__ import annotations

import hashlib
import io
import logging
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image, ImageChops
from sqlalchemy import select

from controller.media.store import MediaStore
from controller.models import APPROVED, Playlist, PlaylistVersion, ScreenTimeline
from controller.slides.frame import frame_layout, item_frames, item_overlays
from controller.slides.render import badge_box
from controller.timeline.preview import preview_png
from controller.timeline.publisher import TimelinePublisher
from player.timeline import drawn_file, parse_timeline, resolve

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
BASE = "https://pano.example"
TERMINAL, KIOSK = "chan-may-cruise-terminal", "chan-may-gate-kiosk"  # dual / alternate
URL = "https://hue.gov.vn/"


@pytest.fixture
def store(tmp_path) -> MediaStore:
    return MediaStore(tmp_path / "media")  # where the fixture imported the demo media


def publisher(store: MediaStore) -> TimelinePublisher:
    return TimelinePublisher(None, 15, clock=lambda: NOW, store=store, base_url=BASE)


def only_items(session, playlist_id: str, *items: dict) -> None:
    """A new approved version on air with just ``items`` (a test shortcut)."""
    playlist = session.get(Playlist, playlist_id)
    number = playlist.current_version + 1
    session.add(PlaylistVersion(playlist_id=playlist_id, number=number, items=list(items),
                                content_hash=hashlib.sha256(repr(items).encode()).hexdigest(),
                                state=APPROVED, source="test"))
    playlist.current_version = number
    session.commit()


def demo_photo(session) -> str:
    """The SHA-256 of a demo picture the import stored (an image item's variant)."""
    version = session.scalar(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == "welcome-hue", PlaylistVersion.state == APPROVED))
    return next(v["media"] for item in version.items if item["type"] == "image"
                for v in item["variants"].values())


def image(photo: str, url: str | None = URL, vi: str = "Kinh thành Huế",
          en: str = "The Huế Imperial City") -> dict:
    return {"id": "citadel", "type": "image", "duration": 10.0, "variants": {
        "vi": {"title": vi, "body": "", "media": photo, "url": url},
        "en": {"title": en, "body": "", "media": photo, "url": url}}}


def body_of(session, screen_id: str) -> dict:
    return session.scalar(select(ScreenTimeline.body).where(
        ScreenTimeline.screen_id == screen_id))


def item_of(body: dict, item_id: str) -> dict:
    return next(item for p in body["playlists"].values() for item in p["items"]
                if item["id"] == item_id)


def test_an_image_with_caption_and_link_gets_frames_the_preview_shows(session, store):
    only_items(session, "welcome-hue", image(demo_photo(session)))
    publisher(store).rebuild(session)
    for screen, keys in ((TERMINAL, {"*"}), (KIOSK, {"vi", "en"})):
        body = body_of(session, screen)
        parse_timeline({**body})  # a player accepts it (old players ignore the frames)
        item = item_of(body, "citadel")
        assert set(item["slides"]) == keys
        width, height = body["display"]["resolution"]
        for sha in item["slides"].values():
            assert body["media"][sha]["mime"] == "image/jpeg"
            with Image.open(store.path_for(sha)) as frame:
                assert frame.size == (width, height)
        # The frame left the badge's corner black: the badge goes there.
        with Image.open(store.path_for(next(iter(item["slides"].values())))) as frame:
            corner = frame.convert("L").crop(badge_box(width, height))
            assert corner.getextrema()[1] < 40  # black (JPEG noise aside)

    # The preview at an instant the image plays is its frame with the badge on it.
    body = body_of(session, TERMINAL)
    at = NOW + timedelta(seconds=1)
    playing = resolve(body, at.timestamp())
    assert playing is not None and playing.item["id"] == "citadel"
    png = preview_png(session, TERMINAL, at, 15, store, BASE)
    shown = Image.open(io.BytesIO(png)).convert("RGB")
    with Image.open(store.path_for(drawn_file(playing.item, ("vi", "en")))) as frame:
        expected = frame.convert("RGB")
    box = body["display"]["qr_badge"]
    with Image.open(store.path_for(playing.item["variants"]["vi"]["qr"]["badge"])) as badge:
        expected.paste(badge.convert("RGB"), (box["x"], box["y"]))
    assert ImageChops.difference(shown, expected).getbbox() is None


def test_the_frame_follows_the_layout_the_tests_check(session, store):
    """The drawn frame is the layout's: the caption's ink is inside its box."""
    photo = demo_photo(session)
    only_items(session, "welcome-hue", image(photo))
    publisher(store).rebuild(session)
    item = item_of(body_of(session, TERMINAL), "citadel")
    spec = item_frames(item, 1920, 1080, ["vi", "en"], "dual", True)[0]
    with Image.open(store.path_for(item["slides"]["*"])) as frame:
        drawn = frame.convert("L")
    where = frame_layout(spec, Image.open(store.path_for(spec.photo)).size)
    outside = drawn.copy()
    for box in (where.photo, where.caption):
        outside.paste(0, box)
    assert outside.getextrema()[1] < 40  # nothing drawn outside the photo and caption


def test_an_image_without_caption_or_link_is_shown_as_it_is(session, store):
    only_items(session, "welcome-hue", image(demo_photo(session), url=None, vi="", en=""))
    publisher(store).rebuild(session)
    assert "slides" not in item_of(body_of(session, TERMINAL), "citadel")


def test_a_caption_that_cannot_fit_leaves_the_page_to_caption_it(session, store, caplog):
    huge = " ".join(["Kinh thành Huế, quần thể di tích cố đô."] * 40)
    only_items(session, "welcome-hue", image(demo_photo(session), vi=huge))
    with caplog.at_level(logging.WARNING, logger="pano.timeline"):
        publisher(store).rebuild(session)
    item = item_of(body_of(session, TERMINAL), "citadel")
    assert "slides" not in item  # the kiosk page's caption bar, as before
    assert item["variants"]["vi"]["title"] == huge
    assert "citadel" in caplog.text and "does not fit" in caplog.text


def test_a_captioned_video_gets_an_overlay_the_preview_lays_on_black(session, store,
                                                                      tmp_path):
    """A video's caption is drawn by the controller too: a transparent overlay of the
    screen's size the page lays over the video; the preview shows it (on black: no
    still of the video is drawn) with the badge, never over each other."""
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)  # the bytes are not read
    media = store.put_file(session, clip, "clip.mp4", "video/mp4", "video")
    session.commit()
    video = image(media.sha256)
    video["type"] = "video"
    only_items(session, "welcome-hue", video)
    publisher(store).rebuild(session)
    body = body_of(session, TERMINAL)
    parse_timeline({**body})
    item = item_of(body, "citadel")
    assert "slides" not in item and set(item["overlays"]) == {"*"}
    sha = item["overlays"]["*"]
    assert body["media"][sha]["mime"] == "image/png"
    with Image.open(store.path_for(sha)) as overlay:
        assert overlay.mode == "RGBA" and overlay.size == (1920, 1080)
        assert overlay.getchannel("A").crop(badge_box(1920, 1080)).getextrema() == (0, 0)
    at = NOW + timedelta(seconds=1)
    shown = Image.open(io.BytesIO(preview_png(session, TERMINAL, at, 15, store, BASE)))
    spec = item_overlays(item, 1920, 1080, ["vi", "en"], True)[0]
    caption = frame_layout(spec).caption
    assert caption is not None
    assert shown.convert("L").crop(caption).getextrema()[1] > 200  # the caption's ink
    x0, y0, x1, y1 = badge_box(1920, 1080)
    assert shown.convert("L").crop((x0, y0, x1, y1)).getextrema()[1] == 255  # the card


def test_the_submit_check_lays_captions_out_on_every_screen_kind(session):
    """``controller.review.fit.misfits`` (the submit's check and the editor's warnings
    while typing) refuses a caption that cannot fit under its picture on some screen
    the playlist reaches, and names its language; a caption that fits passes."""
    from controller.review.fit import misfits
    from controller.timeline.ahead import showing

    screens = showing(session, "welcome-hue")
    photo = demo_photo(session)
    assert misfits(session, screens, [image(photo)]) == []
    crowded = image(photo, vi=" ".join(["Kinh thành Huế, di sản thế giới."] * 30))
    (problem,) = misfits(session, screens, [crowded])
    assert "'citadel'" in str(problem) and "Vietnamese (vi) text does not fit" in str(problem)
    video = dict(crowded, type="video")  # a video's caption overlay: the same rule
    assert len(misfits(session, screens, [video])) == 1
