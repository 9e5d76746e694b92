"""The text rule over the API: a bidirectional control or a control character in a
playlist's or an item's title, body or link, an emergency message, an agency name or a
rejection reason is refused with a sentence naming the field, the language and the
character (U+XXXX), and nothing is stored; the panel's check-as-you-type route says the
same (issue 10, "Titles and texts")."""

from __future__ import annotations

import json

import pytest
from web.helpers import Api, people_tokens

from controller.models import Agency, AuditEntry, Emergency, Playlist, PlaylistVersion

PEOPLE = {"tourism-editor": ("editor", "tourism"), "dic-approver": ("approver", "dic")}


def text_item(vi_title: str = "Xin chào", en_title: str = "Hello",
              en_body: str = "Welcome") -> dict:
    return {"id": "hello", "type": "text", "duration": 8,
            "variants": {"vi": {"title": vi_title, "body": "Chào mừng"},
                         "en": {"title": en_title, "body": en_body}}}


def playlist(pid: str, **changes) -> dict:
    body = {"id": pid, "title": {"vi": "Chào", "en": "Hello"}, "items": [text_item()]}
    body.update(changes)
    return body


@pytest.fixture(scope="module")
def api(server) -> Api:
    return Api(server)


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    return people_tokens(fleet, PEOPLE)


def stored(fleet) -> tuple[int, ...]:
    with fleet.sessions() as session:
        return tuple(session.query(model).count()
                     for model in (Playlist, PlaylistVersion, Emergency, AuditEntry))


@pytest.mark.parametrize(("body", "fragments"), [
    (playlist("rtl-title", title={"vi": "Chào", "en": "Hel\u202elo"}),
     ["'title': 'en'", "U+202E (RIGHT-TO-LEFT OVERRIDE)", "what the reviewer read"]),
    (playlist("rtl-item", items=[text_item(vi_title="Cửa khẩu \u202eđóng")]),
     ["item 'hello'", "variant 'vi'", "'title'", "U+202E", "at character 10"]),
    (playlist("isolate", items=[text_item(en_body="Open \u2066daily\u2069")]),
     ["variant 'en'", "'body'", "U+2066 (LEFT-TO-RIGHT ISOLATE)"]),
    (playlist("escape", items=[text_item(en_body="Open\x1b[8m daily")]),
     ["variant 'en'", "'body'", "U+001B (ESCAPE)"]),
    (playlist("nul", items=[text_item(en_title="Hel\x00lo")]),
     ["variant 'en'", "'title'", "U+0000 (NULL)"]),
    (playlist("newline", items=[text_item(en_title="Hello\nthere")]),
     ["variant 'en'", "'title'", "U+000A (LINE FEED)", "one line"]),
    (playlist("c1", items=[text_item(vi_title="Xin\x9bchào")]),
     ["variant 'vi'", "U+009B (C1 CONTROL)"]),
])
def test_a_playlist_with_a_hidden_character_is_refused(api, fleet, tokens, body, fragments):
    before = stored(fleet)
    status, answer = api("POST", "/playlists", tokens["tourism-editor"], body)
    assert status == 422, answer
    for fragment in fragments:
        assert fragment in answer["message"], answer["message"]
    assert stored(fleet) == before
    # The panel's editor asks this route as the person types: the same sentence.
    status, answer = api("POST", "/playlists/check", tokens["tourism-editor"],
                         {"items": body["items"]})
    if body["items"] != [text_item()]:
        assert status == 200 and answer["ok"] is False
        assert fragments[-1] in answer["problems"][0], answer


def test_a_body_keeps_its_line_breaks(api, tokens):
    status, answer = api("POST", "/playlists", tokens["tourism-editor"],
                         playlist("lines", items=[text_item(en_body="Open\ndaily\t9–17")]))
    assert status == 201, answer


def test_a_lone_surrogate_escape_is_refused_by_the_json_layer(api, fleet, tokens):
    before = stored(fleet)
    raw = json.dumps(playlist("half")).replace("Hello", "Hel\\ud83dlo").encode()
    status, answer = api("POST", "/playlists", tokens["tourism-editor"], raw=raw)
    assert status == 400 and "lone surrogate" in answer["message"], answer
    assert stored(fleet) == before
    # A whole pair is a character (an emoji) and is welcome.
    raw = json.dumps(playlist("pair")).replace("Hello", "Hi \\ud83d\\udc4b").encode()
    assert api("POST", "/playlists", tokens["tourism-editor"], raw=raw)[0] == 201


@pytest.mark.parametrize(("messages", "fragment"), [
    ({"vi": {"title": "Tạm \u202eđóng cửa", "body": ""}, "en": {"title": "Closed"}},
     "messages.vi.title contains U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ({"vi": {"title": "Đóng cửa", "body": "Chờ \u200fhướng dẫn"}, "en": {"title": "Closed"}},
     "messages.vi.body contains U+200F (RIGHT-TO-LEFT MARK)"),
    ({"vi": {"title": "Đóng cửa"}, "en": {"title": "Closed", "body": "Wait\x07"}},
     "messages.en.body contains U+0007"),
])
def test_an_emergency_with_a_hidden_character_is_refused(api, fleet, messages, fragment):
    before = stored(fleet)
    status, answer = api("POST", "/emergencies", fleet.users["admin"], {
        "messages": messages, "targets": {"sites": ["phu-bai-airport"]},
        "duration_minutes": 10})
    assert status == 400 and fragment in answer["message"], answer
    assert stored(fleet) == before


def test_an_agency_name_with_a_hidden_character_is_refused(api, fleet):
    status, answer = api("PUT", "/agencies/tourism", fleet.users["admin"],
                         {"name": {"vi": "Sở Du lịch", "en": "Department of \u2067Tourism"}})
    assert status == 422 and "name.en contains U+2067" in answer["message"], answer
    with fleet.sessions() as session:
        assert session.get(Agency, "tourism").name_en == "Department of Tourism"


def test_a_rejection_reason_with_a_hidden_character_is_refused(api, fleet, tokens):
    editor, approver = tokens["tourism-editor"], tokens["dic-approver"]
    status, made = api("POST", "/playlists", editor, playlist("to-reject"))
    assert status == 201, made
    status, answer = api("POST", "/playlists/to-reject/versions/1/submit", editor, {})
    assert status == 200, answer
    status, answer = api("POST", "/playlists/to-reject/versions/1/reject", approver,
                         {"reason": "Fine \u202eenif"})
    assert status == 422 and "The reason contains U+202E" in answer["message"], answer
    status, answer = api("POST", "/playlists/to-reject/versions/1/reject", approver,
                         {"reason": "Two problems:\n- the title\n- the photo"})
    assert status == 200, answer
