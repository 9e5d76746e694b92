"""Importing playlists: the project's files, versions only on change, media stored by
content, and bad input refused with FILE, line N and the reason, changing nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from controller import changes
from controller.content.playlists_write import import_playlists
from controller.content.yamlfile import YamlError
from controller.media.store import MediaStore
from controller.models import Media, Playlist, PlaylistVersion
from controller.review.agencies import import_agencies

from .conftest import REPO, make_video, png_bytes, snapshot, webp_bytes

BASE = """\
id: station
title: {vi: "Ga Huế", en: "Hue Station"}
items:
  - id: hello
    type: text
    duration: 8
    variants:
      vi: {title: "Xin chào", body: "Chào mừng"}
      en: {title: "Hello"}
  - id: citadel
    type: image
    duration: 10
    variants:
      vi: {title: "Kinh thành", media: hue-citadel.jpg}
      en: {title: "Citadel", media: hue-citadel.jpg}
  - id: site
    type: web
    duration: 20
    variants:
      vi: {url: "https://hue.gov.vn/"}
      en: {url: "https://hue.gov.vn/en"}
"""


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "store")


def write(directory: Path, text: str, name: str = "station.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


SHIPPED = len(list((REPO / "playlists").glob("*.yaml")))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_imports_the_project_playlists(session, store, tmp_path) -> None:
    import_agencies(session, REPO / "config" / "agencies.yaml")
    report = import_playlists(session, REPO / "playlists", store, REPO / "media", approve=True)
    session.commit()
    assert (report.created, report.updated, report.unchanged) == (SHIPPED, 0, 0)
    hue = session.get(Playlist, "welcome-hue")
    assert hue.title_vi == "Chào mừng đến Huế" and hue.current_version == 1
    version = session.execute(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == "welcome-hue")).scalar_one()
    citadel = version.items[1]
    digest = sha(REPO / "media" / "hue-citadel.jpg")
    assert citadel == {
        "id": "citadel", "type": "image", "duration": 10.0,
        "variants": {
            "vi": {"title": "Quần thể di tích Cố đô Huế", "body": None, "media": digest,
                   "url": None},
            "en": {"title": "Complex of Huế Monuments", "body": None, "media": digest,
                   "url": None},
        },
    }
    assert store.path_for(digest).read_bytes() == (REPO / "media" / "hue-citadel.jpg").read_bytes()
    media = session.get(Media, digest)
    assert (media.mime, media.kind, media.original_name) == ("image/jpeg", "image",
                                                            "hue-citadel.jpg")
    border = session.execute(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == "border-welcome")).scalar_one()
    assert list(border.items[0]["variants"]) == ["vi", "lo", "en"]
    assert changes.current(session) == 1


def test_reimport_is_idempotent(session, store) -> None:
    import_agencies(session, REPO / "config" / "agencies.yaml")
    import_playlists(session, REPO / "playlists", store, REPO / "media", approve=True)
    session.commit()
    before = snapshot(session)
    import_agencies(session, REPO / "config" / "agencies.yaml")
    report = import_playlists(session, REPO / "playlists", store, REPO / "media", approve=True)
    session.commit()
    assert (report.created, report.updated, report.unchanged) == (0, 0, SHIPPED)
    assert snapshot(session) == before


def test_changed_items_make_a_new_version(session, store, tmp_path, media_dir) -> None:
    src = tmp_path / "pl"
    import_playlists(session, write(src, BASE), store, media_dir, approve=True)
    session.commit()
    report = import_playlists(session, write(src, BASE.replace("duration: 8", "duration: 9")),
                              store, media_dir, approve=True)
    session.commit()
    assert report.updated == 1 and "station: new version 2" in report.summary()
    playlist = session.get(Playlist, "station")
    assert playlist.current_version == 2
    numbers = session.execute(select(PlaylistVersion.number).where(
        PlaylistVersion.playlist_id == "station")).scalars().all()
    assert sorted(numbers) == [1, 2]
    assert changes.current(session) == 2
    # a title change updates the playlist but makes no new version
    report = import_playlists(session, write(src, BASE.replace("duration: 8", "duration: 9")
                                             .replace("Hue Station", "Huế Station")),
                              store, media_dir, approve=True)
    session.commit()
    assert report.updated == 1 and session.get(Playlist, "station").current_version == 2
    assert changes.current(session) == 3


def test_item_format_for_text_and_web(session, store, tmp_path, media_dir) -> None:
    import_playlists(session, write(tmp_path / "pl", BASE), store, media_dir, approve=True)
    items = session.execute(select(PlaylistVersion.items)).scalar_one()
    assert items[0]["variants"]["en"] == {"title": "Hello", "body": None, "media": None,
                                          "url": None}
    assert items[2]["variants"]["en"]["url"] == "https://hue.gov.vn/en"


@pytest.mark.parametrize(
    ("name", "kind", "mime"),
    [("a.png", "image", "image/png"), ("b.mp4", "video", "video/mp4"),
     ("c.webm", "video", "video/webm"), ("d.webp", "image", "image/webp")],
)
def test_media_kinds_by_content(session, store, tmp_path, name, kind, mime) -> None:
    media_dir = tmp_path / "m"
    media_dir.mkdir()
    if kind == "video":
        make_video(tmp_path, Path(name).suffix).rename(media_dir / name)
    else:
        (media_dir / name).write_bytes(png_bytes() if name.endswith(".png") else webp_bytes())
    text = BASE.replace("type: image", f"type: {kind}").replace("hue-citadel.jpg", name)
    import_playlists(session, write(tmp_path / "pl", text), store, media_dir, approve=True)
    version = session.scalars(select(PlaylistVersion)).one()
    item = next(item for item in version.items if item["type"] == kind)
    row = session.get(Media, item["variants"]["en"]["media"])
    assert (row.kind, row.mime, row.origin) == (kind, mime, "upload")
    assert store.path_for(row.sha256).stat().st_size == row.size


BAD_EDITS = [
    ("media: hue-citadel.jpg}\n      en", "media: ../secret.jpg}\n      en", 14,
     "must be a plain file name"),
    ("media: hue-citadel.jpg}\n      en", "media: /etc/passwd}\n      en", 14,
     "must be a plain file name"),
    ("media: hue-citadel.jpg}\n      en", "media: nope.jpg}\n      en", 14,
     "media file 'nope.jpg' not found"),
    ("media: hue-citadel.jpg}\n      en", "media: fake.png}\n      en", 14,
     "is a JPEG file by its content but its name says otherwise"),
    ("media: hue-citadel.jpg}\n      en", "media: notes.jpg}\n      en", 14,
     "is not a JPEG, PNG, WebP, GIF, MP4 or WebM file"),
    ("type: image", "type: video", 14, "is an image (JPEG) but the item's type is video"),
    ('vi: {title: "Kinh thành", media: hue-citadel.jpg}', 'vi: {title: "Kinh thành"}', 14,
     "an image item needs 'media' in every language"),
    ('vi: {url: "https://hue.gov.vn/"}', 'vi: {title: "x"}', 20,
     "a web item needs 'url' in every language"),
    ('vi: {url: "https://hue.gov.vn/"}', 'vi: {url: "ftp://hue.gov.vn/"}', 20,
     "must be an http:// or https:// address"),
    ('vi: {url: "https://hue.gov.vn/"}', 'vi: {url: "javascript:alert(1)"}', 20,
     "must be an http:// or https:// address"),
    ('vi: {title: "Xin chào", body: "Chào mừng"}', 'vi: {body: "Chào mừng"}', 8,
     "a text item needs a 'title' in every language"),
    ('vi: {title: "Xin chào", body: "Chào mừng"}',
     'vi: {title: "Xin chào", media: hue-citadel.jpg}', 8, "'media' is only for image"),
    ('vi: {title: "Xin chào", body: "Chào mừng"}', 'vi: {title: "Xin chào", colour: red}', 8,
     "unknown key 'colour'"),
    ("duration: 8", "duration: 0", 6, "'duration' must be between 1 and 3600"),
    ("duration: 8", "duration: 4000", 6, "'duration' must be between 1 and 3600"),
    ("duration: 8", "duration: '8'", 6, "'duration' must be a number, got text"),
    ("duration: 8", "duration: true", 6, "'duration' must be a number, got true/false"),
    ("duration: 8", "duration: .nan", 6, "'duration' must be between"),
    ("type: text", "type: slideshow", 5, "must be one of image, video, text, web"),
    ("  - id: citadel", "  - id: hello", 10, "duplicate item id 'hello' (first on line 4)"),
    ('      en: {title: "Hello"}\n', "", 8, "variants must include 'en'"),
    ('      en: {title: "Hello"}\n', '      en: {title: "Hello"}\n      EN: {title: "x"}\n',
     10, "'EN' is not a language code"),
    ('title: {vi: "Ga Huế", en: "Hue Station"}', 'title: {vi: "Ga Huế"}', 2,
     "missing required key 'en'"),
    ("id: station", "id: Station!", 1, "'id' value 'Station!' is not valid"),
    ("items:\n", "items:\n  - just text\n", 4, "expected a mapping"),
    ("    duration: 8\n", "    duration: 8\n    tags: [x]\n", 7, "unknown key 'tags'"),
]


@pytest.mark.parametrize(("old", "new", "line", "reason"), BAD_EDITS)
def test_bad_playlist_is_refused_and_changes_nothing(
        session, store, tmp_path, media_dir, old, new, line, reason) -> None:
    (media_dir / "fake.png").write_bytes((media_dir / "hue-citadel.jpg").read_bytes())
    (media_dir / "notes.jpg").write_text("not an image\n")
    (tmp_path / "secret.jpg").write_bytes((media_dir / "hue-citadel.jpg").read_bytes())
    import_agencies(session, REPO / "config" / "agencies.yaml")
    import_playlists(session, REPO / "playlists", store, REPO / "media", approve=True)
    session.commit()
    before = snapshot(session)
    stored = sorted(p.name for p in store.root.rglob("*"))
    assert old in BASE
    path = write(tmp_path / "pl", BASE.replace(old, new, 1))
    with pytest.raises(YamlError) as info:
        import_playlists(session, path, store, media_dir, approve=True)
    assert (info.value.file, info.value.line) == (str(path), line), str(info.value)
    assert reason in info.value.reason
    assert snapshot(session) == before
    assert sorted(p.name for p in store.root.rglob("*")) == stored


def test_symlink_escaping_the_media_dir_is_refused(session, store, tmp_path, media_dir):
    (tmp_path / "outside.jpg").write_bytes((media_dir / "hue-citadel.jpg").read_bytes())
    (media_dir / "link.jpg").symlink_to(tmp_path / "outside.jpg")
    path = write(tmp_path / "pl", BASE.replace("hue-citadel.jpg}\n      en",
                                               "link.jpg}\n      en"))
    with pytest.raises(YamlError, match="leads outside"):
        import_playlists(session, path, store, media_dir, approve=True)


def test_one_bad_file_in_a_directory_stops_all(session, store, tmp_path, media_dir) -> None:
    src = tmp_path / "pl"
    write(src, BASE, "a.yaml")
    bad = write(src, BASE.replace("id: station", "id: other").replace("duration: 8",
                                                                      "duration: -1"), "b.yml")
    before = snapshot(session)
    with pytest.raises(YamlError) as info:
        import_playlists(session, src, store, media_dir, approve=True)
    assert info.value.file == str(bad) and info.value.line == 6
    assert snapshot(session) == before
    assert not store.root.exists() or not any(store.root.rglob("*"))


def test_same_playlist_id_in_two_files(session, store, tmp_path, media_dir) -> None:
    src = tmp_path / "pl"
    write(src, BASE, "a.yaml")
    write(src, BASE, "b.yaml")
    with pytest.raises(YamlError, match="playlist id 'station' is already used by"):
        import_playlists(session, src, store, media_dir, approve=True)


def test_empty_directory_and_missing_path(session, store, tmp_path, media_dir) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(YamlError, match="no \\*.yaml"):
        import_playlists(session, tmp_path / "empty", store, media_dir, approve=True)
    with pytest.raises(YamlError, match="not found"):
        import_playlists(session, tmp_path / "missing", store, media_dir, approve=True)


def test_playlist_files_keep_unrelated_playlists(session, store, tmp_path, media_dir):
    shutil.copy(REPO / "playlists" / "welcome-hue.yaml", tmp_path / "w.yaml")
    import_agencies(session, REPO / "config" / "agencies.yaml")
    import_playlists(session, REPO / "playlists", store, REPO / "media", approve=True)
    report = import_playlists(session, write(tmp_path / "pl", BASE), store, media_dir, approve=True)
    assert "playlist border-welcome" in report.kept


def test_themes_are_kept_when_the_file_has_none_and_cleared_by_an_empty_list(
        session, store, tmp_path, media_dir) -> None:
    themed = BASE.replace("items:", "themes: [heritage, tourism]\nitems:", 1)
    import_playlists(session, write(tmp_path / "a", themed), store, media_dir, approve=False)
    playlist = session.get(Playlist, "station")
    assert playlist.themes == ["heritage", "tourism"]
    import_playlists(session, write(tmp_path / "b", BASE), store, media_dir, approve=False)
    assert playlist.themes == ["heritage", "tourism"]  # no 'themes:' key: kept
    cleared = BASE.replace("items:", "themes: []\nitems:", 1)
    import_playlists(session, write(tmp_path / "c", cleared), store, media_dir, approve=False)
    assert playlist.themes == []
