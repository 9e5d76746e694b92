"""``config/sources.yaml``: the shipped file imports with ``pano-controller import``; a
refused file names its line and changes nothing; a re-import updates, restarts and
removes sources as it says, and is audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from sources.conftest import ALLOWED
from sqlalchemy import func, select

from controller.cli import main
from controller.content.yamlfile import YamlError
from controller.models import AuditEntry, DataSource, DataSourceState
from controller.sources.declarations import import_sources

REPO = Path(__file__).resolve().parents[2]
GOOD = """\
sources:
  - id: arrivals
    kind: json
    url: https://fids.pano.example/arrivals.json
    every: 1m
    records: arrivals
    name: {vi: Chuyến bay đến, en: Arrivals, lo: ຖ້ຽວບິນມາຮອດ}
"""


def _import(db, text: str) -> None:
    path = db.dir / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    with db.sessions() as session:
        try:
            import_sources(session, path, tuple(ALLOWED))
            session.commit()
        finally:
            session.rollback()


def _refusal(db, text: str) -> str:
    with pytest.raises(YamlError) as refused:
        _import(db, text)
    return str(refused.value)


def _count(db, model) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("change, line, words", [
    (("every: 1m", "every: 10s"), 5, "'every' must be between 30 and 86400 seconds, got '10s'"),
    (("every: 1m", "every: soon"), 5, "'every' must be a number of seconds or a duration"),
    (("kind: json", "kind: xml"), 3, "'kind' must be one of json, csv, rss, atom, ical, cap"),
    (("fids.pano.example", "fids.example.com"), 4,
     "'url' https://fids.example.com/arrivals.json is not allowed: fids.example.com is not "
     "an allowed host"),
    (("records: arrivals", "delimiter: ';'"), 6, "unknown key 'delimiter'"),
    (("records: arrivals", "max_bytes: 99999999"), 6, "'max_bytes' must be between 1024 and"),
    (("en: Arrivals, ", ""), 7, "missing required key 'en'"),
])
def test_refusals_name_the_line_and_change_nothing(db, change, line, words):
    _import(db, GOOD.replace("arrivals.json", "before.json"))
    said = _refusal(db, GOOD.replace(*change))
    assert f"sources.yaml, line {line}: source 'arrivals': " in said, said
    assert words in said, said
    with db.sessions() as session:
        assert session.get(DataSource, "arrivals").url.endswith("/before.json")


def test_a_duplicate_id_and_an_empty_file(db):
    twice = GOOD + GOOD.split("sources:\n", 1)[1]
    assert "line 8: duplicate source id 'arrivals' (first on line 2)" in _refusal(db, twice)
    assert "file is empty" in _refusal(db, "# nothing yet\n")
    assert _count(db, DataSource) == 0


def test_reimports_update_restart_and_remove_and_are_audited(db):
    _import(db, GOOD + GOOD.split("sources:\n", 1)[1].replace("id: arrivals", "id: other"))
    assert _count(db, DataSource) == 2 and _count(db, DataSourceState) == 2
    with db.sessions() as session:  # as if it had been fetched
        session.get(DataSourceState, "arrivals").etag = '"v1"'
        session.commit()
    _import(db, GOOD.replace("every: 1m", "every: 2m"))  # other removed, arrivals slower
    with db.sessions() as session:
        assert session.get(DataSource, "arrivals").every_s == 120
        assert session.get(DataSourceState, "arrivals").etag == '"v1"'  # same feed
        assert session.get(DataSource, "other") is None
        assert session.get(DataSourceState, "other") is None
    _import(db, GOOD.replace("arrivals.json", "arrivals-v2.json"))  # another address
    with db.sessions() as session:
        state = session.get(DataSourceState, "arrivals")
        assert (state.status, state.etag) == ("pending", None)
        actions = [(e.action, e.object_id) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "data_source")
            .order_by(AuditEntry.id))]
    assert actions == [("source.declare", "arrivals"), ("source.declare", "other"),
                       ("source.declare", "arrivals"), ("source.remove", "other"),
                       ("source.declare", "arrivals")]


def test_the_shipped_file_imports_with_the_command_line(tmp_path, capsys):
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "import", "--sources",
                 str(REPO / "config" / "sources.yaml")]) == 0
    out = capsys.readouterr().out
    assert "data sources: 5 created, 0 updated, 0 unchanged" in out
    bad = tmp_path / "sources.yaml"
    bad.write_text(GOOD.replace("every: 1m", "every: 5s"), encoding="utf-8")
    assert main(["--data-dir", str(data), "import", "--sources", str(bad)]) != 0
    err = capsys.readouterr().err
    assert f"refused, nothing imported: {bad}, line 5: source 'arrivals'" in err
