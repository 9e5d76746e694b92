"""The playlist item ``type: data``: a source and a template by id, a fallback; checked
at import and at submission (YAML and JSON alike) against the declared sources and the
imported templates, refused with a sentence naming the item and the fix; the template
is copied into the item, so what review approves is what screens show."""

from __future__ import annotations

from pathlib import Path

import pytest
from dataitems.sample import ARRIVALS, TEMPLATES, add_source
from sqlalchemy import select

from controller.content.items_json import parse_items
from controller.content.playlists_write import import_playlists
from controller.content.yamlfile import YamlError
from controller.dataslides.templates import import_templates
from controller.media.store import MediaStore
from controller.models import Playlist, PlaylistVersion
from controller.refusals import say

PLAYLIST = """id: airport-live
title: {vi: Thông tin trực tiếp, en: Live information}
items:
  - id: welcome
    type: text
    duration: 10
    variants:
      vi: {title: Chào mừng đến Huế}
      en: {title: Welcome to Huế}
  - id: arrivals
    type: data
    source: phu-bai-arrivals
    template: arrivals-board
    duration: 20
    title: {vi: Chuyến bay đến Phú Bài}
    fallback: welcome
"""


@pytest.fixture
def ready(session):
    import_templates(session, TEMPLATES)
    add_source(session, "phu-bai-arrivals", ARRIVALS)
    session.commit()
    return session


def _import(session, tmp_path: Path, text: str):
    path = tmp_path / "airport-live.yaml"
    path.write_text(text, encoding="utf-8")
    return import_playlists(session, path, MediaStore(tmp_path / "media"), tmp_path,
                            approve=True)


def test_a_data_item_is_stored_with_its_template_copied_in(ready, tmp_path: Path) -> None:
    report = _import(ready, tmp_path, PLAYLIST)
    assert not [n for n in report.notes if "no field" in n]  # the records have them all
    ready.commit()
    playlist = ready.get(Playlist, "airport-live")
    version = ready.scalar(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == "airport-live",
        PlaylistVersion.number == playlist.current_version))
    item = version.items[1]
    assert item["type"] == "data" and item["source"] == "phu-bai-arrivals"
    assert item["fallback"] == {"item": "welcome"} and item["duration"] == 20
    assert item["template"]["id"] == "arrivals-board"
    assert item["template"]["columns"][0] == {
        "field": "flight", "format": "text",
        "label": {"vi": "Chuyến bay", "en": "Flight", "lo": "ຖ້ຽວບິນ", "fr": "Vol"}}
    # Its languages are the template's; the item's own title replaces the template's.
    assert item["variants"]["vi"]["title"] == "Chuyến bay đến Phú Bài"
    assert item["variants"]["lo"]["title"] == "ຖ້ຽວບິນມາຮອດ"
    # Importing the same file again makes no new version.
    _import(ready, tmp_path, PLAYLIST)
    ready.commit()
    assert ready.get(Playlist, "airport-live").current_version == playlist.current_version


@pytest.mark.parametrize(("change", "line", "words"), [
    (("source: phu-bai-arrivals", "source: hue-weather"), 10,
     "item 'arrivals': there is no data source 'hue-weather' (declared: phu-bai-arrivals); "
     "declare it in config/sources.yaml"),
    (("template: arrivals-board", "template: departures"), 10,
     "item 'arrivals': there is no data template 'departures' (imported: arrivals-board, "
     "ship-calls, opening-hours-fees, weather)"),
    (("fallback: welcome", "fallback: goodbye"), 10,
     "its fallback 'goodbye' is not another item of this playlist"),
    (("fallback: welcome", "fallback: arrivals"), 10,
     "its fallback 'arrivals' is not another item of this playlist"),
    (("    duration: 20\n", "    duration: 20\n    variants: {vi: {title: x}}\n"), 15,
     "unknown key 'variants'"),
    (("    fallback: welcome", "    fallback: {variants: {vi: {title: Chào}}}"), 16,
     "variants must include 'en'"),
])
def test_a_bad_data_item_is_refused_with_its_line(ready, tmp_path: Path, change, line: int,
                                                  words: str) -> None:
    with pytest.raises(YamlError) as exc:
        _import(ready, tmp_path, PLAYLIST.replace(*change))
    assert words in str(exc.value)
    assert exc.value.line == line, str(exc.value)
    ready.rollback()
    assert ready.get(Playlist, "airport-live") is None  # nothing stored


def test_an_inline_fallback_is_a_text_in_every_required_language(ready,
                                                                 tmp_path: Path) -> None:
    text = PLAYLIST.replace("    fallback: welcome", "    fallback:\n      variants:\n"
                            "        vi: {title: Xem bảng thông tin của sân bay}\n"
                            "        en: {title: See the airport's information boards}")
    _import(ready, tmp_path, text)
    ready.commit()
    version = ready.scalar(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == "airport-live"))
    fallback = version.items[1]["fallback"]
    assert fallback["variants"]["en"]["title"] == "See the airport's information boards"


def test_a_fallback_must_be_fixed_content(ready, tmp_path: Path) -> None:
    second = PLAYLIST + ("  - id: weather\n    type: data\n    source: phu-bai-arrivals\n"
                         "    template: weather\n    duration: 10\n    fallback: arrivals\n")
    with pytest.raises(YamlError) as exc:
        _import(ready, tmp_path, second)
    assert "its fallback 'arrivals' is a data item too" in str(exc.value)


def test_a_template_field_the_current_records_lack_is_said_by_the_import(
        ready, tmp_path: Path) -> None:
    from controller.dataslides.templates import import_templates as again

    template = TEMPLATES.read_text(encoding="utf-8").replace("field: status",
                                                             "field: expected")
    path = tmp_path / "templates.yaml"
    path.write_text(template, encoding="utf-8")
    again(ready, path)
    report = _import(ready, tmp_path, PLAYLIST)
    said = [n for n in report.notes if "no field" in n]
    assert said == ["airport-live: item 'arrivals': the current records of source "
                    "'phu-bai-arrivals' have no field 'expected' that template "
                    "'arrivals-board' shows: those cells show a dash (—) until the feed "
                    "has them; check the template's 'field' names against the source's "
                    "records"]


def test_a_json_submission_is_checked_the_same_way(ready, tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    welcome = {"id": "welcome", "type": "text", "duration": 10,
               "variants": {"vi": {"title": "Chào"}, "en": {"title": "Welcome"}}}
    data = {"id": "arrivals", "type": "data", "source": "phu-bai-arrivals",
            "template": "arrivals-board", "duration": 20, "fallback": "welcome"}
    items = parse_items(ready, store, [welcome, data])
    assert items[1]["template"]["title"]["en"] == "Arrivals"
    with pytest.raises(YamlError) as exc:
        parse_items(ready, store, [welcome, {**data, "template": "nope"}])
    assert "there is no data template 'nope'" in str(exc.value)
    with pytest.raises(YamlError) as exc:
        parse_items(ready, store, [welcome, {**data, "source": "nope"}])
    assert "there is no data source 'nope'" in str(exc.value)
    # The API says it in the caller's language (Accept-Language: vi).
    assert "mục 'arrivals': không có nguồn dữ liệu 'nope' (đã khai báo: phu-bai-arrivals)" \
        in say(exc.value.args[0], "vi")


def test_an_exported_data_item_imports_back_unchanged(ready, tmp_path: Path) -> None:
    from controller.content.playlists_export import export_playlist

    inline = PLAYLIST.replace("    fallback: welcome", "    fallback:\n      variants:\n"
                              "        vi: {title: Xem bảng, body: Ở sảnh}\n"
                              "        en: {title: See the boards}")
    _import(ready, tmp_path, inline)
    ready.commit()
    text, media = export_playlist(ready, MediaStore(tmp_path / "media"), "airport-live")
    assert "template: arrivals-board" in text and media == {}
    again = tmp_path / "again"
    again.mkdir()
    report = _import(ready, again, text)
    assert report.unchanged == 1 and report.created == report.updated == 0
