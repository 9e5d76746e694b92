"""The text rule (controller/content/text_rule.py) on the YAML imports: a bidirectional
control or a control character in a screen or site name, an agency name, a playlist's or
an item's title, body or link is refused with the file, the line, the field, the language
and the character as U+XXXX, and nothing is written; line breaks stay allowed in bodies.
The shipped demo content still imports (tests/data/test_demo_content.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.content.playlists_write import import_playlists
from controller.content.sites_import import import_sites
from controller.content.text_rule import text_refusal
from controller.content.yamlfile import YamlError
from controller.media.store import MediaStore
from controller.review.agencies import import_agencies

from .conftest import REPO, snapshot
from .test_playlists_import import BASE as PLAYLIST
from .test_sites_import import BASE as SITES


@pytest.mark.parametrize(("text", "multiline", "named"), [
    ("Cửa khẩu \u202eđóng", False, "U+202E (RIGHT-TO-LEFT OVERRIDE) at character 10"),
    ("\u202aA", False, "U+202A (LEFT-TO-RIGHT EMBEDDING)"),
    ("A\u2066B\u2069", False, "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
    ("A\u2069", True, "U+2069 (POP DIRECTIONAL ISOLATE)"),
    ("A\u200fB", False, "U+200F (RIGHT-TO-LEFT MARK)"),
    ("A\u200eB", False, "U+200E (LEFT-TO-RIGHT MARK)"),
    ("A\u061cB", False, "U+061C (ARABIC LETTER MARK)"),
    ("A\x00B", True, "U+0000 (NULL)"),
    ("A\x1b[31mB", True, "U+001B (ESCAPE)"),
    ("A\x7fB", True, "U+007F (DELETE)"),
    ("A\x85B", True, "U+0085 (C1 CONTROL)"),
    ("A\x9bB", True, "U+009B (C1 CONTROL)"),
    ("A\ud800B", True, "U+D800 (SURROGATE)"),
    ("Line one\nline two", False, "U+000A (LINE FEED)"),
    ("A\tB", False, "U+0009 (TAB)"),
    ("A\rB", False, "U+000D (CARRIAGE RETURN)"),
])
def test_the_rule_names_the_character(text, multiline, named):
    reason = text_refusal(text, multiline)
    assert reason is not None and named in reason


def test_what_the_rule_allows():
    for text in ("Chào mừng đến Thừa Thiên Huế", "ສະບາຍດີ", "Welcome 👋🏽 to Huế",
                 "👨‍👩‍👧 family (zero-width joiners)", "a\u00a0b (no-break space)", "中文"):
        assert text_refusal(text) is None, text
    assert text_refusal("Line one\nline two\r\n\tindented", multiline=True) is None


@pytest.mark.parametrize(("old", "new", "line", "fragment"), [
    ('name: {vi: "Sảnh chờ", en: "Waiting hall"}',
     'name: {vi: "Sảnh chờ", en: "Waiting \\u202Ehall"}', 6,
     "'name': 'en' contains U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ('name: {vi: "Ga Huế", en: "Hue Station"}',
     'name: {vi: "Ga Hu\\u2067ế", en: "Hue Station"}', 3,
     "'name': 'vi' contains U+2067 (RIGHT-TO-LEFT ISOLATE)"),
    ('name: {vi: "Sảnh chờ", en: "Waiting hall"}',
     'name: {vi: "Sảnh\\nchờ", en: "Waiting hall"}', 6,
     "'vi' contains U+000A (LINE FEED) at character 5, a line break or tab"),
])
def test_sites_yaml_refuses_a_hidden_character_in_a_name(session, tmp_path, old, new, line,
                                                          fragment):
    before = snapshot(session)
    path = tmp_path / "sites.yaml"
    assert old in SITES
    path.write_text(SITES.replace(old, new), "utf-8")
    with pytest.raises(YamlError) as refused:
        import_sites(session, path)
    assert refused.value.line == line
    assert fragment in str(refused.value)
    assert "what the reviewer read" in str(refused.value) or "one line" in str(refused.value)
    session.rollback()
    assert snapshot(session) == before


def test_agencies_yaml_refuses_a_bidi_mark_in_a_name(session, tmp_path):
    text = (REPO / "config" / "agencies.yaml").read_text("utf-8")
    old = 'en: "Department of Tourism"'
    assert old in text
    path = tmp_path / "agencies.yaml"
    path.write_text(text.replace(old, 'en: "Department of \\u200FTourism"'), "utf-8")
    with pytest.raises(YamlError, match=r"'en' contains U\+200F \(RIGHT-TO-LEFT MARK\)"):
        import_agencies(session, path)


@pytest.mark.parametrize(("old", "new", "fragment"), [
    ('title: {vi: "Ga Huế", en: "Hue Station"}',
     'title: {vi: "Ga Huế", en: "Hue \\u202DStation"}',
     "'title': 'en' contains U+202D (LEFT-TO-RIGHT OVERRIDE)"),
    ('vi: {title: "Xin chào", body: "Chào mừng"}',
     'vi: {title: "Xin \\u2068chào", body: "Chào mừng"}',
     "variant 'vi': 'title' contains U+2068 (FIRST STRONG ISOLATE)"),
    ('vi: {title: "Xin chào", body: "Chào mừng"}',
     'vi: {title: "Xin chào", body: "Chào \\x1b[8mmừng"}',
     "variant 'vi': 'body' contains U+001B (ESCAPE)"),
    ('en: {title: "Hello"}', 'en: {title: "Hel\\x00lo"}',
     "variant 'en': 'title' contains U+0000 (NULL)"),
    ('en: {title: "Hello"}', 'en: {title: "Hello\\tthere"}',
     "variant 'en': 'title' contains U+0009 (TAB)"),
    ('en: {url: "https://hue.gov.vn/en"}', 'en: {url: "https://hue.gov.vn/\\u202Een"}',
     "variant 'en': 'url' contains U+202E"),
])
def test_a_playlist_file_refuses_a_hidden_character(session, tmp_path, media_dir, old, new,
                                                    fragment):
    before = snapshot(session)
    assert old in PLAYLIST
    path = tmp_path / "pl" / "station.yaml"
    path.parent.mkdir()
    path.write_text(PLAYLIST.replace(old, new), "utf-8")
    with pytest.raises(YamlError) as refused:
        import_playlists(session, path, MediaStore(tmp_path / "store"), media_dir, approve=True)
    assert fragment in str(refused.value), str(refused.value)
    assert refused.value.line is not None
    session.rollback()
    assert snapshot(session) == before


def test_a_body_keeps_its_line_breaks(session, tmp_path, media_dir):
    new = 'vi: {title: "Xin chào", body: "Chào mừng\\nquý khách\\tđến Huế"}'
    path = tmp_path / "pl" / "station.yaml"
    path.parent.mkdir()
    path.write_text(PLAYLIST.replace('vi: {title: "Xin chào", body: "Chào mừng"}', new),
                    "utf-8")
    import_playlists(session, path, MediaStore(tmp_path / "store"), media_dir, approve=True)
    session.commit()


def test_the_rule_is_one_declaration_for_the_demo_files():
    # Every shipped text passes: the demo content imports (test_demo_content.py does it
    # whole); here, the files contain none of the refused characters at all.
    for path in [*Path(REPO / "playlists").glob("*.yaml"), REPO / "config" / "sites.yaml",
                 REPO / "config" / "agencies.yaml"]:
        assert text_refusal(path.read_text("utf-8"), multiline=True) is None, path
