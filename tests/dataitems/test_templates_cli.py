"""``pano-controller import --data-templates FILE`` (in this process): the shipped file
is imported and reported, a refused one exits 2 with the file, the line and the fault,
and changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dataitems.sample import TEMPLATES
from support.fleet import cli_here


def _count(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "pano.db") as conn:
        return conn.execute("select count(*) from data_templates").fetchone()[0]


def test_import_the_templates_alone_then_a_bad_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    status, out, err = cli_here(data_dir, "import", "--data-templates", str(TEMPLATES))
    assert status == 0, err
    assert f"{TEMPLATES}: data templates: 4 created, 0 updated, 0 unchanged" in out
    bad = tmp_path / "data_templates.yaml"
    bad.write_text(TEMPLATES.read_text(encoding="utf-8").replace("max_rows: 12",
                                                                 "max_rows: 99"), "utf-8")
    line = next(n for n, text in enumerate(bad.read_text("utf-8").splitlines(), 1)
                if "max_rows: 99" in text)
    status, out, err = cli_here(data_dir, "import", "--data-templates", str(bad))
    assert status == 2
    assert (f"refused, nothing imported: {bad}, line {line}: template 'arrivals-board': "
            "'max_rows' must be between 1 and 30, got 99") in err
    assert _count(data_dir) == 4
