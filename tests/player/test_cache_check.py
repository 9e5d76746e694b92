"""The checks of cached files after a start and while running (issue 10, defect 1), with
real files on disk: a file is shown only once its size and SHA-256 are checked in this
run, a damaged one is deleted, counted missing and fetched again, and the check never
moves what plays."""

from __future__ import annotations

import threading

from player_helpers import (
    T0,
    TOKEN,
    FakeClock,
    image_item,
    make_timeline,
    sha,
    text_item,
    wait_for,
)

from player.cache import MediaCache
from player.playback import Playback
from player.state import PlayerState, reported_error
from player.timeline import resolve
from player.verifier import CacheVerifier

A = bytes(range(256)) * 64  # 16 KiB
B = bytes(range(255, -1, -1)) * 64  # 16 KiB
C = bytes(range(0, 256, 2)) * 256  # 32 KiB
D = bytes(range(1, 256, 2)) * 256  # 32 KiB
SLIDE = b"\x89PNG a rendered slide" * 500


def pictures(*files: bytes, slide: bytes | None = None) -> dict:
    """A timeline looping one 10 s picture item per file (a text item with a rendered
    slide third, if ``slide``) from T0 for a day."""
    items = [image_item(f"p{n}", 10, sha(f)) for n, f in enumerate(files)]
    media = {sha(f): {"size": len(f), "mime": "image/png"} for f in files}
    if slide is not None:
        text = text_item("t", 10)
        text["slides"] = {"*": sha(slide)}
        items.insert(2, text)
        media[sha(slide)] = {"size": len(slide), "mime": "image/png"}
    return make_timeline([(T0, T0 + 86400, "a@1")], {"a@1": items}, media=media)


def found_at_start(tmp_path, timeline: dict, *files: bytes, **kw) -> MediaCache:
    """A cache as a restarted player finds it: the files on disk, the saved timeline."""
    media = tmp_path / "cache" / "media"
    media.mkdir(parents=True, exist_ok=True)
    for data in files:
        (media / sha(data)).write_bytes(data)
    cache = MediaCache(tmp_path / "cache", "http://127.0.0.1:9", TOKEN, **kw)
    cache.learn(timeline)
    return cache


def overwrite_middle(cache: MediaCache, data: bytes) -> None:
    """4 KiB in the middle replaced: same size, another SHA-256."""
    with open(cache.path(sha(data)), "r+b") as f:
        f.seek(len(data) // 2 - 2048)
        f.write(bytes(4096))


def test_a_file_found_at_start_is_shown_only_once_checked(tmp_path):
    timeline = pictures(A)
    cache = found_at_start(tmp_path, timeline, A)
    assert cache.present(sha(A)) and not cache.has(sha(A))
    assert cache.status(timeline) == {"files": 1, "missing": 0, "unchecked": 1, "damaged": 0}
    assert cache.ready(sha(A))  # small: checked at once
    assert cache.has(sha(A))
    assert cache.status(timeline) == {"files": 1, "missing": 0, "unchecked": 0, "damaged": 0}


def test_a_truncated_file_is_found_by_its_size_deleted_and_counted_missing(tmp_path):
    timeline = pictures(A)
    cache = found_at_start(tmp_path, timeline)
    cache.path(sha(A)).write_bytes(A[:len(A) // 2])
    assert not cache.present(sha(A))  # one stat against the saved timeline's size
    assert not cache.path(sha(A)).exists()
    assert cache.damaged() == {sha(A): f"{len(A) // 2} bytes instead of {len(A)}"}
    assert cache.damage_count == 1
    assert cache.status(timeline) == {"files": 0, "missing": 1, "unchecked": 0, "damaged": 1}


def test_overwritten_bytes_keep_the_place_until_checked_then_the_file_is_deleted(tmp_path):
    timeline = pictures(A)
    cache = found_at_start(tmp_path, timeline, A)
    overwrite_middle(cache, A)
    assert cache.present(sha(A)) and not cache.has(sha(A))  # same size: not known yet
    assert not cache.ready(sha(A))
    assert not cache.path(sha(A)).exists() and not cache.present(sha(A))
    assert "SHA-256" in cache.damaged()[sha(A)]
    assert cache.status(timeline)["damaged"] == 1
    error = reported_error(PlayerState(timeline).snapshot(), cache.damaged(timeline))
    assert error.startswith("1 cached media file damaged on disk, deleted and not shown: "
                            f"{sha(A)[:12]}… (its bytes have SHA-256 ")
    assert error.endswith("downloaded again when the controller is reachable")


def test_a_big_file_is_left_to_the_background_check_a_small_one_is_checked_at_once(tmp_path):
    timeline = pictures(A, C)
    cache = found_at_start(tmp_path, timeline, A, C, verify_inline_bytes=len(A))
    assert cache.ready(sha(A))
    assert not cache.ready(sha(C))  # bigger than the limit: not hashed here
    assert cache.status(timeline)["unchecked"] == 1
    assert cache.ready(sha(C), any_size=True)  # what the player's HTTP server asks
    assert cache.status(timeline)["unchecked"] == 0


def test_a_sync_fetches_what_is_damaged_first_then_checks_the_rest(
        tmp_path, media_app, media_server):
    for data in (A, B):
        media_app.add(data)
    timeline = pictures(A, B)  # A listed first
    cache = found_at_start(tmp_path, timeline, A)
    overwrite_middle(cache, A)  # same size: found only by its hash
    cache.path(sha(B)).write_bytes(B[:100])  # truncated: known at once
    cache = MediaCache(tmp_path / "cache", media_server.url, TOKEN)
    assert cache.sync(timeline) == []
    assert [p for p, _ in media_app.requests] == [f"/media/{sha(B)}", f"/media/{sha(A)}"]
    for data in (A, B):
        assert cache.has(sha(data)) and cache.path(sha(data)).read_bytes() == data
    assert cache.damaged() == {}
    assert cache.status(timeline) == {"files": 2, "missing": 0, "unchecked": 0, "damaged": 0}


def test_the_check_keeps_every_items_place_and_damage_skips_only_the_damaged_item(tmp_path):
    timeline = pictures(A, B, C)
    # Every file "big": nothing is checked in passing, all wait for the background check.
    cache = found_at_start(tmp_path, timeline, A, B, C, verify_inline_bytes=1)
    playback = Playback(PlayerState(timeline), FakeClock(T0), cache)
    moments = [T0 + 5, T0 + 15, T0 + 25, T0 + 35]
    preview = [resolve(timeline, t) for t in moments]  # what the controller previews
    for t, expected in zip(moments, preview, strict=True):
        assert playback.current(t) is None  # unchecked bytes are never reported playing
        [planned] = playback.upcoming(1, t)  # but the item keeps its place
        assert (planned.item_index, planned.started_at) == (expected.item_index,
                                                             expected.started_at)
    for data in (A, B, C):
        assert cache.verify(sha(data))
    for t, expected in zip(moments, preview, strict=True):
        playing = playback.current(t)
        assert (playing.item_index, playing.started_at) == (expected.item_index,
                                                             expected.started_at)
    overwrite_middle(cache, B)
    assert not cache.verify(sha(B), again=True)  # what the slow re-check finds
    # Protocol section 8: an item that cannot play is skipped; the others loop on.
    without_b = [resolve(timeline, t, lambda item: item["id"] != "p1") for t in moments]
    assert [playback.current(t).item["id"] for t in moments] == \
        [p.item["id"] for p in without_b] == ["p0", "p2", "p0", "p2"]


def test_the_check_after_a_start_takes_what_plays_now_and_next_first(tmp_path):
    timeline = pictures(A, B, C, D, slide=SLIDE)  # p0, p1, t (slide), p2, p3
    cache = found_at_start(tmp_path, timeline, A, B, C, D, SLIDE)
    playback = Playback(PlayerState(timeline), FakeClock(T0 + 15), cache)  # p1 plays
    assert playback.media_in_play_order(ahead=3) == [sha(B), sha(SLIDE), sha(C), sha(A),
                                                     sha(D)]

    class Recording(MediaCache):
        def verify(self, sha: str, *, again: bool = False) -> bool:
            checked.append(sha)
            return super().verify(sha, again=again)

    checked: list[str] = []
    cache = Recording(tmp_path / "cache", "http://127.0.0.1:9", TOKEN)
    cache.learn(timeline)
    overwrite_middle(cache, D)
    verifier = CacheVerifier(cache, lambda: playback.media_in_play_order(ahead=3))
    verifier.prioritize([sha(C)])  # asked for by the playback loop: first
    stop = threading.Event()
    thread = threading.Thread(target=verifier.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert verifier.first_pass.wait(10)
    finally:
        stop.set()
        thread.join(5)
    assert checked == [sha(C), sha(B), sha(SLIDE), sha(A), sha(D)]
    assert all(cache.has(sha(f)) for f in (A, B, C, SLIDE))
    assert list(cache.damaged()) == [sha(D)]


def test_a_file_damaged_while_the_player_runs_is_found_by_the_slow_recheck(tmp_path):
    timeline = pictures(A, B)
    cache = found_at_start(tmp_path, timeline, A, B)
    verifier = CacheVerifier(cache, lambda: [sha(A), sha(B)], recheck_every=0.2,
                             recheck_rate=10 * 1024 * 1024)
    stop = threading.Event()
    thread = threading.Thread(target=verifier.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert verifier.first_pass.wait(10)
        assert cache.has(sha(A)) and cache.has(sha(B))
        overwrite_middle(cache, B)  # the SD card decays under a running player
        wait_for(lambda: sha(B) in cache.damaged(), timeout=10, what="the re-check")
        assert not cache.path(sha(B)).exists() and not cache.has(sha(B))
        # The damage is found during the re-check pass, which is counted when it ends.
        wait_for(lambda: verifier.passes >= 2, timeout=10, what="the re-check pass's end")
        assert cache.has(sha(A))
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
