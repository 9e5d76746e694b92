"""The media cache against a real local HTTP server with Range support and faults."""

from __future__ import annotations

import logging
import os

from player_helpers import T0, TOKEN, image_item, make_timeline, sha

from player.cache import MediaCache

BIG = bytes(range(256)) * 4000  # ~1 MB


def timeline_for(*files: bytes) -> dict:
    media = {sha(f): {"size": len(f), "mime": "image/png"} for f in files}
    items = [image_item(f"i{n}", 5, sha(f)) for n, f in enumerate(files)]
    return make_timeline([(T0, T0 + 3600, "a@1")], {"a@1": items}, media=media)


def cache_for(tmp_path, server, token=TOKEN, **kw) -> MediaCache:
    return MediaCache(tmp_path / "cache", server.url, token, **kw)


def test_missing_files_are_downloaded_verified_and_renamed_into_place(
        tmp_path, media_app, media_server):
    small = b"tiny picture"
    for data in (BIG, small):
        media_app.add(data)
    cache = cache_for(tmp_path, media_server)
    assert cache.sync(timeline_for(BIG, small)) == []
    assert cache.has(sha(BIG)) and cache.has(sha(small))
    assert cache.path(sha(BIG)).read_bytes() == BIG
    assert list((tmp_path / "cache" / "tmp").iterdir()) == []
    # A second sync fetches nothing.
    before = len(media_app.requests)
    assert cache.sync(timeline_for(BIG, small)) == []
    assert len(media_app.requests) == before


def test_a_download_cut_in_the_middle_resumes_with_range(tmp_path, media_app, media_server):
    digest = media_app.add(BIG)
    media_app.cut_once.add(digest)
    cache = cache_for(tmp_path, media_server)
    assert cache.sync(timeline_for(BIG)) == []
    assert cache.path(digest).read_bytes() == BIG
    ranges = [r for path, r in media_app.requests if path.endswith(digest)]
    assert ranges[0] is None
    assert ranges[1] is not None and ranges[1].startswith("bytes=")
    assert int(ranges[1][6:-1]) > 0  # resumed, not restarted


def test_a_server_that_ignores_range_makes_the_download_start_over(
        tmp_path, media_app, media_server):
    digest = media_app.add(BIG)
    media_app.cut_once.add(digest)
    media_app.ignore_range = True
    cache = cache_for(tmp_path, media_server)
    assert cache.sync(timeline_for(BIG)) == []
    assert cache.path(digest).read_bytes() == BIG


def test_bytes_corrupted_in_transit_are_never_used_and_fetched_again(
        tmp_path, media_app, media_server):
    digest = media_app.add(BIG)
    media_app.corrupt[digest] = 1
    cache = cache_for(tmp_path, media_server)
    assert cache.sync(timeline_for(BIG)) == []
    assert cache.path(digest).read_bytes() == BIG
    assert len([p for p, _ in media_app.requests if p.endswith(digest)]) == 2


def test_a_file_that_stays_corrupt_is_reported_missing_and_never_in_the_cache(
        tmp_path, media_app, media_server, caplog):
    digest = media_app.add(BIG)
    media_app.corrupt[digest] = 1000
    cache = cache_for(tmp_path, media_server)
    with caplog.at_level(logging.WARNING):
        assert cache.sync(timeline_for(BIG)) == [digest]
    assert not cache.has(digest)
    assert not cache.path(digest).exists()
    assert list((tmp_path / "cache" / "tmp").iterdir()) == []
    assert "SHA-256" in caplog.text and "still missing" in caplog.text


def test_a_wrong_credential_leaves_the_file_missing_with_the_servers_reason(
        tmp_path, media_app, media_server, caplog):
    media_app.add(b"x")
    cache = cache_for(tmp_path, media_server, token="wrong")
    with caplog.at_level(logging.WARNING):
        assert cache.sync(timeline_for(b"x")) == [sha(b"x")]
    assert "401" in caplog.text and "Wrong credential" in caplog.text


def test_an_unreachable_server_leaves_files_missing(tmp_path):
    cache = MediaCache(tmp_path, "http://127.0.0.1:9", TOKEN)
    assert cache.sync(timeline_for(b"x")) == [sha(b"x")]


def test_a_cached_file_with_the_wrong_size_is_deleted_and_refetched(
        tmp_path, media_app, media_server):
    digest = media_app.add(BIG)
    cache = cache_for(tmp_path, media_server)
    cache.path(digest).write_bytes(BIG[:1000])  # found at start, truncated
    cache.sync(timeline_for())  # learns nothing about this file
    assert cache.sync(timeline_for(BIG)) == []
    assert cache.path(digest).read_bytes() == BIG


def test_a_cached_file_corrupted_on_disk_is_found_and_refetched(
        tmp_path, media_app, media_server):
    digest = media_app.add(BIG)
    (tmp_path / "cache" / "media").mkdir(parents=True)
    (tmp_path / "cache" / "media" / digest).write_bytes(bytes(len(BIG)))  # same size
    cache = cache_for(tmp_path, media_server)
    assert cache.sync(timeline_for(BIG)) == []
    assert cache.path(digest).read_bytes() == BIG


def test_a_partial_file_is_never_shown_as_cached(tmp_path, media_app, media_server):
    digest = media_app.add(BIG)
    cache = cache_for(tmp_path, media_server)
    (tmp_path / "cache" / "tmp" / f"{digest}.part").write_bytes(BIG[:5000])
    assert not cache.has(digest)
    assert cache.sync(timeline_for(BIG)) == []  # and the partial is resumed
    assert ("/media/" + digest, "bytes=5000-") in media_app.requests


def test_eviction_keeps_referenced_files_and_the_most_recent_others(tmp_path):
    cache = MediaCache(tmp_path, "http://127.0.0.1:9", TOKEN, keep_unreferenced=2)
    old = [sha(bytes([n])) for n in range(5)]
    for n, digest in enumerate(old):
        cache.path(digest).write_bytes(bytes([n]))
        os.utime(cache.path(digest), (1000 + n, 1000 + n))
    keep = sha(b"current")
    cache.path(keep).write_bytes(b"current")
    os.utime(cache.path(keep), (1, 1))
    assert cache.evict({keep}) == []  # disk not short: nothing goes
    removed = cache.evict({keep}, force=True)
    assert sorted(removed) == sorted(old[:3])
    assert sorted(p.name for p in cache.media_dir.iterdir()) == sorted([keep, old[3], old[4]])
