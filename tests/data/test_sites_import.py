"""Importing config/sites.yaml: the real file, idempotence, and every kind of bad input
refused with FILE, line N and the reason, leaving the database as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller import changes
from controller.auth.tokens import issue_screen_token, screen_for_token
from controller.content.sites_import import import_sites
from controller.content.yamlfile import YamlError
from controller.models import Screen, Site
from controller.refusals import say
from controller.zones.declarations import import_layouts

from .conftest import REPO, snapshot

SITES = REPO / "config" / "sites.yaml"

BASE = """\
sites:
  - id: hue-station
    name: {vi: "Ga Huế", en: "Hue Station"}
    screens:
      - id: hue-station-hall
        name: {vi: "Sảnh chờ", en: "Waiting hall"}
        orientation: landscape
        resolution: 1920x1080
        languages: [vi, en]
        bilingual_mode: dual
        default_playlist: welcome-hue
        tags: [indoor]
"""



@pytest.fixture(autouse=True)
def _layouts(sessions) -> None:
    """The layouts config/sites.yaml names, imported first as `pano-controller import`
    does (docs/zones.md)."""
    with sessions() as s:
        import_layouts(s, REPO / "config" / "layouts.yaml")
        s.commit()


def write(tmp_path: Path, text: str | bytes, name: str = "sites.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_imports_the_project_sites_file(session) -> None:
    report = import_sites(session, SITES)
    session.commit()
    assert (report.created, report.updated, report.unchanged) == (11, 0, 0)
    hall = session.get(Screen, "a-dot-entry-hall")
    assert hall.languages == ["vi", "lo", "en"]
    assert (hall.width, hall.height, hall.orientation) == (1920, 1080, "landscape")
    assert hall.bilingual_mode == "alternate" and hall.default_playlist_id == "border-welcome"
    assert hall.site_id == "a-dot-border-gate" and hall.timezone == "Asia/Ho_Chi_Minh"
    assert session.get(Site, "phu-bai-airport").name_en == "Phu Bai International Airport"
    assert changes.current(session) == 1
    assert "11 created" in report.summary()


def test_reimport_changes_nothing_and_does_not_bump(session) -> None:
    import_sites(session, SITES)
    session.commit()
    before = snapshot(session)
    report = import_sites(session, SITES)
    session.commit()
    assert (report.created, report.updated, report.unchanged) == (0, 0, 11)
    assert snapshot(session) == before


def test_edit_updates_keeps_credentials_and_bumps(session, tmp_path: Path) -> None:
    import_sites(session, write(tmp_path, BASE))
    token = issue_screen_token(session, "hue-station-hall")
    session.commit()
    edited = BASE.replace("bilingual_mode: dual", "bilingual_mode: alternate")
    report = import_sites(session, write(tmp_path, edited))
    session.commit()
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert session.get(Screen, "hue-station-hall").bilingual_mode == "alternate"
    assert screen_for_token(session, "hue-station-hall", token) is not None
    # One change each: the first import, the credential (a recorded change since
    # connections using an older one are cut on it), the edit.
    assert changes.current(session) == 3


def test_screens_missing_from_the_file_are_kept_and_reported(session, tmp_path) -> None:
    import_sites(session, SITES)
    session.commit()
    report = import_sites(session, write(tmp_path, BASE))
    session.commit()
    assert session.get(Screen, "phu-bai-arrivals") is not None
    assert "screen phu-bai-arrivals" in report.kept
    assert "not in file, kept: screen phu-bai-arrivals" in report.summary()


def test_decomposed_vietnamese_is_stored_composed(session, tmp_path) -> None:
    import unicodedata

    text = BASE.replace("Ga Huế", unicodedata.normalize("NFD", "Ga Huế"))
    import_sites(session, write(tmp_path, text))
    assert session.get(Site, "hue-station").name_vi == "Ga Huế"


# (replace this, with that) in BASE, expected line, expected reason
BAD_EDITS = [
    ("        tags: [indoor]\n", "        tags: [indoor]\n        colour: blue\n", 13,
     "unknown key 'colour'"),
    ("  - id: hue-station\n", "  - id: Hue_Station\n", 2, "'id' value 'Hue_Station' is not"),
    ('name: {vi: "Ga Huế", en: "Hue Station"}', 'name: {vi: "Ga Huế"}', 3,
     "missing required key 'en'"),
    ('name: {vi: "Sảnh chờ", en: "Waiting hall"}', 'name: {vi: "Sảnh chờ", en: 42}', 6,
     "'en' must be text, got a whole number"),
    ("orientation: landscape", "orientation: portrait", 7, "orientation is portrait but"),
    ("orientation: landscape", "orientation: sideways", 7, "must be one of landscape, portrait"),
    ("resolution: 1920x1080", "resolution: 100x80", 8, "each side must be 320..7680"),
    ("resolution: 1920x1080", "resolution: 99999x1080", 8, "each side must be 320..7680"),
    ("resolution: 1920x1080", "resolution: 1920*1080", 8, "WIDTHxHEIGHT"),
    ("languages: [vi, en]", "languages: [vi]", 9, "languages must include 'en'"),
    ("languages: [vi, en]", "languages: []", 9, "must not be an empty list"),
    ("languages: [vi, en]", "languages: [vi, en, vi]", 9, "lists 'vi' twice"),
    ("languages: [vi, en]", "languages: [vi, en, English]", 9, "'English' is not valid"),
    ("languages: [vi, en]", "languages: vi", 9, "must be a list, got text"),
    ("bilingual_mode: dual", "bilingual_mode: both", 10, "must be one of dual, alternate"),
    ("default_playlist: welcome-hue", "default_playlist: [a]", 11, "must be text, got a list"),
    ("tags: [indoor]", "tags: [indoor, 7]", 12, "entries must be text"),
    ("    screens:\n", "    timezone: Mars/Olympus\n    screens:\n", 4, "unknown time zone"),
    ("    screens:\n", "    timezone: ../../etc/passwd\n    screens:\n", 4, "unknown time zone"),
    ("        tags: [indoor]\n",
     "        tags: [indoor]\n      - id: hue-station-hall\n"
     "        name: {vi: a, en: b}\n        orientation: portrait\n"
     "        resolution: 1080x1920\n        languages: [vi, en]\n"
     "        bilingual_mode: dual\n", 13, "duplicate screen id 'hue-station-hall'"),
    ("        bilingual_mode: dual\n", "        bilingual_mode: dual\n        languages: [vi]\n",
     11, "duplicate key 'languages' (first on line 9)"),
    ("    screens:\n", "    no: 1\n    screens:\n", 4, "key 'no' must be text"),
    ('name: {vi: "Ga Huế", en: "Hue Station"}', 'name: {vi: "Ga Huế", en: "Hue", xx: "?"}',
     3, "a name in an unknown language 'xx'"),
    ('name: {vi: "Ga Huế", en: "Hue Station"}', 'name: {vi: "Ga Huế", en: "Hue", lo: 7}',
     3, "'lo' must be text"),
]


@pytest.mark.parametrize(("old", "new", "line", "reason"), BAD_EDITS)
def test_bad_file_is_refused_with_line_and_changes_nothing(
        session, tmp_path, old: str, new: str, line: int, reason: str) -> None:
    import_sites(session, SITES)
    session.commit()
    before = snapshot(session)
    assert old in BASE
    path = write(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(YamlError) as info:
        import_sites(session, path)
    err = info.value
    assert (err.file, err.line) == (str(path), line), str(err)
    assert reason in err.reason
    assert str(err).startswith(f"{path}, line {line}: ")
    assert snapshot(session) == before


def test_a_site_name_in_lao_is_stored_and_reaches_the_sites_api(session, tmp_path) -> None:
    text = BASE.replace('name: {vi: "Ga Huế", en: "Hue Station"}',
                        'name: {vi: "Ga Huế", en: "Hue Station", lo: "ສະຖານີເຫວ້"}')
    import_sites(session, write(tmp_path, text))
    session.commit()
    assert session.get(Site, "hue-station").names == {"lo": "ສະຖານີເຫວ້"}
    import_sites(session, SITES)  # the project's file: A Đớt has its Lao name
    assert session.get(Site, "a-dot-border-gate").names.get("lo")


def test_duplicate_site_id(session, tmp_path) -> None:
    site = BASE.split("    screens:")[0] + "    screens: []\n"
    text = site + site.replace("sites:\n", "")
    with pytest.raises(YamlError) as info:
        import_sites(session, write(tmp_path, text))
    assert info.value.line == 5 and "duplicate site id 'hue-station'" in info.value.reason


WHOLE_FILE_CASES = [
    ("a: &a [x, x]\nb: *a\n", 1, "anchors (&a) are not allowed"),
    ("sites: *undefined\n", 1, "aliases (*undefined) are not allowed"),
    ("sites:\n  - <<: {id: x}\n", 2, "merge keys (<<) are not allowed"),
    ("sites:\n  - id: [unclosed\n", 3, ""),
    ("", None, "file is empty"),
    ("- just\n- a list\n", 1, "expected a mapping"),
    ("sites: []\nextra: 1\n", 2, "unknown key 'extra'"),
    ("sites: !!python/object/apply:os.system ['echo hi']\n", 1, "could not determine"),
    ("x: " + "[" * 40 + "]" * 40 + "\n", 1, "nesting deeper than"),
    ("sites: []\nwhen: 2026-13-01\n", 2, "'2026-13-01' is not a valid date"),
]


@pytest.mark.parametrize(("text", "line", "reason"), WHOLE_FILE_CASES)
def test_hostile_or_broken_yaml(session, tmp_path, text: str, line, reason: str) -> None:
    before = snapshot(session)
    with pytest.raises(YamlError) as info:
        import_sites(session, write(tmp_path, text))
    assert info.value.line == line, str(info.value)
    assert reason in info.value.reason
    assert snapshot(session) == before


def test_billion_laughs_is_refused_quickly(session, tmp_path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    with pytest.raises(YamlError, match="anchors"):
        import_sites(session, write(tmp_path, "\n".join(lines) + "\n"))


def test_non_utf8_file_names_the_line(session, tmp_path) -> None:
    data = BASE.encode("utf-8").replace("Ga Huế".encode(), "Ga Hu\xea".encode("latin-1"))
    with pytest.raises(YamlError) as info:
        import_sites(session, write(tmp_path, data))
    assert info.value.line == 3 and "not UTF-8" in info.value.reason


def test_huge_file_is_refused(session, tmp_path) -> None:
    data = BASE + "#" * (1024 * 1024) + "\n"
    with pytest.raises(YamlError, match="larger than 1024 KiB"):
        import_sites(session, write(tmp_path, data))


def test_missing_file(session, tmp_path) -> None:
    with pytest.raises(YamlError, match="file not found"):
        import_sites(session, tmp_path / "nope.yaml")


def test_a_refusal_is_said_in_vietnamese_too(session, tmp_path) -> None:
    """No API route imports sites.yaml today; its sentences are refusals all the same,
    for the day one does (and for the clauses other files share: ``label``, the hints)."""
    path = write(tmp_path, BASE.replace("orientation: landscape", "orientation: portrait"))
    with pytest.raises(YamlError) as info:
        import_sites(session, path)
    assert str(info.value) == (f"{path}, line 7: screen 'hue-station-hall': orientation is "
                               "portrait but resolution 1920x1080 is wider than tall")
    assert say(str(info.value), "vi") == (
        f"{path}, dòng 7: màn hình 'hue-station-hall': orientation là portrait (dọc) nhưng "
        "resolution 1920x1080 lại rộng hơn cao")
    path = write(tmp_path, BASE.replace("  - id: hue-station\n", "  - id: Hue_Station\n"))
    with pytest.raises(YamlError) as info:
        import_sites(session, path)
    assert say(str(info.value), "vi").endswith(
        ": hãy dùng 2-63 ký tự gồm chữ cái viết thường, chữ số và '-', bắt đầu bằng chữ cái "
        "hoặc chữ số")
