"""Data templates: the shipped file declares the four gateway templates in the screens'
languages; a bad file is refused whole with the line of the fault; an import makes the
stored set what the file says; a template naming a field the current snapshot lacks is
reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from dataitems.sample import ARRIVALS, TEMPLATES

from controller.content.yamlfile import YamlError
from controller.dataslides.templates import (
    import_templates,
    missing_fields,
    parse_templates,
    stored_templates,
)
from controller.models import AuditEntry

GOOD = """templates:
  - id: arrivals-board
    title: {vi: Chuyến bay đến, en: Arrivals, lo: ຖ້ຽວບິນມາຮອດ}
    columns:
      - field: flight
        label: {vi: Chuyến bay, en: Flight}
      - field: gate
        label: {vi: Cửa, en: Gate}
    max_rows: 5
    sort: -scheduled
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data_templates.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_templates_are_the_four_gateway_boards() -> None:
    templates = {t.id: t for t in parse_templates(TEMPLATES)}
    assert set(templates) == {"arrivals-board", "ship-calls", "opening-hours-fees", "weather"}
    arrivals = templates["arrivals-board"]
    assert [arrivals.title(lang) for lang in ("vi", "en", "lo")] == [
        "Chuyến bay đến", "Arrivals", "ຖ້ຽວບິນມາຮອດ"]
    assert arrivals.fields == ("flight", "from.vi", "scheduled", "status")
    assert templates["ship-calls"].columns[1].format == "datetime"
    for template in templates.values():  # every label in every language of the title
        langs = {lang for lang, _ in template.titles}
        assert {"vi", "en", "lo", "fr"} <= langs
        for column in template.columns:
            assert {lang for lang, _ in column.labels} == langs


def test_a_template_round_trips_through_json() -> None:
    for template in parse_templates(TEMPLATES):
        assert type(template).from_json(template.as_json()) == template


@pytest.mark.parametrize(("text", "line", "words"), [
    (GOOD.replace("        label: {vi: Cửa, en: Gate}", "        label: {vi: Cửa}"), 8,
     "missing required key 'en'"),
    (GOOD.replace("max_rows: 5", "max_rows: 500"), 9, "'max_rows' must be between 1 and 30"),
    (GOOD.replace("sort: -scheduled", "sort: 'a b'"), 10, "'sort' must name a field"),
    (GOOD.replace("lo: ຖ້ຽວບິນມາຮອດ", "xx: hmm"), 3, "unknown language 'xx'"),
    (GOOD.replace("      - field: gate", "      - field: flight"), 7,
     "the field 'flight' has a column already"),
    (GOOD.replace("    max_rows: 5", "    colour: red"), 9, "unknown key 'colour'"),
    (GOOD.replace("        label: {vi: Cửa, en: Gate}",
                  "        label: {vi: Cửa, en: Gate}\n        format: money"), 9,
     "'format' must be one of text, time, date, datetime"),
    (GOOD + GOOD.split("templates:\n")[1], 11, "duplicate template id 'arrivals-board'"),
])
def test_a_bad_template_is_refused_with_its_line(tmp_path: Path, text: str, line: int,
                                                  words: str) -> None:
    with pytest.raises(YamlError) as exc:
        parse_templates(_write(tmp_path, text))
    assert exc.value.line == line, str(exc.value)
    assert words in str(exc.value)


def test_too_many_columns_are_refused_with_the_fix(tmp_path: Path) -> None:
    columns = "".join(f"      - field: f{i}\n        label: {{vi: C{i}, en: C{i}}}\n"
                      for i in range(7))
    text = ("templates:\n  - id: wide\n    title: {vi: Rộng, en: Wide}\n    columns:\n"
            + columns)
    with pytest.raises(YamlError) as exc:
        parse_templates(_write(tmp_path, text))
    assert "more than 6 columns" in str(exc.value) and "split it" in str(exc.value)


def test_an_import_makes_the_stored_set_what_the_file_says(session, tmp_path: Path) -> None:
    report = import_templates(session, TEMPLATES)
    assert report.created == 4
    stored = stored_templates(session)
    assert list(stored) == [t.id for t in parse_templates(TEMPLATES)]
    assert import_templates(session, TEMPLATES).unchanged == 4
    report = import_templates(session, _write(tmp_path, GOOD))
    assert report.updated == 1 and len(report.notes) == 3  # three removed, said so
    stored = stored_templates(session)
    assert list(stored) == ["arrivals-board"]
    assert stored["arrivals-board"].sort == "scheduled" and stored["arrivals-board"].descending
    actions = [e.action for e in session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions.count("data_template.remove") == 3


def test_a_refused_file_changes_nothing_stored(session, tmp_path: Path) -> None:
    import_templates(session, TEMPLATES)
    with pytest.raises(YamlError):
        import_templates(session, _write(tmp_path, GOOD.replace("en: Gate", "en: ''")))
    assert len(stored_templates(session)) == 4


def test_a_field_the_records_lack_is_reported() -> None:
    template = parse_templates(TEMPLATES)[0]
    assert missing_fields(template, ARRIVALS) == []
    assert missing_fields(template, [{"flight": "VN1", "status": "ok"}]) == [
        "from.vi", "scheduled"]
    assert missing_fields(template, []) == list(template.fields)
