"""``explain``: what a screen plays at an instant and why, from the database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from controller.content.schedules_import import import_schedules
from controller.timeline.explain import explain

TWO = """\
schedules:
  - id: evening
    playlist: border-welcome
    targets: {sites: [phu-bai-airport]}
    windows: ["18:00-23:30"]
    priority: 1
  - id: arrivals-night
    playlist: welcome-hue
    targets: {tags: [arrivals]}
    windows: ["22:00-02:00"]
    priority: 1
"""
FRIDAY_20H = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # 20:00 in Huế
FRIDAY_23H = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # 23:00 in Huế
FRIDAY_10H = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@pytest.fixture
def imported(session, tmp_path: Path):
    path = tmp_path / "schedules.yaml"
    path.write_text(TWO, encoding="utf-8")
    import_schedules(session, path)
    session.commit()
    return session


def test_no_schedule_on_means_the_fallback(imported):
    out = explain(imported, "phu-bai-arrivals", FRIDAY_10H)
    assert out["playlist"] == "welcome-hue@1" and out["schedule"] is None
    assert out["fallback"] == "welcome-hue@1" and out["candidates"] == []
    assert "fallback playlist 'welcome-hue@1' plays" in out["reason"]
    assert out["local_time"] == "2026-11-27T10:00:00+07:00"


def test_the_only_schedule_on_plays(imported):
    out = explain(imported, "phu-bai-arrivals", FRIDAY_20H)
    assert out["playlist"] == "border-welcome@1"
    assert out["schedule"]["slug"] == "evening"
    assert "only schedule on" in out["reason"]


def test_overlap_is_explained_with_the_rule(imported):
    out = explain(imported, "phu-bai-arrivals", FRIDAY_23H)
    assert out["playlist"] == "welcome-hue@1"
    assert out["schedule"]["slug"] == "arrivals-night"
    assert [c["slug"] for c in out["candidates"]] == ["arrivals-night", "evening"]
    assert "targets the screen more specifically (by tag 'arrivals'" in out["reason"]
    assert out["summary"].startswith(f"schedule {out['schedule']['id']} (priority 1")


def test_an_untargeted_screen_and_bad_questions(imported):
    assert explain(imported, "a-dot-entry-hall", FRIDAY_20H)["playlist"] == "border-welcome@1"
    assert explain(imported, "a-dot-entry-hall", FRIDAY_20H)["schedule"] is None
    with pytest.raises(LookupError):
        explain(imported, "nope", FRIDAY_20H)
    with pytest.raises(ValueError):
        explain(imported, "phu-bai-arrivals", datetime(2026, 11, 27, 20, 0))
