"""Proof of play from the real kiosk page in a real Chromium (skipped where Playwright or
Chromium is missing), and from a headless player: a kiosk records only what its page
really showed (decoded, visible), a headless player what it decided; emergencies too; one
record per slide in alternate mode; the record on screen ends with ``stop``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from player_helpers import PICTURE, image_item, iso, saved_player_dir, sha, text_item, wait_for
from test_journal import assert_chain

from player.journal_record import parse_iso, read_line

pytest.importorskip("playwright.sync_api")
NOT_A_PICTURE = b"\x89PNG\r\n\x1a\n but nothing a browser can decode " * 20


def journal_records(cache: Path, idle_first: bool = False) -> list[dict]:
    """The records on disk, checked; ``idle_first``: without the idle page a kiosk page
    shows (really) until its first answer from the player."""
    records = []
    for path in sorted((cache / "journal").glob("seg-*.jsonl")):
        records += [read_line(line) for line in path.read_bytes().splitlines()]
    if idle_first and records and records[0]["kind"] == "idle":
        assert records[0]["ended"] == "schedule"
        records = records[1:]
    return records


def add_item(cache: Path, item: dict, data: bytes | None = None, mime: str = "image/png",
             **emergency) -> None:
    timeline = json.loads((cache / "timeline.json").read_text())
    timeline["playlists"]["welcome@1"]["items"].insert(0, item)
    if data is not None:
        timeline["media"][sha(data)] = {"size": len(data), "mime": mime}
        (cache / "media" / sha(data)).write_bytes(data)
    if emergency:
        timeline["emergencies"] = [emergency]
    (cache / "timeline.json").write_text(json.dumps(timeline))


def play(browser, player, seconds: float) -> None:
    # The page opens once the player has checked its files: what it records while a
    # freshly started player still checks them is another test's subject.
    wait_for(lambda: (c := player.json("/status")["cache"])["unchecked"] == 0
             and not c["missing"], timeout=15, what="the player's files checked")
    page = browser.new_page(viewport={"width": 960, "height": 540})
    page.goto(player.base + "/")
    page.wait_for_timeout(seconds * 1000)
    code, _ = player.stop()  # the page still open: the last record ends with "stop"
    assert code == 0
    page.close()


def test_the_kiosk_records_what_its_page_showed(tmp_path, run_player, browser):
    items = [image_item("citadel", 1.5, sha(PICTURE)), text_item("hello", 1.5)]
    cache = saved_player_dir(tmp_path, items=items)
    player = run_player(cache)
    play(browser, player, 7)
    records = journal_records(cache, idle_first=True)
    assert_chain(records)
    assert records[0]["seq"] <= 2
    assert {r["source"] for r in records} == {"kiosk"}
    assert {r["kind"] for r in records} == {"item"}, "\n" + "\n".join(map(str, [
        (r["seq"], r["kind"], r.get("item"), r["start"], r["end"], r["ended"])
        for r in records]))
    shown = [r["item"] for r in records]
    assert shown.count("citadel") >= 2 and shown.count("hello") >= 2
    assert all(a != b for a, b in zip(shown, shown[1:], strict=False))  # one each, in turn
    pictures = [r for r in records if r["item"] == "citadel"]
    assert all(r["media"] == [sha(PICTURE)] for r in pictures)
    assert all(r["languages"] == ["vi", "en"] and r["playlist"] == "welcome"
               and r["version"] == 1 and r["timeline_version"] == 7 for r in records)
    assert records[-1]["ended"] == "stop"
    middle = records[1:-1]
    assert middle and all(r["ended"] == "duration" for r in middle), "\n".join(map(str, [
        (r["seq"], r["item"], r["start"], r["end"], r["ended"]) for r in records]))
    for record in middle:  # each on screen for about its 1.5 s
        assert 1.0 < parse_iso(record["end"]) - parse_iso(record["start"]) < 2.0
    for a, b in zip(records, records[1:], strict=False):  # back to back, no overlap
        assert parse_iso(a["end"]) <= parse_iso(b["start"]) + 0.05


def test_a_picture_that_never_decodes_is_never_recorded(tmp_path, run_player, browser):
    cache = saved_player_dir(tmp_path, items=[text_item("hello", 1.5)])
    add_item(cache, image_item("broken", 1.5, sha(NOT_A_PICTURE)), NOT_A_PICTURE)
    player = run_player(cache)
    play(browser, player, 7)
    records = journal_records(cache, idle_first=True)
    assert [r["item"] for r in records].count("hello") >= 2
    assert all(r["item"] != "broken" for r in records)  # decided, served, never shown
    # Its slot is a hole between two records of "hello", not time given to anything.
    holes = [parse_iso(b["start"]) - parse_iso(a["end"])
             for a, b in zip(records, records[1:], strict=False)]
    assert max(holes) > 1.0
    assert_chain(records)


def test_alternate_mode_records_each_slide_in_its_language(tmp_path, run_player, browser):
    cache = saved_player_dir(tmp_path, items=[text_item("hello", 3.0)], mode="alternate")
    player = run_player(cache)
    play(browser, player, 7)
    records = journal_records(cache, idle_first=True)
    languages = [r["languages"] for r in records]
    assert ["vi"] in languages and ["en"] in languages
    assert all(len(langs) == 1 for langs in languages)
    # Each language's slide is its own record, as long as its half of the item (1.5 s),
    # never the whole item (3 s); loose bounds: a busy machine shifts the page's reports.
    whole = records[1:-1]
    assert whole and all(0.5 < parse_iso(r["end"]) - parse_iso(r["start"]) < 2.9
                         for r in whole), [(r["start"], r["end"]) for r in whole]


def test_an_emergency_is_recorded_and_ends_the_item_it_covers(tmp_path, run_player, browser):
    cache = saved_player_dir(tmp_path, items=[text_item("hello", 30.0)])
    start = time.time() + 15  # time for the page to show the item first, even on a busy machine
    add_item(cache, text_item("first", 30.0), **{
        "id": 12, "from": iso(start), "until": iso(start + 3), "url": None,
        "messages": {"vi": {"title": "Đóng cửa khẩu", "body": ""},
                     "en": {"title": "Gate closed", "body": ""}}})
    player = run_player(cache)
    page = browser.new_page(viewport={"width": 960, "height": 540})
    page.goto(player.base + "/")
    wait_for(lambda: time.time() > start + 5, timeout=35)
    player.stop()
    page.close()
    records = journal_records(cache)
    kinds = [(r["kind"], r["ended"]) for r in records]
    assert ("emergency", "duration") in kinds
    emergency = next(r for r in records if r["kind"] == "emergency")
    assert emergency["emergency"] == 12 and emergency["languages"] == ["vi", "en"]
    assert 2.0 < parse_iso(emergency["end"]) - parse_iso(emergency["start"]) < 4.0
    before = records[records.index(emergency) - 1]
    assert before["kind"] == "item" and before["ended"] == "emergency"
    assert records[records.index(emergency) + 1]["kind"] == "item"


def test_a_headless_player_records_its_decisions(tmp_path, run_player):
    items = [image_item("citadel", 1.0, sha(PICTURE)), text_item("hello", 1.0)]
    cache = saved_player_dir(tmp_path, items=items)
    player = run_player(cache, "headless")
    wait_for(lambda: (player.json("/status")["journal"] or {}).get("last_seq", 0) >= 3,
             timeout=15, what="three records")
    status = player.json("/status")["journal"]
    assert status["pending"] == status["last_seq"] and status["losses"] == 0
    assert status["oldest_pending"] and status["bytes"] > 0 and status["id"]
    player.stop()
    records = journal_records(cache)
    assert {r["source"] for r in records} == {"headless"}
    assert records[-1]["ended"] == "stop"
    assert_chain(records)
    # A restart goes on with the same journal, the chain unbroken.
    again = run_player(cache, "headless")
    wait_for(lambda: again.json("/status")["journal"]["last_seq"] > len(records) + 1,
             timeout=15, what="records after the restart")
    again.stop()
    after = journal_records(cache)
    assert after[:len(records)] == records
    assert_chain(after)


def test_after_a_crash_the_next_start_ends_the_record_with_restart(tmp_path, run_player):
    cache = saved_player_dir(tmp_path, items=[text_item("long", 60.0)])
    player = run_player(cache, "headless")
    wait_for(lambda: (cache / "journal" / "open.json").exists(), timeout=15,
             what="a record on screen")
    time.sleep(6)  # its last moment saved at least once more (every 5 s)
    player.proc.kill()  # a power cut, as far as the player knows
    player.proc.wait()
    shown_until = json.loads((cache / "journal" / "open.json").read_text())["seen"]
    again = run_player(cache, "headless")
    wait_for(lambda: again.json("/status")["journal"]["last_seq"] >= 1, timeout=15,
             what="the open record ended")
    again.stop()
    records = journal_records(cache)
    assert records[0]["ended"] == "restart" and records[0]["item"] == "long"
    assert parse_iso(records[0]["end"]) == pytest.approx(shown_until, abs=0.002)
    assert parse_iso(records[0]["end"]) - parse_iso(records[0]["start"]) >= 5
    assert records[1]["item"] == "long" and records[1]["ended"] == "stop"
    assert_chain(records)


def test_a_journal_that_cannot_be_opened_does_not_stop_the_screen(tmp_path, run_player):
    cache = saved_player_dir(tmp_path, items=[text_item("hello", 1.0)])
    (cache / "journal").write_text("a file where the journal's folder should be")
    player = run_player(cache, "headless")
    status = wait_for(lambda: (s := player.json("/status"))["now_playing"] and s,
                      timeout=15, what="playing")
    assert status["journal"] is None
    code, log = player.stop()
    assert code == 0 and "cannot be used, playing without it" in log


def test_only_the_page_itself_can_report_what_is_on_screen(tmp_path, run_player):
    import urllib.error
    import urllib.request

    cache = saved_player_dir(tmp_path, items=[text_item("hello", 30.0)])
    player = run_player(cache)
    report = json.dumps({"kind": "item", "key": "forged", "playlist": "welcome@1",
                         "item": "hello", "languages": ["vi"], "media": []}).encode()

    def post(body: bytes, **headers) -> int:
        request = urllib.request.Request(player.base + "/api/shown", data=body,
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as err:
            return err.code

    # A framed web page's script: a "simple" cross-origin request, or any other origin.
    assert post(report, **{"Content-Type": "text/plain"}) == 415
    assert post(report, **{"Content-Type": "application/json",
                           "Origin": "https://evil.example"}) == 403
    assert post(b"{not json", **{"Content-Type": "application/json"}) == 400
    assert post(b"x" * 20000, **{"Content-Type": "application/json"}) == 400
    assert post(report, **{"Content-Type": "application/json",
                           "Origin": player.base}) == 200  # the page itself
    player.stop()
    assert [r["item"] for r in journal_records(cache)] == ["hello"]  # that one only


def test_a_video_is_recorded_once_it_has_a_frame(tmp_path, run_player, browser):
    import shutil
    import subprocess

    if shutil.which("ffmpeg") is None:
        pytest.skip("no ffmpeg to make a video")
    webm = tmp_path / "clip.webm"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc=size=64x48:rate=10:duration=1", "-c:v", "libvpx", str(webm)],
                   check=True, timeout=60)
    clip = webm.read_bytes()
    cache = saved_player_dir(tmp_path, items=[text_item("hello", 1.5)])
    add_item(cache, dict(image_item("clip", 2.0, sha(clip)), type="video"), clip,
             mime="video/webm")
    player = run_player(cache)
    play(browser, player, 8)
    records = journal_records(cache, idle_first=True)
    clips = [r for r in records if r["item"] == "clip"]
    assert clips and all(r["media"] == [sha(clip)] for r in clips)
    assert_chain(records)
