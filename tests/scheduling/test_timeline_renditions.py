"""Renditions in the timelines the publisher builds: each screen's image variants name
the rendition for its resolution and ``media`` lists those files, not the originals;
videos keep theirs; nothing changes on a rebuild when nothing changed; a corrupt image
leaves its item out without stopping the rebuild. Real SQLite, real store, real images."""

from __future__ import annotations

import hashlib
import io
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from controller.media.store import MediaStore
from controller.models import APPROVED, Media, Playlist, PlaylistVersion, Rendition, ScreenTimeline
from controller.timeline.publisher import TimelinePublisher

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
LANDSCAPE, PORTRAIT, SMALL = "chan-may-cruise-terminal", "chan-may-gate-kiosk", "phu-bai-baggage"
BORDER = "a-dot-entry-hall"  # shows border-welcome, not welcome-hue


def big_photo() -> bytes:
    size = (4000, 3000)
    image = Image.merge("RGB", (Image.linear_gradient("L").resize(size),
                                Image.radial_gradient("L").resize(size),
                                Image.effect_noise(size, 30)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")  # where the conftest imported the playlists


def publisher(store: MediaStore | None) -> TimelinePublisher:
    return TimelinePublisher(None, 15, clock=lambda: NOW, store=store)


def put(session, store: MediaStore, tmp_path: Path, data: bytes, mime: str,
        kind: str = "image") -> str:
    src = tmp_path / hashlib.sha256(data).hexdigest()
    src.write_bytes(data)
    sha = store.put_file(session, src, "upload", mime, kind).sha256
    session.commit()
    return sha


def add_item(session, playlist_id: str, item_id: str, sha: str, kind: str = "image") -> None:
    """A new approved version on air with one more item (a test shortcut for edit +
    review: approved versions are frozen)."""
    playlist = session.get(Playlist, playlist_id)
    current = session.scalar(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == playlist_id,
        PlaylistVersion.number == playlist.current_version))
    variant = {"title": item_id, "body": "", "media": sha, "url": None}
    items = [*current.items, {"id": item_id, "type": kind, "duration": 10.0,
                              "variants": {"vi": variant, "en": variant}}]
    number = current.number + 1
    session.add(PlaylistVersion(playlist_id=playlist_id, number=number, items=items,
                                content_hash=hashlib.sha256(repr(items).encode()).hexdigest(),
                                state=APPROVED, source="test"))
    playlist.current_version = number
    session.commit()


def body_of(session, screen: str) -> dict:
    return session.scalar(select(ScreenTimeline.body).where(ScreenTimeline.screen_id == screen))


def version_of(session, screen: str) -> int:
    return session.scalar(select(ScreenTimeline.version)
                          .where(ScreenTimeline.screen_id == screen))


def item(body: dict, item_id: str) -> dict | None:
    for playlist in body["playlists"].values():
        for entry in playlist["items"]:
            if entry["id"] == item_id:
                return entry
    return None


def size_of(store: MediaStore, sha: str) -> tuple[int, int]:
    with Image.open(store.path_for(sha)) as image:
        return image.size


def test_the_builder_asks_per_resolution_and_the_memo_keeps_them_apart():
    """The pure builder with a stand-in chooser: the memo shares parts between screens
    of one resolution, never across resolutions; None leaves the item out."""
    from controller.timeline.builder import (
        BuildInputs,
        MediaFacts,
        PlaylistOnAir,
        ScreenFacts,
        build_body,
    )

    photo, broken, clip = "a" * 64, "b" * 64, "c" * 64
    asked: list[tuple[str, str]] = []

    def choose(sha: str, target: str):
        asked.append((sha, target))
        if sha == broken:
            return None
        if sha == clip:
            return sha, MediaFacts(size=9, mime="video/mp4")
        made = hashlib.sha256(f"{sha}{target}".encode()).hexdigest()
        return made, MediaFacts(size=len(target), mime="image/jpeg")

    def variant(sha: str) -> dict:
        return {"title": "t", "body": "", "media": sha, "url": None}

    items = [{"id": i, "type": t, "duration": 5.0, "variants": {"vi": variant(m)}}
             for i, t, m in (("photo", "image", photo), ("broken", "image", broken),
                             ("clip", "video", clip))]
    playlist = PlaylistOnAir(id="p", version=1, title={"vi": "p", "en": "p"}, items=items)

    def inputs(screen_id: str, resolution: tuple[int, int]) -> BuildInputs:
        screen = ScreenFacts(id=screen_id, name={"vi": "s"}, site_id="x", site_name={},
                             orientation="landscape", resolution=resolution,
                             languages=["vi"], bilingual_mode="dual",
                             timezone="Asia/Ho_Chi_Minh", default_playlist="p")
        return BuildInputs(screen=screen, playlists={"p": playlist}, media={},
                           heartbeat_interval=15, now=NOW, choose_media=choose)

    memo: dict = {}
    one = build_body(inputs("one", (1920, 1080)), memo=memo)
    two = build_body(inputs("two", (1920, 1080)), memo=memo)
    tall = build_body(inputs("tall", (1080, 1920)), memo=memo)
    assert one["playlists"] is two["playlists"] and one["media"] is two["media"]
    assert tall["playlists"] is not one["playlists"]
    assert [i["id"] for i in one["playlists"]["p@1"]["items"]] == ["photo", "clip"]
    wide_file = one["playlists"]["p@1"]["items"][0]["variants"]["vi"]["media"]
    tall_file = tall["playlists"]["p@1"]["items"][0]["variants"]["vi"]["media"]
    assert wide_file != tall_file and photo not in one["media"]
    assert set(one["media"]) == {wide_file, clip} and set(tall["media"]) == {tall_file, clip}
    assert sorted(set(asked)) == sorted(asked)  # asked once per (file, resolution)
    assert playlist.items[0]["variants"]["vi"]["media"] == photo  # inputs untouched


def test_each_resolution_gets_its_own_files(session, store, tmp_path):
    original = put(session, store, tmp_path, big_photo(), "image/jpeg")
    add_item(session, "welcome-hue", "big-photo", original)
    publisher(store).rebuild(session)

    files = {}
    for screen, expected in ((LANDSCAPE, (1440, 1080)), (PORTRAIT, (1080, 810)),
                             (SMALL, (960, 720))):
        body = body_of(session, screen)
        variants = item(body, "big-photo")["variants"]
        sha = variants["vi"]["media"]
        assert variants["en"]["media"] == sha
        assert sha != original and size_of(store, sha) == expected
        media = session.get(Media, sha)
        assert body["media"][sha] == {"size": media.size, "mime": "image/jpeg"}
        assert original not in body["media"]  # the player downloads only the rendition
        # Every file the body names is listed, and only those.
        named = {v["media"] for p in body["playlists"].values() for i in p["items"]
                 for v in i["variants"].values() if v.get("media")}
        assert named == set(body["media"])
        files[screen] = sha
    assert len(set(files.values())) == 3
    # Two screens of the same resolution share the file (and the body part).
    assert item(body_of(session, "phu-bai-arrivals"), "big-photo")["variants"]["vi"][
        "media"] == files[LANDSCAPE]


def test_demo_images_that_fit_stay_themselves(session, store):
    """hue-citadel.jpg is 1920×1080: itself on a 1920×1080 screen, scaled on the others."""
    citadel = hashlib.sha256((REPO / "media" / "hue-citadel.jpg").read_bytes()).hexdigest()
    publisher(store).rebuild(session)
    landscape = item(body_of(session, LANDSCAPE), "citadel")
    assert {v["media"] for v in landscape["variants"].values()} == {citadel}
    portrait = item(body_of(session, PORTRAIT), "citadel")["variants"]["vi"]["media"]
    assert portrait != citadel and size_of(store, portrait) == (1080, 608)
    small = item(body_of(session, SMALL), "citadel")["variants"]["vi"]["media"]
    assert size_of(store, small) == (1280, 720)
    for sha in body_of(session, PORTRAIT)["media"]:
        width, height = size_of(store, sha)
        assert width <= 1080 and height <= 1920


def test_a_rebuild_with_nothing_changed_keeps_every_version(session, store, tmp_path):
    original = put(session, store, tmp_path, big_photo(), "image/jpeg")
    add_item(session, "welcome-hue", "big-photo", original)
    first = publisher(store).rebuild(session)
    assert LANDSCAPE in first and PORTRAIT in first
    versions = {s: version_of(session, s) for s in (LANDSCAPE, PORTRAIT, SMALL, BORDER)}
    renditions = session.scalar(select(func.count()).select_from(Rendition))
    files = sorted(p.name for p in store.root.rglob("*") if p.is_file())

    # A new publisher (as after a restart): renditions are found, not made again.
    assert publisher(store).rebuild(session) == []
    assert {s: version_of(session, s) for s in versions} == versions
    assert session.scalar(select(func.count()).select_from(Rendition)) == renditions
    assert sorted(p.name for p in store.root.rglob("*") if p.is_file()) == files


def test_the_preview_names_the_renditions_made_and_makes_none(session, store, tmp_path):
    from controller.models import Screen
    from controller.timeline.preview import body_at

    original = put(session, store, tmp_path, big_photo(), "image/jpeg")
    add_item(session, "welcome-hue", "big-photo", original)
    screen = session.get(Screen, PORTRAIT)
    before = item(body_at(session, screen, NOW, 15), "big-photo")
    assert before["variants"]["vi"]["media"] == original  # none made yet: the original
    assert session.scalar(select(func.count()).select_from(Rendition)) == 0
    publisher(store).rebuild(session)
    after = item(body_at(session, screen, NOW, 15), "big-photo")
    assert after == item(body_of(session, PORTRAIT), "big-photo")


def test_a_timeline_without_a_store_keeps_the_originals(session, store, tmp_path):
    original = put(session, store, tmp_path, big_photo(), "image/jpeg")
    add_item(session, "welcome-hue", "big-photo", original)
    publisher(None).rebuild(session)
    for screen in (LANDSCAPE, PORTRAIT):
        assert item(body_of(session, screen), "big-photo")["variants"]["vi"]["media"] == original
    assert session.scalar(select(func.count()).select_from(Rendition)) == 0


def test_videos_keep_their_original(session, store, tmp_path):
    video = put(session, store, tmp_path, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64,
                "video/mp4", kind="video")
    add_item(session, "welcome-hue", "clip", video, kind="video")
    publisher(store).rebuild(session)
    for screen in (LANDSCAPE, PORTRAIT):
        body = body_of(session, screen)
        assert item(body, "clip")["variants"]["vi"]["media"] == video
        assert body["media"][video]["mime"] == "video/mp4"


def test_a_corrupt_image_leaves_its_item_out_and_the_rest_goes_on(session, store, tmp_path,
                                                                  caplog):
    good = put(session, store, tmp_path, big_photo(), "image/jpeg")
    broken = put(session, store, tmp_path, big_photo()[:20000], "image/jpeg")
    add_item(session, "welcome-hue", "big-photo", good)
    add_item(session, "welcome-hue", "broken-photo", broken)
    with caplog.at_level(logging.WARNING, logger="pano.timeline"):
        changed = publisher(store).rebuild(session)
    assert {LANDSCAPE, PORTRAIT, SMALL, BORDER} <= set(changed)
    for screen in (LANDSCAPE, PORTRAIT, SMALL):
        body = body_of(session, screen)
        assert item(body, "broken-photo") is None
        assert item(body, "big-photo") is not None and item(body, "citadel") is not None
        assert broken not in body["media"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(broken[:12] in w and "1920x1080" in w for w in warnings), warnings
    # The next rebuild tries again (the file may have been replaced), changes nothing.
    assert publisher(store).rebuild(session) == []


# ------------------------------------------------------------------ over real HTTP
#
# A real controller (the web tests' fleet and server): a player fetches its timeline
# with its screen credential and downloads the files it names; the panel's thumbnails.


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    from web.helpers import Fleet

    from controller.server import ControllerServer

    data = tmp_path_factory.mktemp("controller")
    fleet = Fleet.seeded(data)
    photo = data / "big-photo.jpg"
    photo.write_bytes(big_photo())
    video = data / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    broken = data / "broken.jpg"
    broken.write_bytes(photo.read_bytes()[:20000])
    with fleet.sessions() as session:
        original = fleet.store.put_file(session, photo, "big-photo.jpg", "image/jpeg",
                                        "image").sha256
        clip = fleet.store.put_file(session, video, "clip.mp4", "video/mp4", "video").sha256
        cut = fleet.store.put_file(session, broken, "broken.jpg", "image/jpeg",
                                   "image").sha256
        session.commit()
        add_item(session, "welcome-hue", "big-photo", original)
    server = ControllerServer(fleet.settings).start()  # rebuilds every timeline at start
    try:
        yield fleet, server, {"photo": original, "clip": clip, "broken": cut}
    finally:
        server.stop()
        fleet.close()


def get(server, path: str, token: str | None, **headers: str):
    import requests

    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(server.url + path, headers=headers, timeout=10)


@pytest.mark.parametrize("screen, expected", [(LANDSCAPE, (1440, 1080)),
                                              (PORTRAIT, (1080, 810)),
                                              (SMALL, (960, 720))])
def test_a_player_downloads_the_rendition_for_its_screen(served, screen, expected):
    fleet, server, shas = served
    token = fleet.tokens[screen]
    response = get(server, "/api/v1/player/timeline", token)
    assert response.status_code == 200, response.text
    body = response.json()
    sha = item(body, "big-photo")["variants"]["vi"]["media"]
    assert sha != shas["photo"] and shas["photo"] not in body["media"]
    for listed, facts in body["media"].items():  # everything listed can be downloaded
        file = get(server, f"/media/{listed}", token)
        assert file.status_code == 200, listed
        assert hashlib.sha256(file.content).hexdigest() == listed
        assert len(file.content) == facts["size"]
        assert file.headers["Content-Type"] == facts["mime"]
    file = get(server, f"/media/{sha}", token)
    with Image.open(io.BytesIO(file.content)) as image:
        assert image.format == "JPEG" and image.size == expected


def test_screens_of_different_resolutions_fetch_different_files(served):
    fleet, server, _ = served
    files = {}
    for screen in (LANDSCAPE, PORTRAIT, "phu-bai-arrivals"):
        body = get(server, "/api/v1/player/timeline", fleet.tokens[screen]).json()
        files[screen] = item(body, "big-photo")["variants"]["en"]["media"]
    assert files[LANDSCAPE] != files[PORTRAIT]
    assert files[LANDSCAPE] == files["phu-bai-arrivals"]  # same resolution, same file


def test_the_thumbnail_is_made_once_and_cached(served):
    fleet, server, shas = served
    token = fleet.users["viewer"]
    path = f"/api/v1/media/{shas['photo']}/thumbnail"
    first = get(server, path, token)
    assert first.status_code == 200, first.text
    assert first.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in first.headers["Cache-Control"]
    thumb = hashlib.sha256(first.content).hexdigest()
    assert first.headers["ETag"].strip('"') == thumb
    with Image.open(io.BytesIO(first.content)) as image:
        assert image.size == (240, 180)
    with fleet.sessions() as session:
        rows = session.scalars(select(Rendition).where(Rendition.target == "thumb")).all()
        assert [(r.media_sha256, r.rendition_sha256) for r in rows] == [(shas["photo"], thumb)]
    files = sum(1 for p in fleet.store.root.rglob("*") if p.is_file())

    second = get(server, path, fleet.users["technician"])
    assert second.status_code == 200 and second.content == first.content
    assert get(server, path, token, **{"If-None-Match": first.headers["ETag"]}
               ).status_code == 304
    assert sum(1 for p in fleet.store.root.rglob("*") if p.is_file()) == files


def test_thumbnail_refusals(served):
    fleet, server, shas = served
    token = fleet.users["admin"]
    assert get(server, f"/api/v1/media/{'0' * 64}/thumbnail", token).status_code == 404
    assert get(server, f"/api/v1/media/{shas['clip']}/thumbnail", token).status_code == 404
    cut = get(server, f"/api/v1/media/{shas['broken']}/thumbnail", token)
    assert cut.status_code == 404 and "cannot read the image" in cut.json()["message"]
    assert get(server, "/api/v1/media/NOT-A-SHA/thumbnail", token).status_code == 400
    assert get(server, f"/api/v1/media/{shas['photo']}/thumbnail", None).status_code == 401
    screen = fleet.tokens[LANDSCAPE]  # a screen credential is no personal API token
    assert get(server, f"/api/v1/media/{shas['photo']}/thumbnail", screen).status_code == 401
