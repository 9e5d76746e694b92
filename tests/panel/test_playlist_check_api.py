"""The two API routes the playlist editor added: ``GET /playlists/<id>/reach`` (the
screens a playlist reaches and their languages) and ``POST /playlists/check`` (what
saving and submitting would refuse, storing nothing)."""

from __future__ import annotations

import pytest
from web.helpers import Api

from controller.auth.tokens import issue_user_token

ITEM = {"id": "welcome", "type": "text", "duration": 8,
        "variants": {"vi": {"title": "Chào mừng"}, "en": {"title": "Welcome"}}}


@pytest.fixture(scope="module")
def api(server) -> Api:
    return Api(server)


@pytest.fixture(scope="module")
def editor(fleet) -> str:
    with fleet.sessions() as session:
        token = issue_user_token(session, "bien-tap")
        session.commit()
    return token


def test_reach_names_the_screens_and_their_languages(api, fleet) -> None:
    status, body = api("GET", "/playlists/border-welcome/reach", fleet.users["viewer"])
    assert status == 200
    assert body["languages"] == ["vi", "lo", "en"]
    assert {s["id"] for s in body["screens"]} >= {"a-dot-entry-hall"}
    assert all(s["languages"] == ["vi", "lo", "en"] for s in body["screens"])


def test_reach_of_an_unseen_playlist_is_a_404(api, editor) -> None:
    assert api("GET", "/playlists/border-welcome/reach", editor)[0] == 404


def test_check_answers_what_submitting_would_refuse_and_stores_nothing(api, editor) -> None:
    before = api("GET", "/playlists/welcome-hue", editor)[1]
    status, body = api("POST", "/playlists/check", editor,
                       {"playlist": "welcome-hue", "items": [ITEM]})
    assert (status, body) == (200, {"ok": True, "problems": []})
    lacking = {**ITEM, "variants": {"vi": ITEM["variants"]["vi"]}}
    status, body = api("POST", "/playlists/check", editor, {"items": [lacking]})
    assert status == 200 and not body["ok"]
    assert "item 'welcome'" in body["problems"][0] and "'en'" in body["problems"][0]
    crowded = {**ITEM, "variants": {lang: {"title": " ".join(["Chào mừng"] * 19),
                                           "body": " ".join(["Thừa Thiên Huế"] * 130)}
                                    for lang in ("vi", "en")}}
    body = api("POST", "/playlists/check", editor,
               {"playlist": "welcome-hue", "items": [crowded]})[1]
    assert "the Vietnamese (vi) and English (en) texts do not fit" in body["problems"][0]
    assert api("GET", "/playlists/welcome-hue", editor)[1] == before


def test_check_refuses_bad_bodies_and_unseen_playlists(api, editor) -> None:
    assert api("POST", "/playlists/check", editor, {"items": [ITEM], "x": 1})[0] == 422
    assert api("POST", "/playlists/check", editor,
               {"playlist": "border-welcome", "items": [ITEM]})[0] == 404
    assert api("POST", "/playlists/check", editor, [])[0] == 400


def _crowded(langs: tuple[str, ...], long: tuple[str, ...]) -> dict:
    return {**ITEM, "variants": {lang: {
        "title": " ".join(["Chào mừng"] * 19) if lang in long else "Chào mừng",
        "body": " ".join(["Thừa Thiên Huế"] * 130) if lang in long else "Huế"}
        for lang in langs}}


def test_saving_a_draft_that_cannot_fit_is_stored_with_the_warnings(api, editor) -> None:
    """Saving stays allowed, but the answer says at once what submitting would refuse
    (it used to answer a plain 200 and refuse only at submit)."""
    crowded = _crowded(("vi", "en"), ("vi", "en"))
    status, body = api("PUT", "/playlists/welcome-hue/draft", editor, {"items": [crowded]})
    assert status in (200, 201), body
    assert body["warnings"] and "item 'welcome': the Vietnamese (vi) and English (en) " \
        "texts do not fit" in body["warnings"][0]
    working = api("GET", "/playlists/welcome-hue", editor)[1]["working"]
    stored = api("GET", f"/playlists/welcome-hue/versions/{working['number']}", editor)[1]
    assert stored["items"][0]["variants"]["vi"]["body"] == crowded["variants"]["vi"]["body"]
    fine = api("PUT", "/playlists/welcome-hue/draft", editor, {"items": [ITEM]})[1]
    assert fine["warnings"] == []


def test_every_language_that_does_not_fit_is_named(api, fleet) -> None:
    """border-welcome plays on A Đớt's vi/lo/en screens: the long Lao and English texts
    crowd the shared slide; both are named, the short Vietnamese one is not (only the
    language taking the most room used to be named)."""
    admin = fleet.users["admin"] if "admin" in fleet.users else None
    token = admin or issue_admin(fleet)
    items = [_crowded(("vi", "lo", "en"), ("lo", "en"))]
    body = api("POST", "/playlists/check", token, {"playlist": "border-welcome",
                                                    "items": items})[1]
    assert not body["ok"]
    problem = body["problems"][0]
    assert "Lao (lo)" in problem and "English (en)" in problem, problem
    assert "Vietnamese (vi)" not in problem, problem


def issue_admin(fleet) -> str:
    with fleet.sessions() as session:
        token = issue_user_token(session, "quan-tri")
        session.commit()
    return token
