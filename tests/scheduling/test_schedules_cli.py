"""``pano-controller import`` with schedules, as a subprocess in a copy of the project."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import REPO


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "controller.cli", *args], cwd=cwd,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60)


def test_plain_import_includes_schedules_and_a_bad_file_changes_nothing(tmp_path):
    for name in ("config", "playlists", "media"):
        shutil.copytree(REPO / name, tmp_path / name)
    first = run(tmp_path, "import")
    assert first.returncode == 0, first.stderr
    shipped = yaml.safe_load((REPO / "config" / "schedules.yaml").read_text("utf-8"))
    slugs = sorted(entry["id"] for entry in shipped["schedules"])
    assert f"config/schedules.yaml: schedules: {len(slugs)} created" in first.stdout
    db = tmp_path / "var" / "pano.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("select slug from schedules order by slug").fetchall() == [
            (slug,) for slug in slugs]
        counter = conn.execute("select value from change_counter").fetchone()
    again = run(tmp_path, "import", "--schedules", "config/schedules.yaml")
    assert f"0 created, 0 updated, {len(slugs)} unchanged" in again.stdout

    path = tmp_path / "config" / "schedules.yaml"
    path.write_text(path.read_text("utf-8").replace('"18:00-23:30"', '"18:00-23:61"'), "utf-8")
    bad = run(tmp_path, "import", "--schedules", "config/schedules.yaml")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "config/schedules.yaml, line 14: schedule 'phu-bai-evening-friendship': window " \
           "'18:00-23:61' is not HH:MM-HH:MM" in bad.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select windows from schedules where slug = "
                            "'phu-bai-evening-friendship'").fetchone() == (
            '[["18:00", "23:30"]]',)
        assert conn.execute("select value from change_counter").fetchone() == counter
