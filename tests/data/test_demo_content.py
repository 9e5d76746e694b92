"""The demo content shipped in playlists/ and config/schedules.yaml (docs/demo-content.md):
every file imports with the real importers and the configured languages, every item has
the required languages, playlists shown at A Đớt have Lao, Lao text is Lao script,
Vietnamese text is NFC, and the whole config/ + playlists/ import succeeds."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from controller.content.import_all import import_content
from controller.content.playlists_import import parse_playlists
from controller.content.yamlfile import YamlError
from controller.models import Playlist, PlaylistVersion, Schedule
from controller.settings import ENV_VARS, Settings, load_settings

from .conftest import REPO

CONFIG = REPO / "config"
PLAYLISTS = REPO / "playlists"
MEDIA = REPO / "media"

DEMO = {  # playlist id -> (agency, languages every item must have)
    "festival-hue-2025": ("culture", {"vi", "en", "fr"}),
    "happy-hue-2025": ("tourism", {"vi", "en", "fr"}),
    "invest-hue": ("investment", {"vi", "en", "fr"}),
    "sea-islands": ("tourism", {"vi", "en", "fr"}),
    "vietnam-laos-friendship": ("foreign-affairs", {"vi", "lo", "en"}),
    "safe-border-crossing": ("border-guard", {"vi", "lo", "en"}),
}
AGENCIES = {"dic", "foreign-affairs", "tourism", "culture", "investment", "border-guard",
            "monuments"}
THEMES = {"heritage", "festival", "tourism", "investment", "sea-islands", "vietnam-laos",
          "border", "safety"}
A_DOT_SITE = "a-dot-border-gate"
# Latin words allowed inside Lao text (proper nouns and acronyms written in Latin script
# in Lao too). Anything else in Latin letters is refused.
LAO_LATIN_WHITELIST = frozenset({"UNESCO", "ASEAN", "PCI", "IOC", "Hue-S"})


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def playlist_files() -> list[Path]:
    return sorted(PLAYLISTS.glob("*.y*ml"))


def raw_playlists() -> dict[str, dict[str, Any]]:
    """Every playlist file as plain YAML (not normalised by the importer), by id."""
    return {data["id"]: data for data in (load(p) for p in playlist_files())}


def texts(playlist: dict[str, Any], lang: str) -> list[str]:
    """Every text of ``playlist`` in ``lang``: the playlist title, items' titles, bodies."""
    out = [playlist["title"][lang]] if lang in playlist["title"] else []
    for item in playlist["items"]:
        variant = item["variants"].get(lang) or {}
        out += [variant[key] for key in ("title", "body") if variant.get(key)]
    return out


def lao_problems(text: str) -> list[str]:
    """Letters of ``text`` that are neither Lao (U+0E80–U+0EFF) nor part of a
    whitelisted Latin word."""
    problems = []
    rest = text
    for word in re.findall(r"[A-Za-z][A-Za-z-]*", text):
        if word not in LAO_LATIN_WHITELIST:
            problems.append(word)
        rest = rest.replace(word, " ")
    for ch in rest:
        if unicodedata.category(ch)[0] in "LM" and not 0x0E80 <= ord(ch) <= 0x0EFF:
            problems.append(f"{ch} (U+{ord(ch):04X})")
    return problems


def is_lao(text: str) -> bool:
    return not lao_problems(text) and any(0x0E81 <= ord(ch) <= 0x0EDF for ch in text)


# ---- placements: which playlists the config puts on which screens ----------------------

def screens() -> dict[str, dict[str, Any]]:
    """Screen id -> {site, languages, tags, default_playlist} from config/sites.yaml."""
    out = {}
    for site in load(CONFIG / "sites.yaml")["sites"]:
        for screen in site["screens"]:
            out[screen["id"]] = {"site": site["id"], "languages": screen["languages"],
                                 "tags": set(screen.get("tags") or []),
                                 "default_playlist": screen.get("default_playlist")}
    return out


def schedules() -> list[dict[str, Any]]:
    return load(CONFIG / "schedules.yaml")["schedules"]


def reached(targets: dict[str, list[str]], all_screens: dict[str, dict[str, Any]]) -> set[str]:
    return {sid for sid, s in all_screens.items()
            if s["site"] in (targets.get("sites") or [])
            or sid in (targets.get("screens") or [])
            or s["tags"] & set(targets.get("tags") or [])}


def placements() -> dict[str, set[str]]:
    """Playlist id -> the screens that show it (as default or through a schedule)."""
    all_screens = screens()
    out: dict[str, set[str]] = {}
    for sid, s in all_screens.items():
        if s["default_playlist"]:
            out.setdefault(s["default_playlist"], set()).add(sid)
    for schedule in schedules():
        out.setdefault(schedule["playlist"], set()).update(
            reached(schedule["targets"], all_screens))
    return out


# ---- fixtures ----------------------------------------------------------------------------

@pytest.fixture
def settings(tmp_path: Path, monkeypatch) -> Settings:
    """The project's config/controller.yaml, with the data directory in tmp_path."""
    for env in ENV_VARS:
        monkeypatch.delenv(env, raising=False)
    return load_settings(CONFIG / "controller.yaml", data_dir=str(tmp_path / "var"))


# ---- (a) every playlist file parses with the real importer --------------------------------

def test_every_playlist_file_parses_with_the_configured_languages(settings) -> None:
    config = settings.language_config
    assert set(config.codes) >= {"vi", "en", "fr", "lo"}
    parsed = parse_playlists(PLAYLISTS, MEDIA, config)
    ids = [p.id for p in parsed]
    assert ids == sorted(p.stem for p in playlist_files())  # one file per id, named after it
    assert set(DEMO) <= set(ids)
    for playlist in parsed:
        if playlist.id in DEMO:
            assert playlist.agency == DEMO[playlist.id][0]
            assert playlist.themes and set(playlist.themes) <= THEMES
        for item in playlist.items:
            assert set(item["variants"]) <= set(config.codes), (playlist.id, item["id"])


@pytest.mark.parametrize("playlist_id", sorted(DEMO))
def test_demo_playlist_shape(playlist_id: str) -> None:
    data = raw_playlists()[playlist_id]
    agency, languages = DEMO[playlist_id]
    assert data["agency"] == agency
    assert data["themes"] and set(data["themes"]) <= THEMES
    assert len(data["themes"]) == len(set(data["themes"]))
    items = data["items"]
    assert 4 <= len(items) <= 7
    kinds = [item["type"] for item in items]
    assert kinds.count("text") > len(items) / 2  # mostly text
    for item in items:
        assert 8 <= item["duration"] <= 15, item["id"]
        assert set(item["variants"]) == languages, item["id"]
        media = {v.get("media") for v in item["variants"].values()}
        if item["type"] == "image":
            assert len(media) == 1 and (MEDIA / media.pop()).is_file(), item["id"]
        if item["type"] == "web":
            for variant in item["variants"].values():
                assert variant["url"].startswith(("https://hue.gov.vn", "https://huefestival.com",
                                                  "https://vietnam.vn",
                                                  "https://www.mofa.gov.vn")), item["id"]
        for variant in item["variants"].values():
            assert len(variant.get("title") or "") <= 60, (item["id"], variant)
            assert len(variant.get("body") or "") <= 220, (item["id"], variant)


def test_agency_and_themes_when_given_use_known_ids() -> None:
    for playlist_id, data in raw_playlists().items():
        if "agency" in data:
            assert data["agency"] in AGENCIES, playlist_id
        if "themes" in data:
            assert set(data["themes"]) <= THEMES, playlist_id


# ---- (b) languages: vi and en everywhere, lo where A Đớt shows it -------------------------

def test_every_item_has_vi_and_en() -> None:
    for playlist_id, data in raw_playlists().items():
        assert {"vi", "en"} <= set(data["title"]), playlist_id
        for item in data["items"]:
            assert {"vi", "en"} <= set(item["variants"]), (playlist_id, item["id"])


def test_playlists_placed_at_a_dot_have_lao() -> None:
    all_screens = screens()
    a_dot = {sid for sid, s in all_screens.items() if s["site"] == A_DOT_SITE}
    assert a_dot and all("lo" in all_screens[sid]["languages"] for sid in a_dot)
    at_a_dot = {pid for pid, shown_on in placements().items() if shown_on & a_dot}
    assert {"border-welcome", "vietnam-laos-friendship", "safe-border-crossing"} <= at_a_dot
    data = raw_playlists()
    for playlist_id in at_a_dot:
        for item in data[playlist_id]["items"]:
            assert "lo" in item["variants"], (playlist_id, item["id"])


def test_every_placed_playlist_has_its_screens_languages() -> None:
    all_screens, data = screens(), raw_playlists()
    for playlist_id, shown_on in placements().items():
        assert playlist_id in data, f"{playlist_id} is placed on screens but has no file"
        needed = set().union(*(all_screens[sid]["languages"] for sid in shown_on))
        for item in data[playlist_id]["items"]:
            missing = needed - set(item["variants"])
            assert not missing, (playlist_id, item["id"], missing)


# ---- (c) scripts: Lao is Lao, Vietnamese is NFC --------------------------------------------

def test_lao_checker_refuses_other_scripts() -> None:
    assert is_lao("ດ່ານສາກົນ ອາດອດ.")
    assert is_lao("ມິດຕະພາບ ລາວ – ຫວຽດນາມ 1962, UNESCO")
    assert not is_lao("ยินดีต้อนรับ")  # Thai
    assert not is_lao("Chào mừng")  # Vietnamese
    assert not is_lao("ຍິນດີຕ້ອນຮັບ welcome")  # a Latin word not whitelisted
    assert not is_lao("ຍິນດີ ĐỚT")
    assert not is_lao("1962")  # no Lao at all


def test_every_lao_string_is_lao_script() -> None:
    checked = 0
    for playlist_id, data in raw_playlists().items():
        for text in texts(data, "lo"):
            assert is_lao(text), (playlist_id, text, lao_problems(text))
            checked += 1
    assert checked >= 20  # the demo's Lao titles and bodies were all seen


def test_vietnamese_strings_are_nfc_and_have_diacritics() -> None:
    assert not unicodedata.is_normalized("NFC", unicodedata.normalize("NFD", "Huế"))
    for playlist_id, data in raw_playlists().items():
        for text in texts(data, "vi"):
            assert unicodedata.is_normalized("NFC", text), (playlist_id, text)
        for item in data["items"]:
            vi = item["variants"]["vi"]
            if item["type"] == "text":
                words = f"{vi['title']} {vi.get('body') or ''}"
                assert any(ord(ch) > 127 and ch.isalpha() for ch in words), (
                    playlist_id, item["id"], "no Vietnamese diacritics")


def test_all_files_are_nfc() -> None:
    for path in [*playlist_files(), CONFIG / "schedules.yaml"]:
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path.name


# ---- (d) the whole import into a fresh database --------------------------------------------

def import_everything(session, settings: Settings) -> list:
    """What ``pano-controller import`` does with the project's files."""
    return import_content(session, settings, agencies=CONFIG / "agencies.yaml",
                          layouts=CONFIG / "layouts.yaml",
                          sites=CONFIG / "sites.yaml", playlists=PLAYLISTS,
                          schedules=CONFIG / "schedules.yaml", media_dir=MEDIA)


def test_whole_import_into_a_fresh_database(session, settings) -> None:
    reports = import_everything(session, settings)
    session.commit()
    assert [r.what for r in reports][-2:] == ["playlists", "schedules"]
    stored = {p.id: p for p in session.scalars(select(Playlist))}
    assert set(stored) == {p.stem for p in playlist_files()}
    for playlist_id in DEMO:
        assert stored[playlist_id].current_version == 1
        assert stored[playlist_id].agency_id == DEMO[playlist_id][0]
        assert stored[playlist_id].themes == raw_playlists()[playlist_id]["themes"]
        version = session.execute(select(PlaylistVersion).where(
            PlaylistVersion.playlist_id == playlist_id)).scalar_one()
        assert [i["id"] for i in version.items] == [
            i["id"] for i in raw_playlists()[playlist_id]["items"]]
    rows = {s.slug: s for s in session.scalars(select(Schedule))}
    assert set(rows) == {s["id"] for s in schedules()}
    for slug, row in rows.items():
        assert row.playlist_id in stored, slug
        assert stored[row.playlist_id].current_version >= 1, slug
    scheduled = {row.playlist_id for row in rows.values()}
    assert set(DEMO) <= scheduled  # every demo playlist is scheduled somewhere


def test_an_a_dot_playlist_without_lao_is_refused(tmp_path, settings, session) -> None:
    """The import really checks languages: a copy of safe-border-crossing without one
    Lao variant is refused once the schedules put it on the A Đớt screens."""
    import_everything(session, settings)
    session.commit()
    broken = tmp_path / "broken"
    shutil.copytree(PLAYLISTS, broken)
    path = broken / "safe-border-crossing.yaml"
    text = path.read_text(encoding="utf-8")
    lao_title = '        title: "ເບີໂທສຸກເສີນ ຢູ່ຫວຽດນາມ"\n'
    lao_body = '        body: "ຕຳຫຼວດ: 113 · ດັບເພີງ: 114 · ການແພດສຸກເສີນ: 115"\n'
    assert f"      lo:\n{lao_title}{lao_body}" in text
    path.write_text(text.replace(f"      lo:\n{lao_title}{lao_body}", ""), encoding="utf-8")
    with pytest.raises(YamlError, match="item 'emergency-numbers' lacks lo"):
        import_content(session, settings, playlists=broken, media_dir=MEDIA)
