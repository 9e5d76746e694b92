"""Schedules in the timelines the publisher builds: segments with ``id@version`` keys,
every playlist and media file they name, pushes only to the screens a change targets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from controller.content.schedules_import import import_schedules
from controller.models import Playlist, PlaylistVersion, Schedule, ScreenTimeline
from controller.timeline.publisher import TimelinePublisher

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # Friday 10:00 in Huế
PHU_BAI = ["phu-bai-arrivals", "phu-bai-baggage"]
EVENING = """\
schedules:
  - id: evening
    playlist: border-welcome
    targets: {sites: [phu-bai-airport]}
    windows: ["18:00-23:30"]
"""


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def __call__(self, event: str, body: dict, to: str, namespace: str) -> None:
        self.sent.append((to.removeprefix("screen:"), body))


def schedules_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schedules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def body_of(session, screen: str) -> dict:
    return session.scalar(select(ScreenTimeline.body).where(ScreenTimeline.screen_id == screen))


def test_scheduled_segments_name_versioned_keys_and_carry_what_they_need(session, tmp_path):
    import_schedules(session, schedules_file(tmp_path, EVENING))
    session.commit()
    TimelinePublisher(None, 15, clock=lambda: NOW).rebuild(session)
    body = body_of(session, "phu-bai-arrivals")
    plan = [(s["from"], s["until"], s["playlist"]) for s in body["segments"]]
    assert plan[:3] == [
        ("2026-11-26T17:00:00Z", "2026-11-27T11:00:00Z", "welcome-hue@1"),
        ("2026-11-27T11:00:00Z", "2026-11-27T16:30:00Z", "border-welcome@1"),
        ("2026-11-27T16:30:00Z", "2026-11-28T11:00:00Z", "welcome-hue@1"),
    ]
    assert len(plan) == 7  # three evenings in the three-day window
    evening = body["segments"][1]
    schedule_id = session.scalar(select(Schedule.id))
    assert evening["reason"] == (f"schedule {schedule_id} (priority 0, targets the screen "
                                 "by its site 'phu-bai-airport')")
    assert body["segments"][0]["reason"] == "default playlist of the screen"
    keys = {s["playlist"] for s in body["segments"]}
    assert set(body["playlists"]) == keys
    for key, playlist in body["playlists"].items():
        assert key == f"{playlist['id']}@{playlist['version']}"
        for item in playlist["items"]:
            for variant in item["variants"].values():
                assert variant["media"] is None or variant["media"] in body["media"]
    # Screens the schedule does not target keep the default playlist alone.
    other = body_of(session, "chan-may-cruise-terminal")
    assert [s["playlist"] for s in other["segments"]] == ["welcome-hue@1"]


def test_a_pinned_version_plays_that_version(session, tmp_path):
    pinned = EVENING.replace("    windows:", "    version: 1\n    windows:")
    import_schedules(session, schedules_file(tmp_path, pinned))
    playlist = session.get(Playlist, "border-welcome")
    first = session.scalar(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == "border-welcome"))
    session.add(PlaylistVersion(playlist_id="border-welcome", number=2, items=[],
                                content_hash="0" * 64, state="approved"))
    playlist.current_version = 2
    session.commit()
    TimelinePublisher(None, 15, clock=lambda: NOW).rebuild(session)
    body = body_of(session, "phu-bai-arrivals")
    assert body["segments"][1]["playlist"] == "border-welcome@1"
    assert body["playlists"]["border-welcome@1"]["items"] == first.items
    border = body_of(session, "a-dot-entry-hall")  # its default: the current version
    assert [s["playlist"] for s in border["segments"]] == ["border-welcome@2"]
    # Version 1 taken off air (archived): the pinned schedule plays nothing any more.
    first.state = "archived"
    session.commit()
    TimelinePublisher(None, 15, clock=lambda: NOW).rebuild(session)
    body = body_of(session, "phu-bai-arrivals")
    assert "border-welcome@1" not in body["playlists"]
    assert {s["playlist"] for s in body["segments"]} == {"welcome-hue@1"}


def test_a_schedule_whose_playlist_has_no_version_is_skipped(session, caplog):
    session.add(Playlist(id="festival-hue", title_vi="Festival", title_en="Festival",
                         current_version=1))
    session.add(Schedule(slug="festival", playlist_id="festival-hue", playlist_version=None,
                         targets={"sites": ["phu-bai-airport"]}, weekdays=list(range(7)),
                         windows=[], priority=9, created_seq=1, source="api"))
    session.commit()
    TimelinePublisher(None, 15, clock=lambda: NOW).rebuild(session)
    body = body_of(session, "phu-bai-arrivals")
    assert [s["playlist"] for s in body["segments"]] == ["welcome-hue@1"]
    assert "festival" in caplog.text and "skipped" in caplog.text


def test_a_schedule_change_pushes_only_to_the_screens_it_targets(session, tmp_path):
    recorder = Recorder()
    publisher = TimelinePublisher(recorder, 15, clock=lambda: NOW)
    publisher.rebuild(session)
    recorder.sent.clear()
    import_schedules(session, schedules_file(tmp_path, EVENING))
    session.commit()
    assert sorted(publisher.rebuild(session)) == PHU_BAI
    assert sorted(screen for screen, _ in recorder.sent) == PHU_BAI
    recorder.sent.clear()
    kiosk = EVENING.replace("{sites: [phu-bai-airport]}",
                            "{sites: [phu-bai-airport], screens: [chan-may-gate-kiosk]}")
    import_schedules(session, schedules_file(tmp_path, kiosk))
    session.commit()
    assert publisher.rebuild(session) == ["chan-may-gate-kiosk"]
    assert [screen for screen, _ in recorder.sent] == ["chan-may-gate-kiosk"]
    assert publisher.rebuild(session) == []  # nothing changed: nothing pushed
