"""Zone (layout) tests: a migrated SQLite database per test, and small config files."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from controller.db import make_engine, make_session_factory, upgrade

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'pano.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        yield s
    engine.dispose()


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    return path


SITES = """
sites:
  - id: phu-bai
    name: {vi: "Cảng hàng không Phú Bài", en: "Phu Bai Airport"}
    timezone: Asia/Ho_Chi_Minh
    screens:
      - id: hall
        name: {vi: "Sảnh đến", en: "Arrivals hall"}
        orientation: landscape
        resolution: 1920x1080
        languages: [vi, en]
        bilingual_mode: dual
        default_playlist: main
        layout: %s
"""

LAYOUTS = """
layouts:
  - name: ticker-clock
    ticker:
      edge: bottom
      height: 8
      playlist: news
    clock:
      corner: top-right
      width: 16
      height: 9
"""
