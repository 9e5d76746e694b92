"""The demo shows zones (docs/zones.md, README): what ``make run`` imports — the
shipped config/ and playlists/, through the same ``controller.demo.prepare`` — gives
the Lăng Cô Bay pano a news ticker in Vietnamese and English and a clock, drawn by the
controller and seen in the screen's preview (real SQLite, media store, the real
builder and renderers)."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime
from pathlib import Path

import yaml
from PIL import Image
from zones.conftest import REPO

from controller import db
from controller.demo import prepare
from controller.media.store import MediaStore
from controller.settings import Settings
from controller.timeline.preview import preview, preview_png
from controller.timeline.publisher import TimelinePublisher

SCREEN = "lang-co-bay-pano"  # 1080×1920, vi/en
AT = datetime(2026, 12, 7, 3, 0, 5, tzinfo=UTC)  # 10:00 in Huế, a Monday


def test_the_demo_pano_has_a_ticker_and_a_clock(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(REPO)  # make run's working directory: playlists/ under it
    settings = dataclasses.replace(Settings(data_dir=tmp_path / "var"),
                                   config_dir=REPO / "config", media_source_dir=REPO / "media")
    assert prepare(settings, None) is None  # no player: the import and the account
    engine = db.make_engine(settings.db_url)
    store = MediaStore(settings.media_dir)
    with db.make_session_factory(engine)() as session:
        TimelinePublisher(None, 15, clock=lambda: AT, store=store,
                          base_url="https://pano.example").rebuild(session)
        said = preview(session, SCREEN, AT, 15, store, "https://pano.example")
        png = preview_png(session, SCREEN, AT, 15, store, "https://pano.example")
    engine.dispose()

    layout = said["layout"]
    assert layout["name"] == "pano-ticker-clock"
    ticker, clock = layout["ticker"], layout["clock"]
    assert ticker["playlist"] == "lang-co-ticker@1"
    shipped = yaml.safe_load((REPO / "playlists" / "lang-co-ticker.yaml").read_text("utf-8"))
    texts = {strip["lang"]: strip["text"] for strip in ticker["strips"]}
    assert set(texts) == {"vi", "en"}
    for item in shipped["items"]:  # every item scrolls, in both languages
        for lang in ("vi", "en"):
            assert item["variants"][lang]["title"] in texts[lang]
    assert all(strip.get("media") for strip in ticker["strips"])  # drawn as pictures
    assert clock["timezone"] == "Asia/Ho_Chi_Minh" and clock["languages"] == ["vi", "en"]

    with Image.open(io.BytesIO(png)) as image:
        image = image.convert("RGB")
        assert image.size == (1080, 1920)
        strip = image.crop((ticker["x"], ticker["y"], ticker["x"] + ticker["width"],
                            ticker["y"] + ticker["height"]))
        colours = {c for _, c in strip.getcolors(1 << 16)}
        assert max(sum(c) for c in colours) > 600, "no letters in the ticker strip"
        corner = image.crop((clock["x"], clock["y"], clock["x"] + clock["width"],
                             clock["y"] + clock["height"]))
        assert max(sum(c) for _, c in corner.getcolors(1 << 16)) > 600  # the time

