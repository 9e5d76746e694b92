"""Languages: unknown codes refused, and a playlist complete for every screen showing it —
checked by the sites, playlists and schedules imports in whichever order they run, on a
real SQLite database, refusing with FILE, line N and changing nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml

from controller.content.completeness import (
    describe_missing,
    missing_languages,
    refusal_for_screens,
)
from controller.content.playlists_write import import_playlists
from controller.content.schedules_import import import_schedules
from controller.content.sites_import import import_sites
from controller.content.yamlfile import YamlError
from controller.languages import Language, LanguageConfig
from controller.media.store import MediaStore
from controller.models import Agency
from controller.review.agencies import import_agencies
from controller.zones.declarations import import_layouts

from .conftest import REPO, cli_here, snapshot

SITES = (REPO / "config" / "sites.yaml").read_text("utf-8")
HUE = (REPO / "playlists" / "welcome-hue.yaml").read_text("utf-8")
BORDER = (REPO / "playlists" / "border-welcome.yaml").read_text("utf-8")
ITEMS = [{"id": "a", "variants": {"vi": {}, "en": {}, "lo": {}}},
         {"id": "b", "variants": {"vi": {}, "en": {}}},
         {"id": "c", "variants": {"vi": {}}}]



@pytest.fixture(autouse=True)
def _layouts(sessions) -> None:
    """The layouts config/sites.yaml names, imported first as `pano-controller import`
    does (docs/zones.md)."""
    with sessions() as s:
        import_layouts(s, REPO / "config" / "layouts.yaml")
        s.commit()


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line containing ``needle``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[nth - 1]


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "store")


def playlists(session, store, path: Path = REPO / "playlists", **kw):
    if session.get(Agency, "dic") is None:
        import_agencies(session, REPO / "config" / "agencies.yaml")
    return import_playlists(session, path, store, REPO / "media", **kw, approve=True)


# -- the pure part ---------------------------------------------------------------------
def test_missing_languages_names_each_item_and_language_in_required_order() -> None:
    assert missing_languages(ITEMS, ["vi", "en"]) == {"c": ["en"]}
    assert missing_languages(ITEMS, ["vi", "lo", "en"]) == {"b": ["lo"], "c": ["lo", "en"]}
    assert missing_languages(ITEMS[:1], ["vi", "lo", "en"]) == {}
    assert missing_languages([], ["fr"]) == {}


def test_refusal_groups_screens_and_names_every_item_and_language() -> None:
    assert refusal_for_screens("playlist 'x@1'", {"s1": {}, "s2": {}}) is None
    text = refusal_for_screens("playlist 'x@1'", {"s2": {"b": ["lo"]}, "s1": {"b": ["lo"]},
                                      "s3": {"c": ["fr", "lo"]}})
    assert text.startswith("playlist 'x@1' lacks languages its screens require — "
                           "for screens s1, s2: item 'b' lacks lo | "
                           "for screen s3: item 'c' lacks fr, lo.")
    assert describe_missing({"b": ["lo"], "c": ["fr", "lo"]}) == (
        "item 'b' lacks lo; item 'c' lacks fr, lo")


# -- the shipped demo data is complete -------------------------------------------------
def test_demo_data_imports_in_either_order(sessions, store) -> None:
    with sessions() as s:
        import_sites(s, REPO / "config" / "sites.yaml")
        playlists(s, store)
        s.commit()
    with sessions() as s:
        playlists(s, store)
        import_sites(s, REPO / "config" / "sites.yaml")
        s.commit()


# -- (a) a screen's default playlist ---------------------------------------------------
def test_sites_refuse_a_default_playlist_lacking_the_screens_language(
        session, store, tmp_path) -> None:
    playlists(session, store)
    session.commit()
    before = snapshot(session)
    text = SITES.replace("default_playlist: border-welcome",
                         "default_playlist: welcome-hue", 1)
    path = write(tmp_path, "sites.yaml", text)
    with pytest.raises(YamlError) as info:
        import_sites(session, path)
    err = info.value
    assert err.line == line_of(text, "- id: a-dot-entry-hall")
    assert err.reason.startswith("screen 'a-dot-entry-hall': its default playlist "
                                 "'welcome-hue@1' lacks languages its screens require")
    for item in ("welcome", "citadel", "perfume-river", "lang-co"):
        assert f"item {item!r} lacks lo" in err.reason
    assert snapshot(session) == before


def test_sites_first_then_an_incomplete_default_playlist_is_refused(
        session, store, tmp_path) -> None:
    text = SITES.replace("default_playlist: border-welcome", "default_playlist: welcome-hue")
    import_sites(session, write(tmp_path, "sites.yaml", text))  # no playlist yet: fine
    session.commit()
    before = snapshot(session)
    with pytest.raises(YamlError) as info:
        playlists(session, store)
    err = info.value
    assert err.file == str(REPO / "playlists" / "welcome-hue.yaml")
    assert err.line == line_of(HUE, "- id: welcome")
    assert "for screens a-dot-entry-hall, a-dot-outdoor-pano: item 'welcome' lacks lo; " \
           "item 'citadel' lacks lo; item 'perfume-river' lacks lo; item 'lang-co' lacks lo" \
           in err.reason
    assert snapshot(session) == before


def test_sites_refuse_adding_a_language_the_default_playlist_lacks(
        session, store, tmp_path) -> None:
    import_sites(session, REPO / "config" / "sites.yaml")
    playlists(session, store)
    session.commit()
    text = SITES.replace("languages: [vi, en]", "languages: [vi, en, fr]", 1)
    with pytest.raises(YamlError) as info:
        import_sites(session, write(tmp_path, "sites.yaml", text))
    assert info.value.line == line_of(text, "- id: chan-may-cruise-terminal")
    assert "item 'welcome' lacks fr" in info.value.reason


# -- (c) a playlist re-import ----------------------------------------------------------
def drop_lao(text: str, item: str) -> str:
    data = yaml.safe_load(text)
    for entry in data["items"]:
        if entry["id"] == item:
            del entry["variants"]["lo"]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_reimport_that_makes_an_assigned_playlist_incomplete_is_refused(
        session, store, tmp_path) -> None:
    import_sites(session, REPO / "config" / "sites.yaml")
    playlists(session, store)
    session.commit()
    before = snapshot(session)
    text = drop_lao(BORDER, "friendship")
    path = write(tmp_path / "pl", "border-welcome.yaml", text)
    with pytest.raises(YamlError) as info:
        playlists(session, store, path)
    err = info.value
    assert err.line == line_of(text, "- id: friendship")
    assert err.reason == (
        "playlist 'border-welcome' lacks languages its screens require — for screens "
        "a-dot-entry-hall, a-dot-outdoor-pano: item 'friendship' lacks lo. Add the missing "
        "variants to the playlist, or change the screens' languages or the playlist they "
        "show (the playlist is assigned to them already)")
    assert snapshot(session) == before


def test_reimport_checks_screens_reached_by_a_schedule_of_the_current_version(
        session, store, tmp_path) -> None:
    sites = SITES.replace("        default_playlist: border-welcome\n", "")
    import_sites(session, write(tmp_path, "sites.yaml", sites))
    playlists(session, store)
    current = "schedules:\n  - id: border\n    playlist: border-welcome\n" \
              "    targets: {tags: [border]}\n"
    import_schedules(session, write(tmp_path, "schedules.yaml", current))
    session.commit()
    path = write(tmp_path / "pl", "border-welcome.yaml", drop_lao(BORDER, "citadel"))
    with pytest.raises(YamlError, match="item 'citadel' lacks lo"):
        playlists(session, store, path)
    session.rollback()
    # Pinned to version 1, the schedule keeps complete items: a version 2 is fine.
    import_schedules(session, write(tmp_path, "schedules.yaml",
                                    current + "    version: 1\n"))
    session.commit()
    report = playlists(session, store, path)
    assert "border-welcome: new version 2" in report.notes


# -- (b) schedules ---------------------------------------------------------------------
@pytest.mark.parametrize("targets", ["{tags: [border]}", "{sites: [a-dot-border-gate]}",
                                     "{screens: [a-dot-outdoor-pano, phu-bai-arrivals]}"])
def test_schedule_putting_a_playlist_on_screens_needing_more_languages_is_refused(
        session, store, tmp_path, targets: str) -> None:
    import_sites(session, REPO / "config" / "sites.yaml")
    playlists(session, store)
    session.commit()
    before = snapshot(session)
    text = ("schedules:\n  - id: ok\n    playlist: border-welcome\n"
            "    targets: {tags: [arrivals]}\n"
            f"  - id: hue-at-the-border\n    playlist: welcome-hue\n    targets: {targets}\n")
    path = write(tmp_path, "schedules.yaml", text)
    with pytest.raises(YamlError) as info:
        import_schedules(session, path)
    err = info.value
    assert err.line == 6  # the refused schedule's playlist
    screens = ("a-dot-outdoor-pano" if "screens" in targets
               else "a-dot-entry-hall, a-dot-outdoor-pano")
    assert err.reason.startswith(
        f"schedule 'hue-at-the-border': playlist 'welcome-hue@1' lacks languages its "
        f"screens require — for screen{'s' if ',' in screens else ''} {screens}: "
        "item 'welcome' lacks lo; item 'citadel' lacks lo; item 'perfume-river' lacks lo; "
        "item 'lang-co' lacks lo.")
    assert snapshot(session) == before


def test_sites_refuse_a_screen_change_that_a_schedule_cannot_serve(
        session, store, tmp_path) -> None:
    import_sites(session, REPO / "config" / "sites.yaml")
    playlists(session, store)
    import_schedules(session, write(tmp_path, "schedules.yaml",
                                    "schedules:\n  - id: hue\n    playlist: welcome-hue\n"
                                    "    targets: {tags: [arrivals]}\n"))
    session.commit()
    old = ("languages: [vi, en]\n        bilingual_mode: dual\n"
           "        default_playlist: welcome-hue\n        tags: [arrivals, indoor]")
    assert old in SITES
    text = SITES.replace(old, old.replace("[vi, en]", "[vi, lo, en]").replace(
        "welcome-hue", "border-welcome"))
    with pytest.raises(YamlError) as info:
        import_sites(session, write(tmp_path, "sites.yaml", text))
    assert info.value.line == line_of(text, "- id: phu-bai-arrivals")
    assert info.value.reason.startswith(
        "screen 'phu-bai-arrivals': playlist 'welcome-hue@1' (schedule 'hue') lacks")


# -- configured codes ------------------------------------------------------------------
def test_unknown_language_codes_are_refused_naming_the_known_ones(
        session, store, tmp_path) -> None:
    text = SITES.replace("languages: [vi, en]", "languages: [vi, en, de]", 1)
    with pytest.raises(YamlError) as info:
        import_sites(session, write(tmp_path, "sites.yaml", text))
    assert info.value.line == line_of(text, "languages: [vi, en, de]")
    assert "unknown language 'de' (known: vi, en, fr, lo;" in info.value.reason
    playlist = HUE.replace("      en:\n        title: \"Welcome",
                           "      de:\n        title: \"Willkommen\"\n"
                           "      en:\n        title: \"Welcome", 1)
    path = write(tmp_path / "pl", "welcome-hue.yaml", playlist)
    with pytest.raises(YamlError) as info:
        playlists(session, store, path)
    assert info.value.line == line_of(playlist, "de:")
    assert "unknown language 'de' (known: vi, en, fr, lo;" in info.value.reason


def test_configured_languages_and_required_ones_are_used(session, store, tmp_path) -> None:
    config = LanguageConfig(languages=(Language("vi", "Tiếng Việt", "Vietnamese"),
                                       Language("en", "Tiếng Anh", "English"),
                                       Language("lo", "Tiếng Lào", "Lao"),
                                       Language("pac", "Tiếng Pa Kô", "Pacoh")),
                            required=("vi", "en", "lo"))
    with pytest.raises(YamlError, match="variants must include 'lo'"):
        playlists(session, store, REPO / "playlists" / "welcome-hue.yaml", languages=config)
    playlists(session, store, REPO / "playlists" / "border-welcome.yaml", languages=config)
    with pytest.raises(YamlError, match="languages must include 'lo'"):
        import_sites(session, REPO / "config" / "sites.yaml", config)
    text = SITES.replace("languages: [vi, lo, en]", "languages: [vi, lo, en, pac]", 1)
    with pytest.raises(YamlError, match="unknown language 'fr'|languages must include"):
        import_sites(session, write(tmp_path, "sites.yaml", text), config)


# -- through the command line, with config/controller.yaml -----------------------------
def test_cli_refuses_an_incomplete_schedule_and_imports_nothing(workdir: Path) -> None:
    assert cli_here(workdir, "import").returncode == 0
    with sqlite3.connect(workdir / "var" / "pano.db") as conn:
        before = conn.execute("select slug, windows from schedules order by slug").fetchall()
    assert len(before) > 1
    (workdir / "config" / "schedules.yaml").write_text(
        "schedules:\n  - id: hue-at-the-border\n    playlist: welcome-hue\n"
        "    targets: {tags: [border]}\n", encoding="utf-8")
    result = cli_here(workdir, "import")
    assert result.returncode == 2
    assert ("config/schedules.yaml, line 3: schedule 'hue-at-the-border': playlist "
            "'welcome-hue@1' lacks languages its screens require — for screens "
            "a-dot-entry-hall, a-dot-outdoor-pano: item 'welcome' lacks lo;") in result.stderr
    with sqlite3.connect(workdir / "var" / "pano.db") as conn:
        assert conn.execute("select slug, windows from schedules order by slug"
                            ).fetchall() == before


def test_cli_uses_the_configured_languages(workdir: Path) -> None:
    config = workdir / "config" / "controller.yaml"
    config.write_text(config.read_text("utf-8").replace(
        '  - {code: lo, name_vi: "Tiếng Lào", name_en: "Lao"}\n', ""), encoding="utf-8")
    result = cli_here(workdir, "import")
    assert result.returncode == 2
    # The first file read that uses Lao (sources.yaml's names, before sites.yaml's A Đớt
    # site) is refused with the configured languages named.
    assert "'name': a name in an unknown language 'lo' (known: vi, en, fr, pac;" \
        in result.stderr and "nothing imported" in result.stderr
