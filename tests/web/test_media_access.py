"""``GET /media/<sha256>`` with a screen credential opens only the files that screen's own
timelines name, now or within the last 24 hours (issue 10: "an unapproved draft's file
is not readable with a screen token"). People keep their rights. Real controller, real
database, real stored files; the time past the grace period is the one thing set by
hand (the timeline row's ``media_before_until`` moved back a day)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import requests
from PIL import Image
from sqlalchemy import select, update
from web.helpers import people_tokens, wait_for

from controller.models import ScreenTimeline
from controller.timeline.media_access import GRACE

SCREEN = "phu-bai-arrivals"


def fetch(server, token: str, sha: str) -> requests.Response:
    return requests.get(f"{server.url}/media/{sha}", timeout=10,
                        headers={"Authorization": f"Bearer {token}"})


def timeline_media(fleet, screen: str) -> set[str]:
    with fleet.sessions() as session:
        body = session.scalar(select(ScreenTimeline.body)
                              .where(ScreenTimeline.screen_id == screen))
    return set(body["media"])


def timeline_version(fleet, screen: str) -> int:
    with fleet.sessions() as session:
        return session.scalar(select(ScreenTimeline.version)
                              .where(ScreenTimeline.screen_id == screen))


@pytest.fixture(scope="module")
def editor(fleet) -> str:
    return people_tokens(fleet, {"access-editor": ("editor", "tourism")})["access-editor"]


def test_a_file_on_the_screens_timeline_is_served(server, fleet):
    for sha in sorted(timeline_media(fleet, SCREEN)):
        response = fetch(server, fleet.tokens[SCREEN], sha)
        assert response.status_code == 200, (sha, response.text)
        assert response.headers["ETag"].strip('"') == sha


def test_a_drafts_upload_is_refused_to_a_screen_but_not_to_people(server, fleet, editor):
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 20, 20)).save(picture, "PNG")
    response = requests.post(server.url + "/api/v1/media", timeout=60,
                             headers={"Authorization": f"Bearer {editor}"},
                             files={"file": ("draft.png", picture.getvalue())})
    assert response.status_code in (200, 201), response.text
    sha = response.json()["sha256"]
    draft = {"id": "unapproved", "title": {"vi": "Nháp", "en": "Draft"},
             "items": [{"id": "photo", "type": "image", "duration": 5,
                        "variants": {"vi": {"title": "Ảnh", "media": sha},
                                     "en": {"title": "Photo", "media": sha}}}]}
    created = requests.post(server.url + "/api/v1/playlists", json=draft, timeout=30,
                            headers={"Authorization": f"Bearer {editor}"})
    assert created.status_code == 201, created.text
    refused = fetch(server, fleet.tokens[SCREEN], sha)
    assert refused.status_code == 403, refused.text
    answer = refused.json()
    assert answer["error"] == "forbidden"
    assert f"not in the timeline of screen {SCREEN}" in answer["message"]
    assert refused.headers["Content-Type"].startswith("application/json")
    # An unknown file is refused the same way: a screen learns nothing about the store.
    assert fetch(server, fleet.tokens[SCREEN], "0" * 64).status_code == 403
    # People (a personal API token) keep reading every stored file.
    assert fetch(server, editor, sha).status_code == 200
    assert fetch(server, fleet.users["viewer"], sha).status_code == 200


def test_a_file_of_another_screens_timeline_is_refused(server, fleet):
    mine = timeline_media(fleet, SCREEN)
    others = {screen: timeline_media(fleet, screen) - mine
              for screen in ("a-dot-entry-hall", "a-dot-outdoor-pano", "chan-may-gate-kiosk")}
    screen, shas = max(others.items(), key=lambda kv: len(kv[1]))
    assert shas, "every screen shows the same files: the test needs one that differs"
    sha = sorted(shas)[0]
    assert fetch(server, fleet.tokens[screen], sha).status_code == 200
    refused = fetch(server, fleet.tokens[SCREEN], sha)
    assert refused.status_code == 403 and SCREEN in refused.json()["message"]


def test_a_dropped_file_is_served_for_the_grace_period_then_refused(server, fleet, tmp_path,
                                                                     players):
    before = timeline_media(fleet, SCREEN)
    version = timeline_version(fleet, SCREEN)
    # A new English title for the text item: its rendered slide changes, so the old
    # slide's file leaves the screen's timeline.
    fleet.edit_playlist(tmp_path, "welcome-hue", "welcome", "Welcome, traveller")
    wait_for(lambda: timeline_version(fleet, SCREEN) > version, what="the rebuild")
    dropped = sorted(before - timeline_media(fleet, SCREEN))
    assert dropped, "the edit dropped no file from the timeline"
    for sha in dropped:
        assert fetch(server, fleet.tokens[SCREEN], sha).status_code == 200
    # A day and a bit later (the row's clock moved back rather than the test waiting).
    with fleet.sessions() as session:
        moved = session.execute(
            update(ScreenTimeline).where(ScreenTimeline.screen_id == SCREEN,
                                         ScreenTimeline.media_before.is_not(None))
            .values(media_before_until=datetime.now(UTC) - GRACE - timedelta(minutes=5)))
        assert moved.rowcount == 1  # the set before is the one the edit replaced
        session.commit()
    for sha in dropped:
        refused = fetch(server, fleet.tokens[SCREEN], sha)
        assert refused.status_code == 403, refused.text
    # What the timeline names now is served, of course.
    for sha in sorted(timeline_media(fleet, SCREEN) - before):
        assert fetch(server, fleet.tokens[SCREEN], sha).status_code == 200
