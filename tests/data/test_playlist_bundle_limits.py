"""Zip bombs and lying zips against ``unpack_upload`` (issue 10, defect 9), with real
zip files built here and the disk the unpacking takes measured: the whole archive's
size and ratio are bounded, a directory that lies about a size is refused while
extracting, and only the media the playlist names are unpacked."""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from support.zips import declare, make_zip, playlist_yaml

from controller.content.playlist_bundle import (
    MAX_DIRECTORY,
    MAX_TOTAL_RATIO,
    MAX_UNPACKED,
    BundleMedia,
    BundleRefused,
    unpack_upload,
    write_bundle,
)
from controller.content.playlists_write import import_playlists
from controller.housekeeping.removals import tree_size
from controller.media.store import MediaStore
from controller.models import PlaylistVersion

from .conftest import png_bytes

MiB = 1024 * 1024


def unpack(tmp_path: Path, name: str, data: bytes, **options):
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return work, unpack_upload(name, io.BytesIO(data), work, **options)


def refused(tmp_path: Path, name: str, data: bytes, **options) -> tuple[Path, str]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    with pytest.raises(BundleRefused) as caught:
        unpack_upload(name, io.BytesIO(data), work, **options)
    return work, str(caught.value)


@pytest.mark.parametrize("count", [999, 400])  # over and under MAX_UNPACKED in all
def test_many_entries_of_a_mebibyte_of_zeros_are_refused_before_any_byte_is_written(
        tmp_path, count):
    zeros = b"\0" * MiB
    bomb = make_zip([("gallery.yaml", playlist_yaml("z000.png"))]
                    + [(f"media/z{i:03}.png", zeros) for i in range(count)])
    assert len(bomb) < 2 * MiB
    work, message = refused(tmp_path, "holiday.zip", bomb)
    assert message.startswith(f"'holiday.zip' would unpack to {count}.0 MiB from ")
    assert f"more than {MAX_TOTAL_RATIO}:1 over all its entries" in message
    assert tree_size(work) == 0


def test_a_bundle_declaring_more_than_the_bound_in_all_is_refused(tmp_path):
    noise = os.urandom(MAX_UNPACKED // MAX_TOTAL_RATIO + 8 * MiB)  # not over the ratio
    data = make_zip([("gallery.yaml", playlist_yaml("a.png")), ("media/a.png", noise)],
                    compression=zipfile.ZIP_STORED)
    big = MAX_UNPACKED + MiB
    lying = declare(data, "media/a.png", file_size=big, compress_size=big)
    work, message = refused(tmp_path, "huge.zip", lying)
    assert message == (f"'huge.zip' would unpack to {big / MiB:,.1f} MiB; a bundle may "
                       f"unpack to at most {MAX_UNPACKED / MiB:,.1f} MiB. Refused.")
    assert tree_size(work) == 0


def test_an_entry_holding_more_than_its_directory_declares_is_refused_while_extracting(
        tmp_path):
    data = make_zip([("gallery.yaml", playlist_yaml("a.png")),
                     ("media/a.png", b"\0" * (8 * MiB))])
    lying = declare(data, "media/a.png", file_size=1000)
    work, message = refused(tmp_path, "liar.zip", lying)
    assert message == ("'liar.zip': entry 'media/a.png' does not match the size "
                       "(1,000 bytes) and checksum its zip directory declares (a damaged "
                       "or altered zip); refused.")
    written = work / "media" / "a.png"
    assert not written.exists() or written.stat().st_size <= 1000
    assert tree_size(work) <= 1000 + len(playlist_yaml("a.png"))


def test_a_stored_entry_with_a_lying_size_is_refused_too(tmp_path):
    noise = os.urandom(3 * MiB)
    data = make_zip([("gallery.yaml", playlist_yaml("a.png")), ("media/a.png", noise)],
                    compression=zipfile.ZIP_STORED)
    lying = declare(data, "media/a.png", file_size=MiB, compress_size=MiB)
    work, message = refused(tmp_path, "stored.zip", lying)
    assert "entry 'media/a.png' does not match the size (1,048,576 bytes)" in message
    assert tree_size(work) <= MiB + len(playlist_yaml("a.png"))


def test_only_the_media_the_playlist_names_are_unpacked(tmp_path):
    photo = png_bytes(4, 4)
    extra = os.urandom(3 * MiB)
    data = make_zip([("gallery.yaml", playlist_yaml("a.png")), ("media/a.png", photo),
                     ("media/holiday.mp4", extra), ("media/notes.png", photo)])
    notes: list[str] = []
    work, (yaml_path, media_dir) = unpack(tmp_path, "trip.zip", data, notes=notes)
    assert yaml_path == work / "gallery.yaml"
    assert sorted(p.name for p in media_dir.iterdir()) == ["a.png"]
    assert tree_size(work) == len(photo) + len(playlist_yaml("a.png"))
    assert notes == ["trip.zip: 2 file(s) in media/ not named by the playlist were "
                     "ignored (not unpacked): holiday.mp4, notes.png"]


def test_a_media_entry_over_the_media_upload_limit_is_refused(tmp_path):
    data = make_zip([("gallery.yaml", playlist_yaml("a.mp4")),
                     ("media/a.mp4", os.urandom(3 * MiB))], compression=zipfile.ZIP_STORED)
    work, message = refused(tmp_path, "films.zip", data, max_entry=2 * MiB)
    assert message == ("'films.zip': entry 'media/a.mp4' would unpack to 3.0 MiB; a media "
                       "file may be at most 2.0 MiB (max_upload_mb in the settings).")
    assert tree_size(work) == 0


def test_a_directory_too_large_to_parse_is_refused_before_it_is_parsed(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bundle:
        bundle.writestr("gallery.yaml", playlist_yaml())
        for i in range(20_000):
            bundle.writestr(f"media/f{i:05}.png", b"")
    data = out.getvalue()
    tracemalloc.start()
    try:
        work, message = refused(tmp_path, "many.zip", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message.startswith("'many.zip': its zip directory takes ")
    assert f"at most {MAX_DIRECTORY // 1024} KiB" in message
    assert peak < 2 * MiB  # zipfile would have built 20,000 entries first
    assert tree_size(work) == 0


def test_an_export_round_trip_still_unpacks_and_imports(tmp_path, session):
    store = MediaStore(tmp_path / "store")
    shas = {}
    for name, size in (("citadel.png", 5), ("river.png", 6)):
        src = tmp_path / name
        src.write_bytes(png_bytes(size, size))
        shas[name] = store.put_file(session, src, name, "image/png", "image").sha256
    session.commit()
    text = playlist_yaml("citadel.png", "river.png").decode("utf-8")
    out = io.BytesIO()
    write_bundle(out, store, "gallery.yaml", text, shas)
    notes: list[str] = []
    work, (yaml_path, media_dir) = unpack(tmp_path, "gallery.zip", out.getvalue(),
                                          max_entry=MiB, notes=notes)
    assert sorted(p.name for p in media_dir.iterdir()) == ["citadel.png", "river.png"]
    assert notes == []
    report = import_playlists(session, yaml_path, store, BundleMedia(media_dir, session, store),
                              approve=False)
    session.commit()
    assert report.created == 1
    version = session.scalars(select(PlaylistVersion)).one()
    assert {v["media"] for item in version.items for v in item["variants"].values()} == \
        set(shas.values())
    assert sorted(p.name for p in work.iterdir()) == ["gallery.yaml", "media"]  # no copies left
