"""``config/schedules.yaml`` import: valid files, idempotence, and refusals that name the
file and line and change nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from controller import changes
from controller.content.schedules_import import import_schedules
from controller.content.yamlfile import YamlError
from controller.models import Schedule

from .conftest import REPO

GOOD = """\
schedules:
  - id: evening
    playlist: border-welcome
    targets: {sites: [phu-bai-airport]}
    days: {from: 2026-01-01, until: 2026-12-31}
    weekdays: [fri, sat]
    windows: ["18:00-23:30", "22:00-02:00"]
    priority: 3
  - id: kiosk-all-day
    playlist: welcome-hue
    version: 1
    targets: {screens: [chan-may-gate-kiosk], tags: [cruise]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schedules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def state(session) -> tuple:
    session.rollback()
    rows = session.execute(select(Schedule.slug, Schedule.updated_at, Schedule.windows)
                           .order_by(Schedule.slug)).all()
    return changes.current(session), [tuple(r) for r in rows]


def test_a_valid_file_is_imported(session, tmp_path):
    before = changes.current(session)
    report = import_schedules(session, write(tmp_path, GOOD))
    session.commit()
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert changes.current(session) == before + 1
    evening = session.scalar(select(Schedule).where(Schedule.slug == "evening"))
    assert evening.playlist_id == "border-welcome" and evening.playlist_version is None
    assert evening.targets == {"sites": ["phu-bai-airport"], "screens": [], "tags": []}
    assert (evening.first_day, evening.last_day) == (date(2026, 1, 1), date(2026, 12, 31))
    assert evening.weekdays == [4, 5]
    assert evening.windows == [["18:00", "23:30"], ["22:00", "02:00"]]
    assert evening.priority == 3 and evening.source == "schedules.yaml"
    kiosk = session.scalar(select(Schedule).where(Schedule.slug == "kiosk-all-day"))
    assert kiosk.playlist_version == 1 and kiosk.weekdays == list(range(7))
    assert kiosk.windows == [] and kiosk.priority == 0
    assert kiosk.created_seq > evening.created_seq


def test_reimport_is_idempotent_and_an_edit_updates_in_place(session, tmp_path):
    path = write(tmp_path, GOOD)
    import_schedules(session, path)
    session.commit()
    before = state(session)
    ids = dict(session.execute(select(Schedule.slug, Schedule.id)).all())
    again = import_schedules(session, path)
    session.commit()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert state(session) == before
    import_schedules(session, write(tmp_path, GOOD.replace("priority: 3", "priority: 4")))
    session.commit()
    assert changes.current(session) == before[0] + 1
    assert dict(session.execute(select(Schedule.slug, Schedule.id)).all()) == ids
    assert session.scalar(select(Schedule.priority).where(Schedule.slug == "evening")) == 4


def test_schedules_missing_from_the_file_are_kept_and_reported(session, tmp_path):
    import_schedules(session, write(tmp_path, GOOD))
    session.commit()
    only_one = GOOD.split("  - id: kiosk-all-day")[0]
    report = import_schedules(session, write(tmp_path, only_one))
    assert report.kept == ["schedule kiosk-all-day"]
    assert "not in file, kept: schedule kiosk-all-day" in report.summary()
    assert session.scalar(select(func.count()).select_from(Schedule)) == 2


def test_the_shipped_demo_file_imports(session):
    report = import_schedules(session, REPO / "config" / "schedules.yaml")
    assert report.created >= 1


BAD = [
    ("    playlist: border-welcome\n", "    playlist: festival-hue\n", 3,
     "unknown playlist 'festival-hue'"),
    ("{sites: [phu-bai-airport]}", "{sites: [hanoi]}", 4, "unknown site 'hanoi'"),
    ("screens: [chan-may-gate-kiosk]", "screens: [nope]", 12, "unknown screen 'nope'"),
    ("{sites: [phu-bai-airport]}", "{}", 4, "at least one site, screen or tag"),
    ("until: 2026-12-31", "until: 2025-12-31", 5, "'until' 2025-12-31 is before 'from'"),
    ("until: 2026-12-31", "until: 2026-13-01", 5, "not a valid date"),
    ('"18:00-23:30"', '"18:00-24:30"', 7, "is not HH:MM-HH:MM"),
    ('"18:00-23:30"', '"08:00-08:00"', 7, "empty or ambiguous"),
    ('"18:00-23:30"', '"22:00-02:00"', 7, "listed twice"),
    ("[fri, sat]", "[fri, caturday]", 6, "'caturday' is not a weekday"),
    ("[fri, sat]", "[]", 6, "must not be an empty list"),
    ("    priority: 3\n", "    priority: high\n", 8, "'priority' must be a whole number"),
    ("    version: 1\n", "    version: 9\n", 11, "has no approved version 9"),
    ("    priority: 3\n", "    priority: 3\n    colour: red\n", 9, "unknown key 'colour'"),
    ("id: kiosk-all-day", "id: evening", 9, "duplicate schedule id 'evening' (first on line 2)"),
]


@pytest.mark.parametrize(("old", "new", "line", "reason"), BAD,
                         ids=[case[3][:30] for case in BAD])
def test_refusals_name_file_and_line_and_change_nothing(session, tmp_path, old, new, line,
                                                        reason):
    import_schedules(session, write(tmp_path, GOOD.replace("priority: 3", "priority: 2")))
    session.commit()
    before = state(session)
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(YamlError) as caught:
        import_schedules(session, path)
    session.rollback()
    message = str(caught.value)
    assert message.startswith(f"{path}, line {line}: "), message
    assert reason in message, message
    assert state(session) == before


def test_an_empty_file_and_a_wrong_top_level_are_refused(session, tmp_path):
    with pytest.raises(YamlError, match="file is empty"):
        import_schedules(session, write(tmp_path, ""))
    with pytest.raises(YamlError, match=r"line 1: top level: unknown key 'schedule'"):
        import_schedules(session, write(tmp_path, "schedule: []\n"))
