"""A ticker's playlist lacking one of a screen's languages is refused like a default or
scheduled playlist lacking it (docs/zones.md "Ticker"): at the playlists import, the
sites import (the screen's ``layout:`` line), the layouts import (the ticker's
``playlist:`` line), at submit and at approval; the sentence names the layout, the
screen, the item and the language, in Vietnamese for the panel too. Pictures have no
place in a ticker, so their languages do not matter to it. Real SQLite, the real
imports and review workflow."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from zones.conftest import write

from controller.content.import_all import import_content
from controller.content.sites_import import import_sites
from controller.content.yamlfile import YamlError
from controller.models import APPROVED, IN_REVIEW, LayoutRow, Playlist, PlaylistVersion, Screen
from controller.refusals import say
from controller.review import ReviewError
from controller.review.actor import Actor
from controller.review.workflow import approve, create_playlist, submit
from controller.settings import Settings
from controller.zones.declarations import import_layouts

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
        languages: [vi, en, lo]
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
      playlist: %s
    clock:
      corner: top-right
      width: 16
      height: 9
  - name: plain
    clock: {corner: top-left, width: 16, height: 9}
"""

MAIN = """
id: main
title: {vi: "Chính", en: "Main"}
items:
  - id: hello
    type: text
    duration: 5
    variants:
      vi: {title: "Xin chào"}
      en: {title: "Hello"}
      lo: {title: "ສະບາຍດີ"}
"""

NEWS = """
id: news
title: {vi: "Tin", en: "News"}
items:
  - id: welcome
    type: text
    duration: 5
    variants:
      vi: {title: "Chào mừng đến Huế"}
      en: {title: "Welcome to Huế"}
      lo: {title: "ຍິນດີຕ້ອນຮັບສູ່ເມືອງເວ້"}
  - id: gate
    type: text
    duration: 5
    variants:
      vi: {title: "Cửa 3 mở"}
      en: {title: "Gate 3 is open"}
"""


def _text(item_id: str, langs: tuple[str, ...]) -> dict:
    return {"id": item_id, "type": "text", "duration": 5.0,
            "variants": {lang: {"title": f"{item_id} {lang}", "body": None, "media": None,
                                "url": None} for lang in langs}}


def _picture(item_id: str, langs: tuple[str, ...]) -> dict:
    return {"id": item_id, "type": "image", "duration": 5.0,
            "variants": {lang: {"title": None, "body": None, "media": "a" * 64,
                                "url": None} for lang in langs}}


def _approved(session, playlist_id: str, items: list, number: int = 1,
              state: str = APPROVED) -> None:
    playlist = session.get(Playlist, playlist_id)
    if playlist is None:
        playlist = Playlist(id=playlist_id, title_vi="T", title_en="T", current_version=None)
        session.add(playlist)
        session.flush()
    session.add(PlaylistVersion(playlist_id=playlist_id, number=number, items=items,
                                content_hash=hashlib.sha256(repr(items).encode()).hexdigest(),
                                state=state, source="test", edited_by=None))
    if state == APPROVED:
        playlist.current_version = number


@pytest.fixture
def hall(session, tmp_path: Path):
    """The hall (vi, en, lo) with the ticker-clock layout scrolling 'news', whose
    approved version speaks the three languages."""
    import_layouts(session, write(tmp_path / "layouts.yaml", LAYOUTS % "news"))
    _approved(session, "main", [_text("hello", ("vi", "en", "lo"))])
    _approved(session, "news", [_text("welcome", ("vi", "en", "lo"))])
    session.flush()
    import_sites(session, write(tmp_path / "sites.yaml", SITES % "ticker-clock"))
    session.commit()
    return session


def test_the_playlists_import_refuses_a_ticker_playlist_lacking_a_screen_language(
        session, tmp_path: Path) -> None:
    playlists = tmp_path / "playlists"
    playlists.mkdir()
    write(playlists / "main.yaml", MAIN)
    news = write(playlists / "news.yaml", NEWS)
    with pytest.raises(YamlError) as caught:
        import_content(session, Settings(data_dir=tmp_path), media_dir=tmp_path,
                       layouts=write(tmp_path / "layouts.yaml", LAYOUTS % "news"),
                       sites=write(tmp_path / "sites.yaml", SITES % "ticker-clock"),
                       playlists=playlists)
    session.rollback()
    err = caught.value
    assert err.file == str(news) and err.line == 11  # the item lacking Lao
    assert str(err).endswith(
        "playlist 'news' (the ticker of layout 'ticker-clock') lacks languages its screens "
        "require — for screen hall: item 'gate' lacks lo. Add the missing variants to the "
        "playlist, or change the screens' languages or the playlist they show (the "
        "playlist is assigned to them already)")
    vi = say(err.reason, "vi")
    assert "dòng chữ chạy của bố cục 'ticker-clock'" in vi and "item 'gate'" not in vi
    for model in (LayoutRow, Screen, Playlist):
        assert session.scalar(select(func.count()).select_from(model)) == 0


def test_pictures_have_no_place_in_a_ticker_so_their_languages_do_not_matter(
        session, tmp_path: Path) -> None:
    import_layouts(session, write(tmp_path / "layouts.yaml", LAYOUTS % "news"))
    _approved(session, "main", [_text("hello", ("vi", "en", "lo"))])
    _approved(session, "news", [_text("welcome", ("vi", "en", "lo")),
                                _picture("photo", ("vi", "en"))])
    session.flush()
    import_sites(session, write(tmp_path / "sites.yaml", SITES % "ticker-clock"))
    session.commit()
    assert session.get(Screen, "hall").layout == "ticker-clock"


def test_the_sites_import_refuses_a_screen_whose_ticker_lacks_its_language(
        session, tmp_path: Path) -> None:
    import_layouts(session, write(tmp_path / "layouts.yaml", LAYOUTS % "news"))
    _approved(session, "main", [_text("hello", ("vi", "en", "lo"))])
    _approved(session, "news", [_text("welcome", ("vi", "en", "lo")), _text("gate", ("vi", "en"))])
    session.commit()
    sites = write(tmp_path / "sites.yaml", SITES % "ticker-clock")
    with pytest.raises(YamlError) as caught:
        import_sites(session, sites)
    session.rollback()
    assert caught.value.line == 13  # the screen's layout: line
    assert "screen 'hall': playlist 'news@1' (the ticker of layout 'ticker-clock') lacks " \
           "languages its screens require — for screen hall: item 'gate' lacks lo" \
           in str(caught.value)
    assert session.scalar(select(func.count()).select_from(Screen)) == 0
    import_sites(session, write(tmp_path / "plain.yaml", SITES % "plain"))  # no ticker: fine
    session.commit()


def test_the_layouts_import_refuses_a_ticker_playlist_lacking_a_screen_language(
        hall, tmp_path: Path) -> None:
    session = hall
    _approved(session, "alerts", [_text("storm", ("vi", "en"))])
    session.commit()
    layouts = write(tmp_path / "other.yaml", LAYOUTS % "alerts")
    with pytest.raises(YamlError) as caught:
        import_content(session, Settings(data_dir=tmp_path), layouts=layouts)
    session.rollback()
    assert caught.value.file == str(layouts) and caught.value.line == 6  # playlist:
    assert "playlist 'alerts@1' (the ticker of layout 'ticker-clock') lacks languages " \
           "its screens require — for screen hall: item 'storm' lacks lo" in str(caught.value)
    session.expire_all()
    assert session.get(LayoutRow, "ticker-clock").spec["ticker"]["playlist"] == "news"


def test_submit_and_approval_refuse_a_ticker_version_lacking_a_screen_language(hall) -> None:
    session = hall
    editor = Actor(None, "lan", "editor")
    create_playlist(session, editor, "festival", title_vi="Lễ hội", title_en="Festival",
                    items=[_text("a", ("vi", "en"))], agency_id=None)
    session.commit()
    submit(session, editor, session.get(Playlist, "festival"), 1)  # no screen shows it
    session.commit()

    _approved(session, "news", [_text("welcome", ("vi", "en", "lo")),
                                _text("gate", ("vi", "en"))], number=2, state=IN_REVIEW)
    session.commit()
    with pytest.raises(ReviewError) as refused:
        approve(session, Actor(None, "minh", "approver"), session.get(Playlist, "news"), 2)
    session.rollback()
    assert refused.value.status == 422
    assert refused.value.message.startswith(
        "playlist 'news@2' (the ticker of layout 'ticker-clock') lacks languages its "
        "screens require — for screen hall: item 'gate' lacks lo.")
    assert session.get(Playlist, "news").current_version == 1

    session.get(PlaylistVersion, _version_id(session, "news", 2)).state = "draft"
    session.commit()
    with pytest.raises(ReviewError) as refused:
        submit(session, editor, session.get(Playlist, "news"), 2)
    session.rollback()
    assert "for screen hall: item 'gate' lacks lo" in refused.value.message


def _version_id(session, playlist_id: str, number: int) -> int:
    return session.scalar(select(PlaylistVersion.id).where(
        PlaylistVersion.playlist_id == playlist_id, PlaylistVersion.number == number))
