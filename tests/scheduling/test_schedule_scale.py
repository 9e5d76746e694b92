"""500 screens with 20 schedules: every timeline is built right, and a second rebuild
changes nothing. (How fast it is: `python -m bench.rebuild`, never a unit test.)"""

from __future__ import annotations

from datetime import UTC, datetime

from controller import changes
from controller.models import Schedule, Screen
from controller.timeline.builder import _schedule_claims
from controller.timeline.publisher import TimelinePublisher

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
SITES = ["chan-may-port", "phu-bai-airport", "a-dot-border-gate", "lang-co-pano"]
TAGS = ["arrivals", "indoor", "outdoor", "pano", "kiosk"]


def _fleet(session) -> None:
    for n in range(500):
        session.add(Screen(id=f"s{n:03d}", site_id=SITES[n % 4], name_vi="m", name_en="s",
                           orientation="landscape", width=1920, height=1080,
                           languages=["vi", "en"], bilingual_mode="dual",
                           timezone="Asia/Ho_Chi_Minh",
                           tags=[TAGS[n % 5], TAGS[(n // 5) % 5]],
                           default_playlist_id="welcome-hue"))
    for n in range(20):
        kind = ("sites", "tags", "screens")[n % 3]
        target = {"sites": [SITES[n % 4]], "tags": [TAGS[n % 5]],
                  "screens": [f"s{(n * 37) % 500:03d}"]}[kind]
        session.add(Schedule(
            slug=f"sched-{n}", playlist_id=("border-welcome", "welcome-hue")[n % 2],
            playlist_version=None, targets={kind: target}, weekdays=[n % 7, (n + 3) % 7],
            windows=[[f"{(6 + n) % 24:02d}:00", f"{(9 + n) % 24:02d}:30"]], priority=n % 3,
            created_seq=n + 1, source="test"))
    changes.bump(session)
    session.commit()


def test_500_screens_with_20_schedules_build_consistent_timelines(session):
    _fleet(session)
    publisher = TimelinePublisher(None, 15, clock=lambda: NOW)
    assert len(publisher.rebuild(session)) >= 500  # first build: writes every timeline
    _schedule_claims.cache_clear()
    assert publisher.rebuild(session) == []  # same inputs, same hashes: nothing pushed
    scheduled = 0
    for n in range(500):
        body = publisher.timeline_for(session, f"s{n:03d}")
        keys = {seg["playlist"] for seg in body["segments"]}
        assert keys <= set(body["playlists"])  # every segment's playlist is in the body
        scheduled += "border-welcome@1" in keys
    assert 0 < scheduled < 500  # schedules reach some screens, not all
