"""config/layouts.yaml and the screens that choose a layout: what is accepted, and each
refusal naming the file and the line, with nothing stored (real SQLite, the real
import that `pano-controller import` and `make run` use)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from zones.conftest import LAYOUTS, REPO, SITES, write

from controller.content.import_all import import_content
from controller.content.sites_import import import_sites
from controller.content.yamlfile import YamlError
from controller.models import LayoutRow, Screen
from controller.settings import Settings
from controller.zones.declarations import import_layouts, parse_layouts, stored_layouts
from controller.zones.geometry import place


def _refused(tmp_path: Path, text: str) -> YamlError:
    path = write(tmp_path / "layouts.yaml", text)
    with pytest.raises(YamlError) as caught:
        parse_layouts(path)
    return caught.value


def test_the_shipped_layouts_parse_and_tile_every_screen() -> None:
    layouts = parse_layouts(REPO / "config" / "layouts.yaml")
    assert [layout.name for layout in layouts] == ["pano-ticker-clock", "hall-ticker-clock",
                                                "clock-top"]
    for layout in layouts:
        for size in ((1920, 1080), (1280, 720), (1080, 1920), (3840, 2160)):
            placed = place(layout, *size)
            zones = [z for z in (placed.main, placed.ticker, placed.band or placed.clock)
                     if z is not None]
            assert sum(z.width * z.height for z in zones) == size[0] * size[1]
            assert not any(a.overlaps(b) for i, a in enumerate(zones) for b in zones[i + 1:])
    beside = place(layouts[0], 1920, 1080)  # the clock ends the strip at the bottom
    assert beside.ticker.width + beside.clock.width == 1920
    assert beside.main.height == 1080 - beside.ticker.height


def test_a_layout_and_a_screen_choosing_it_are_stored(session, tmp_path: Path) -> None:
    import_layouts(session, write(tmp_path / "layouts.yaml", LAYOUTS))
    import_sites(session, write(tmp_path / "sites.yaml", SITES % "ticker-clock"))
    session.commit()
    assert session.get(Screen, "hall").layout == "ticker-clock"
    layout = stored_layouts(session)["ticker-clock"]
    assert layout.ticker.playlist == "news" and layout.clock.corner == "top-right"


@pytest.mark.parametrize(("text", "line", "words"), [
    ("""
     layouts:
       - name: wide
         ticker: {edge: bottom, height: 8, playlist: news, colour: red}
     """, 3, "unknown key 'colour'"),
    ("""
     layouts:
       - name: clash
         ticker:
           edge: bottom
           height: 8
           playlist: news
         clock:
           corner: bottom-left
           width: 16
           height: 12
     """, 10, "overlap"),
    ("""
     layouts:
       - name: tall
         ticker: {edge: top, height: 20, playlist: news}
         clock:
           corner: bottom-right
           width: 16
           height: 20
     """, 4, "at least 65 %"),
    ("""
     layouts:
       - name: edge
         ticker: {edge: left, height: 8, playlist: news}
     """, 3, "'edge' must be one of top, bottom"),
    ("""
     layouts:
       - name: one
       - name: one
     """, 3, "duplicate layout name 'one'"),
])
def test_bad_layouts_are_refused_at_their_line(tmp_path: Path, text: str, line: int,
                                               words: str) -> None:
    err = _refused(tmp_path, text)
    assert err.line == line, str(err)
    assert words in str(err)
    assert str(err).startswith(f"{tmp_path / 'layouts.yaml'}, line {line}:")


def test_an_unknown_layout_name_refuses_the_sites_file(session, tmp_path: Path) -> None:
    import_layouts(session, write(tmp_path / "layouts.yaml", LAYOUTS))
    session.commit()
    sites = write(tmp_path / "sites.yaml", SITES % "ticker-clok")
    with pytest.raises(YamlError) as caught:
        import_sites(session, sites)
    session.rollback()
    assert caught.value.line == 13  # the screen's layout: line
    assert "layout 'ticker-clok' is not declared" in str(caught.value)
    assert "ticker-clock" in str(caught.value)  # what there is
    assert session.scalar(select(func.count()).select_from(Screen)) == 0


def test_sites_imported_before_any_layout_say_to_import_the_layouts_first(
        session, tmp_path: Path) -> None:
    """`pano-controller import --sites config/sites.yaml` alone on a new database: the
    demo's Lăng Cô pano names a layout, and the refusal says what to do."""
    with pytest.raises(YamlError) as caught:
        import_sites(session, REPO / "config" / "sites.yaml")
    session.rollback()
    assert "no layout is stored yet; import config/layouts.yaml first" in str(caught.value)
    assert session.scalar(select(func.count()).select_from(Screen)) == 0


def test_a_layout_a_screen_uses_cannot_leave_the_file(session, tmp_path: Path) -> None:
    import_layouts(session, write(tmp_path / "layouts.yaml", LAYOUTS))
    import_sites(session, write(tmp_path / "sites.yaml", SITES % "ticker-clock"))
    session.commit()
    other = write(tmp_path / "other.yaml", "layouts:\n  - name: plain\n")
    with pytest.raises(YamlError, match="screen 'hall' uses it"):
        import_layouts(session, other)
    session.rollback()
    assert set(stored_layouts(session)) == {"ticker-clock"}


def test_a_ticker_text_too_long_refuses_the_whole_import(session, tmp_path: Path) -> None:
    body = "Welcome to Huế. " * 20  # with its title: 330 characters
    playlists = tmp_path / "playlists"
    playlists.mkdir()
    write(playlists / "news.yaml", f"""
        id: news
        title: {{vi: "Tin", en: "News"}}
        items:
          - id: short
            type: text
            duration: 5
            variants:
              vi: {{title: "Xin chào"}}
              en: {{title: "Hello"}}
          - id: essay
            type: text
            duration: 5
            variants:
              vi: {{title: "Dài"}}
              en: {{title: "Hello", body: "{body.strip()}"}}
        """)
    write(playlists / "main.yaml", """
        id: main
        title: {vi: "Chính", en: "Main"}
        items:
          - id: hello
            type: text
            duration: 5
            variants:
              vi: {title: "Xin chào"}
              en: {title: "Hello"}
        """)
    layouts = write(tmp_path / "layouts.yaml", LAYOUTS)
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(YamlError) as caught:
        import_content(session, settings, layouts=layouts, playlists=playlists,
                       sites=write(tmp_path / "sites.yaml", SITES % "ticker-clock"),
                       media_dir=tmp_path)
    session.rollback()
    err = caught.value
    assert err.file == str(layouts) and err.line == 6  # the ticker's playlist: line
    assert "item 'essay' whose en text is 327 characters" in str(err)
    assert "at most 300" in str(err)
    for model in (LayoutRow, Screen):
        assert session.scalar(select(func.count()).select_from(model)) == 0


@pytest.mark.parametrize("edge", ["top", "bottom"])
@pytest.mark.parametrize("corner", ["top-left", "top-right", "bottom-left", "bottom-right"])
@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720), (1080, 1920)])
def test_every_ticker_edge_and_clock_corner_tiles_the_screen(edge: str, corner: str,
                                                              size: tuple[int, int]) -> None:
    from controller.zones.declarations import Clock, Layout, Ticker

    beside = corner.startswith(edge)
    layout = Layout("x", Ticker(edge, 10, "news"), Clock(corner, 20, 10 if beside else 7))
    placed = place(layout, *size)
    zones = [placed.main, placed.ticker, placed.band or placed.clock]
    assert sum(z.width * z.height for z in zones) == size[0] * size[1]
    assert not any(a.overlaps(b) for i, a in enumerate(zones) for b in zones[i + 1:])
    assert placed.main.width == size[0]  # the main area is a full-width rectangle
    clock = placed.clock
    assert (clock.x == 0) == corner.endswith("left")
    assert (clock.y == 0) == corner.startswith("top")
    if beside:  # the clock ends the strip, on its edge, as high as it
        assert placed.band is None and clock.y == placed.ticker.y
        assert clock.height == placed.ticker.height
        assert placed.ticker.width + clock.width == size[0]
    else:
        assert placed.band.y == clock.y and placed.band.width == size[0]


def test_the_cli_refuses_a_bad_layouts_file_in_one_line(tmp_path: Path, capsys) -> None:
    from controller.cli import main
    from controller.cli_base import EXIT_INPUT

    bad = write(tmp_path / "layouts.yaml", """
        layouts:
          - name: clash
            ticker: {edge: top, height: 8, playlist: news}
            clock: {corner: top-left, width: 16, height: 10}
        """)
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "db", "upgrade"]) == 0
    assert main(["--data-dir", str(data), "import", "--layouts", str(bad)]) == EXIT_INPUT
    err = capsys.readouterr().err.strip()
    assert err.endswith(f"refused, nothing imported: {bad}, line 4: layout 'clash': 'clock': "
                        "the clock at top-left and the ticker strip share the top edge, so "
                        "they overlap "
                        "unless they have the same height: the clock is 10 % high, the strip "
                        "8 %; remove the clock's height (it then takes the strip's) or move "
                        "the clock to the other edge")
    assert main(["--data-dir", str(data), "import", "--layouts",
                 str(REPO / "config" / "layouts.yaml")]) == 0
    assert "screen layouts: 3 created" in capsys.readouterr().out
