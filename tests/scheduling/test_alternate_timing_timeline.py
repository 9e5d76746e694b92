"""``alternate_timing`` from config/sites.yaml to the screen's timeline: the import
validates and writes it, the real publisher puts it in ``display``, the player's resolver
(and the preview, which uses it) honour it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from controller.content.sites_import import import_sites
from controller.content.yamlfile import YamlError
from controller.models import Screen, ScreenTimeline
from controller.timeline.preview import preview
from controller.timeline.publisher import TimelinePublisher
from player.timeline import parse_time, parse_timeline, resolve

REPO = Path(__file__).resolve().parents[2]
SITES = REPO / "config" / "sites.yaml"
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
PANO, HALL, AIRPORT = "a-dot-outdoor-pano", "a-dot-entry-hall", "phu-bai-arrivals"

BASE = """\
sites:
  - id: hue-station
    name: {vi: "Ga Huế", en: "Hue Station"}
    screens:
      - id: hue-station-hall
        name: {vi: "Sảnh chờ", en: "Waiting hall"}
        orientation: landscape
        resolution: 1920x1080
        languages: [vi, en]
        bilingual_mode: alternate
        alternate_timing: repeat
        default_playlist: welcome-hue
"""


def body_of(session, screen: str) -> dict:
    return session.scalar(select(ScreenTimeline.body).where(ScreenTimeline.screen_id == screen))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the import -------------------------------------------------------------------------


def test_the_shipped_file_sets_repeat_on_one_alternate_screen(session):
    timings = {s.id: (s.bilingual_mode, s.alternate_timing)
               for s in session.scalars(select(Screen))}
    assert timings[PANO] == ("alternate", "repeat")
    assert timings[HALL] == ("alternate", "split")  # not given: the default
    assert timings[AIRPORT] == ("dual", "split")


def test_import_writes_the_column_and_reimport_is_idempotent(session, tmp_path):
    path = write(tmp_path, BASE)
    assert import_sites(session, path).created == 2
    session.commit()
    assert session.get(Screen, "hue-station-hall").alternate_timing == "repeat"
    again = import_sites(session, path)
    assert (again.created, again.updated) == (0, 0) and not again.changed
    # Dropping the key sets the screen back to split.
    dropped = import_sites(session, write(tmp_path, BASE.replace(
        "        alternate_timing: repeat\n", "")))
    session.commit()
    assert dropped.updated == 1
    assert session.get(Screen, "hue-station-hall").alternate_timing == "split"


@pytest.mark.parametrize("old, new, line, reason", [
    ("alternate_timing: repeat", "alternate_timing: twice", 11,
     "'alternate_timing' must be one of split, repeat, got 'twice'"),
    ("alternate_timing: repeat", "alternate_timing: 3", 11, "must be one of split, repeat"),
    ("bilingual_mode: alternate", "bilingual_mode: dual", 11,
     "alternate_timing applies only to bilingual_mode: alternate"),
])
def test_bad_timings_are_refused_with_file_and_line_and_change_nothing(
        session, tmp_path, old, new, line, reason):
    import_sites(session, write(tmp_path, BASE))
    session.commit()
    path = write(tmp_path, BASE.replace(old, new))
    with pytest.raises(YamlError) as info:
        import_sites(session, path)
    assert (info.value.file, info.value.line) == (str(path), line), str(info.value)
    assert reason in info.value.reason
    session.rollback()
    assert session.get(Screen, "hue-station-hall").alternate_timing == "repeat"


def test_a_dual_screen_refusal_says_why(session, tmp_path):
    path = write(tmp_path, BASE.replace("bilingual_mode: alternate", "bilingual_mode: dual"))
    with pytest.raises(YamlError) as info:
        import_sites(session, path)
    assert "this screen is dual, which shows its languages together" in str(info.value)
    assert "remove alternate_timing or set bilingual_mode: alternate" in str(info.value)


# --- through the real publisher and the player's resolver ------------------------------


def test_the_timing_reaches_the_timeline_and_the_player_honours_it(session):
    TimelinePublisher(None, 15, clock=lambda: NOW).rebuild(session)
    pano, hall, airport = (body_of(session, s) for s in (PANO, HALL, AIRPORT))
    assert pano["display"]["alternate_timing"] == "repeat"
    assert hall["display"]["alternate_timing"] == "split"
    assert "alternate_timing" not in airport["display"]  # dual: nothing to time
    for body in (pano, hall, airport):
        parse_timeline(body)  # the player accepts what the controller sends

    # Same playlist on both border screens, three languages: the first item plays three
    # times as long on the pano, each language for the item's whole duration.
    assert pano["segments"][0]["playlist"] == hall["segments"][0]["playlist"]
    start = parse_time(pano["segments"][0]["from"])
    first = pano["playlists"][pano["segments"][0]["playlist"]]["items"][0]
    assert first["type"] in ("text", "image")
    d = first["duration"]
    on_pano, on_hall = resolve(pano, start + 0.5), resolve(hall, start + 0.5)
    assert on_pano.item["id"] == on_hall.item["id"] == first["id"]
    assert on_pano.ends_at - on_pano.started_at == 3 * d
    assert on_hall.ends_at - on_hall.started_at == d
    assert [(s.languages, s.started_at - start) for s in on_pano.slides] == [
        (("vi",), 0), (("lo",), d), (("en",), 2 * d)]
    assert [s.languages for s in on_hall.slides] == [("vi",), ("lo",), ("en",)]
    assert [s.started_at - start for s in on_hall.slides] == pytest.approx(
        [0, d / 3, 2 * d / 3], abs=1e-3)


def test_changing_the_timing_pushes_a_new_version(session, tmp_path):
    publisher = TimelinePublisher(None, 15, clock=lambda: NOW)
    publisher.rebuild(session)
    before = body_of(session, PANO)["version"]
    text = SITES.read_text(encoding="utf-8").replace("alternate_timing: repeat",
                                                     "alternate_timing: split")
    import_sites(session, write(tmp_path, text))
    session.commit()
    assert publisher.rebuild(session) == [PANO]  # only that screen changed
    after = body_of(session, PANO)
    assert after["version"] == before + 1 and after["display"]["alternate_timing"] == "split"


def test_the_preview_shows_the_language_the_screen_shows(session):
    TimelinePublisher(None, 15, clock=lambda: NOW).rebuild(session)
    body = body_of(session, PANO)
    start = parse_time(body["segments"][0]["from"])
    d = body["playlists"][body["segments"][0]["playlist"]]["items"][0]["duration"]
    for offset, language in ((0.5, "vi"), (d + 0.5, "lo"), (2 * d + 0.5, "en")):
        at = datetime.fromtimestamp(start + offset, UTC)
        shown = preview(session, PANO, at, 15)
        assert shown["alternate_timing"] == "repeat"
        assert shown["playing"]["showing"]["languages"] == [language], offset
        playing = resolve(body, start + offset)
        assert shown["playing"]["item"] == playing.item["id"]
        assert playing.slide_at(start + offset).languages == (language,)
