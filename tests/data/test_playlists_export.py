"""Exporting playlists as files: ``export(import(file))`` gives back the same items, the
media come out of the store under names the importer accepts, and the command line does
the same as a real subprocess."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, update
from support.fleet import cli_here

from controller.content.playlists_export import (
    MediaConflict,
    copy_media,
    export_playlist,
    write_atomic,
)
from controller.content.playlists_write import import_playlists
from controller.db import make_engine, make_session_factory, upgrade
from controller.media.store import MediaStore
from controller.models import Media, Playlist, PlaylistVersion
from controller.review.agencies import import_agencies

from .conftest import REPO, png_bytes

SHIPPED = sorted(p.stem for p in (REPO / "playlists").glob("*.yaml"))
_TIME = re.compile(r"exported \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "store")


@pytest.fixture
def fresh(tmp_path: Path):
    """A second, empty database and store: where an exported file is imported again."""
    url = f"sqlite:///{tmp_path / 'fresh' / 'pano.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        yield session, MediaStore(tmp_path / "fresh" / "store")
    engine.dispose()


def without_time(text: str) -> str:
    return _TIME.sub("exported <time>", text)


def stored(session, playlist_id: str) -> tuple[str, str, list, str]:
    playlist = session.get(Playlist, playlist_id)
    version = session.execute(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == playlist_id,
        PlaylistVersion.number == playlist.current_version)).scalar_one()
    return playlist.title_vi, playlist.title_en, version.items, version.content_hash


def export_all(session, store, ids: list[str], out: Path) -> dict[str, str]:
    texts = {}
    for playlist_id in ids:
        text, media = export_playlist(session, store, playlist_id)
        copy_media(store, media, out / "media")
        write_atomic(out / f"{playlist_id}.yaml", text)
        texts[playlist_id] = text
    return texts


def test_every_shipped_playlist_round_trips(session, store, fresh, tmp_path) -> None:
    import_agencies(session, REPO / "config" / "agencies.yaml")
    import_playlists(session, REPO / "playlists", store, REPO / "media", approve=True)
    session.commit()
    out = tmp_path / "out"
    texts = export_all(session, store, SHIPPED, out)
    assert sorted(p.name for p in (out / "media").iterdir()) == sorted(
        p.name for p in (REPO / "media").iterdir())  # the original names come back
    fresh_session, fresh_store = fresh
    import_agencies(fresh_session, REPO / "config" / "agencies.yaml")
    report = import_playlists(fresh_session, out, fresh_store, out / "media", approve=True)
    fresh_session.commit()
    assert report.created == len(SHIPPED)
    for playlist_id in SHIPPED:
        assert stored(fresh_session, playlist_id) == stored(session, playlist_id)
        again, _ = export_playlist(fresh_session, fresh_store, playlist_id)
        assert without_time(again) == without_time(texts[playlist_id])  # a fixed point
    assert texts["welcome-hue"].splitlines()[2:5] == [
        "id: welcome-hue", 'title: {vi: "Chào mừng đến Huế", en: "Welcome to Huế"}',
        "agency: tourism"]
    assert "themes: [heritage, tourism]\nitems:" in texts["welcome-hue"]
    assert "media: hue-citadel.jpg" in texts["border-welcome"]
    assert "ລາວ" in texts["border-welcome"]  # Unicode kept, not escaped


def test_export_is_stable_and_names_the_version(session, store, tmp_path) -> None:
    import_agencies(session, REPO / "config" / "agencies.yaml")
    import_playlists(session, REPO / "playlists", store, REPO / "media", approve=True)
    session.commit()
    first, media = export_playlist(session, store, "welcome-hue")
    second, _ = export_playlist(session, store, "welcome-hue", version=1)
    assert without_time(first) == without_time(second)
    assert first.startswith("# Playlist 'welcome-hue', version 1 (on air), exported 20")
    assert media == {name: hashlib.sha256((REPO / "media" / name).read_bytes()).hexdigest()
                     for name in ("hue-citadel.jpg", "perfume-river.jpg", "lang-co-bay.jpg")}


def test_old_version_and_unknown_ids(session, store, tmp_path) -> None:
    source = tmp_path / "pl"
    source.mkdir()
    shipped = (REPO / "playlists" / "welcome-hue.yaml").read_text(encoding="utf-8")
    (source / "welcome-hue.yaml").write_text(shipped, encoding="utf-8")
    import_agencies(session, REPO / "config" / "agencies.yaml")
    import_playlists(session, source, store, REPO / "media", approve=True)
    (source / "welcome-hue.yaml").write_text(shipped.replace("duration: 8", "duration: 7.5"),
                                             encoding="utf-8")
    import_playlists(session, source, store, REPO / "media", approve=True)
    session.commit()
    assert "duration: 7.5" in export_playlist(session, store, "welcome-hue")[0]
    old, _ = export_playlist(session, store, "welcome-hue", version=1)
    assert "version 1 (archived), exported" in old and "duration: 8\n" in old
    with pytest.raises(LookupError, match="no playlist 'nope'"):
        export_playlist(session, store, "nope")
    with pytest.raises(LookupError, match=r"has no version 3 \(versions: 1, 2\)"):
        export_playlist(session, store, "welcome-hue", version=3)


TRICKY = """\
id: tricky
title: {vi: "yes", en: "Quote \\" and colon: here"}
items:
  - id: one
    type: image
    duration: 5
    variants:
      vi: {media: one.png}
      en: {title: "null", media: two.png}
  - id: two
    type: image
    duration: 6
    variants:
      vi: {media: three.png}
      en: {media: three.png}
  - id: site
    type: web
    duration: 20
    variants:
      vi: {url: "https://hue.gov.vn/?a=1&b=#x"}
      en: {title: "- dash", body: "two\\nlines\\u2028and a separator", url: "https://x.gov.vn/"}
"""


def test_colliding_and_unsafe_media_names(session, store, fresh, tmp_path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for i, name in enumerate(("one.png", "two.png", "three.png"), start=2):
        (source / name).write_bytes(png_bytes(i, i))
    (tmp_path / "pl").mkdir()
    (tmp_path / "pl" / "tricky.yaml").write_text(TRICKY, encoding="utf-8")
    import_playlists(session, tmp_path / "pl", store, source, approve=True)
    # As if uploaded elsewhere under other names: two files share a name (differing in
    # case only), the third has a name the importer would refuse.
    digests = {name: hashlib.sha256((source / name).read_bytes()).hexdigest()
               for name in ("one.png", "two.png", "three.png")}
    for name, original in (("one.png", "photo.png"), ("two.png", "Photo.PNG"),
                           ("three.png", "../escape.png")):
        session.execute(update(Media).where(Media.sha256 == digests[name])
                        .values(original_name=original))
    session.commit()
    text, media = export_playlist(session, store, "tricky")
    assert media == {f"{d[:12]}.png": d for d in digests.values()}
    assert "photo" not in text.lower() and "escape" not in text
    out = tmp_path / "out"
    assert copy_media(store, media, out / "media") == 3
    write_atomic(out / "tricky.yaml", text)
    fresh_session, fresh_store = fresh
    import_playlists(fresh_session, out, fresh_store, out / "media", approve=True)
    fresh_session.commit()
    assert stored(fresh_session, "tricky") == stored(session, "tricky")


def test_copy_media_never_overwrites_a_different_file(session, store, tmp_path) -> None:
    import_agencies(session, REPO / "config" / "agencies.yaml")
    import_playlists(session, REPO / "playlists", store, REPO / "media", approve=True)
    session.commit()
    _, media = export_playlist(session, store, "welcome-hue")
    target = tmp_path / "m"
    assert copy_media(store, media, target) == 3
    assert copy_media(store, media, target) == 0  # same files: kept, nothing written
    (target / "lang-co-bay.jpg").unlink()
    (target / "hue-citadel.jpg").write_bytes(b"someone else's picture")
    with pytest.raises(MediaConflict, match="hue-citadel.jpg exists and is a different"):
        copy_media(store, media, target)
    assert not (target / "lang-co-bay.jpg").exists()  # refused before writing anything
    assert (target / "hue-citadel.jpg").read_bytes() == b"someone else's picture"
    assert not [p for p in target.iterdir() if p.name.startswith(".")]


def one_line(result, status: int, fragment: str) -> None:
    assert result.returncode == status, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pano-controller: error: "), result.stderr
    assert fragment in lines[0]


def controller_cli(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """A ``pano-controller`` command in this process (how the command line starts is
    test_cli.py's)."""
    status, out, err = cli_here(data_dir, *args)
    assert not check or status == 0, f"{args} failed ({status}): {out}{err}"
    return subprocess.CompletedProcess(args, status, out, err)


def test_cli_round_trip(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for data_dir in (first, second):
        controller_cli(data_dir, "import", "--agencies", str(REPO / "config" / "agencies.yaml"))
    imported = controller_cli(first, "playlists", "import", str(REPO / "playlists"),
                              "--media-dir", str(REPO / "media"))
    assert f"playlists: {len(SHIPPED)} created" in imported.stdout
    assert "welcome-hue: created, draft version 1 (not on air until approved)" in (
        imported.stdout)
    out, media = tmp_path / "export" / "welcome-hue.yaml", tmp_path / "export" / "media"
    out.parent.mkdir()
    controller_cli(first, "playlists", "export", "welcome-hue", "--out", str(out),
                   "--media-dir", str(media))
    shown = controller_cli(first, "playlists", "export", "welcome-hue", "--version", "1")
    assert without_time(shown.stdout) == without_time(out.read_text(encoding="utf-8"))
    assert sorted(p.name for p in media.iterdir()) == [
        "hue-citadel.jpg", "lang-co-bay.jpg", "perfume-river.jpg"]
    again = controller_cli(second, "playlists", "import", str(out), "--media-dir", str(media))
    assert "welcome-hue: created, draft version 1" in again.stdout
    query = ("select p.title_vi, v.content_hash from playlists p join playlist_versions v "
             "on v.playlist_id = p.id where p.id = 'welcome-hue'")
    rows = []
    for data_dir in (first, second):
        with sqlite3.connect(data_dir / "pano.db") as conn:
            rows.append(conn.execute(query).fetchall())
    assert rows[0] == rows[1] and len(rows[0]) == 1
    one_line(controller_cli(first, "playlists", "export", "nope", check=False), 1,
             "no playlist 'nope'")
    one_line(controller_cli(first, "playlists", "export", "welcome-hue", "--version", "9",
                            check=False), 1, "has no version 9")
    (media / "perfume-river.jpg").write_bytes(b"not the same")
    one_line(controller_cli(first, "playlists", "export", "welcome-hue", "--media-dir",
                            str(media), check=False), 2, "is a different file")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\n", encoding="utf-8")
    one_line(controller_cli(first, "playlists", "import", str(bad), check=False), 2,
             "bad.yaml, line 1: playlist: missing required key 'title'")
