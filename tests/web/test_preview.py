"""``GET /api/v1/screens/<id>/preview?at=…`` over real HTTP: what a screen shows at any
instant and why, for every role; 401, 404 and 400 with clear messages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from controller.auth.tokens import issue_user_token
from controller.auth.users import ROLES, add_user
from controller.content.schedules_import import import_schedules
from player.timeline import resolve

# Friday evenings at Phu Bai: the border playlist (vi, lo, en) on vi/en screens.
SCHEDULE = """\
schedules:
  - id: friday-friendship
    playlist: border-welcome
    targets: {sites: [phu-bai-airport]}
    weekdays: [fri]
    windows: ["18:00-23:00"]
    priority: 2
"""


@pytest.fixture(scope="module")
def tokens(fleet, tmp_path_factory) -> dict[str, str]:
    out = dict(fleet.users)
    path = tmp_path_factory.mktemp("schedules") / "schedules.yaml"
    path.write_text(SCHEDULE, encoding="utf-8")
    with fleet.sessions() as session:
        for role in ROLES:
            if role not in out:
                add_user(session, f"{role}-user", role, password="correct horse battery")
                session.flush()
                out[role] = issue_user_token(session, f"{role}-user")
        import_schedules(session, path)
        session.commit()
    return out


def get(server, path: str, token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(server.url + path, headers=headers, timeout=10)


def error(response: requests.Response, status: int, fragment: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert fragment in response.json()["message"], response.json()


def test_fallback_playlist_item_at_an_instant(server, tokens) -> None:
    # 20 s after local midnight: welcome (8 s), citadel (10 s), then perfume-river.
    r = get(server, "/api/v1/screens/phu-bai-arrivals/preview?at=2031-03-10T00:00:20%2B07:00",
            tokens["viewer"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["screen"] == "phu-bai-arrivals" and body["at"] == "2031-03-09T17:00:20Z"
    assert body["languages"] == ["vi", "en"] and body["bilingual_mode"] == "dual"
    playing = body["playing"]
    assert {k: playing[k] for k in ("playlist", "item", "type", "started_at", "ends_at")} == {
        "playlist": "welcome-hue@1", "item": "perfume-river", "type": "image",
        "started_at": "2031-03-09T17:00:18Z", "ends_at": "2031-03-09T17:00:28Z"}
    assert list(playing["variants"]) == ["vi", "en"]
    assert playing["variants"]["en"]["title"] == "The Perfume River"
    assert body["why"]["schedule"] is None and body["why"]["playlist"] == "welcome-hue@1"
    assert "fallback playlist 'welcome-hue@1' plays" in body["why"]["reason"]


def test_a_schedule_wins_and_says_why(server, tokens) -> None:
    # Friday 2031-03-14, 18:00:05 in Huế: the schedule's segment starts at 18:00.
    r = get(server, "/api/v1/screens/phu-bai-baggage/preview?at=2031-03-14T11:00:05Z",
            tokens["editor"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["playing"]["playlist"] == "border-welcome@1"
    assert body["playing"]["item"] == "welcome"
    assert body["playing"]["started_at"] == "2031-03-14T11:00:00Z"
    # The screen shows vi and en; the item's lo variant is not what it plays.
    assert list(body["playing"]["variants"]) == ["vi", "en"]
    assert body["why"]["schedule"]["slug"] == "friday-friendship"
    assert body["why"]["reason"].startswith("Schedule ")
    assert body["bilingual_mode"] == "alternate"


def test_preview_now_matches_the_stored_timeline(server, fleet, tokens) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    r = get(server, f"/api/v1/screens/a-dot-entry-hall/preview?at={now:%Y-%m-%dT%H:%M:%SZ}",
            tokens["technician"])
    assert r.status_code == 200, r.text
    # What the player itself would resolve from the timeline it is served.
    stored = get(server, "/api/v1/player/timeline", fleet.tokens["a-dot-entry-hall"]).json()
    expected = resolve(stored, now.timestamp())
    playing = r.json()["playing"]
    assert (playing["playlist"], playing["item"]) == (expected.playlist_key,
                                                      expected.item["id"])
    assert list(playing["variants"]) == ["vi", "lo", "en"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_preview(server, tokens, role: str) -> None:
    r = get(server, "/api/v1/screens/lang-co-bay-pano/preview?at=2026-12-01T08:00:00Z",
            tokens[role])
    assert r.status_code == 200, r.text
    assert r.json()["playing"]["playlist"] == "welcome-hue@1"


def test_credentials_are_required(server, fleet) -> None:
    path = "/api/v1/screens/lang-co-bay-pano/preview?at=2026-12-01T08:00:00Z"
    error(get(server, path), 401, "Missing credential")
    error(get(server, path, "pat_wrong"), 401, "Wrong or revoked personal API token")
    # A screen's credential is not a personal token.
    error(get(server, path, fleet.tokens["lang-co-bay-pano"]), 401, "Wrong or revoked")


def test_unknown_screen_is_404(server, tokens) -> None:
    error(get(server, "/api/v1/screens/nope/preview?at=2026-12-01T08:00:00Z",
              tokens["admin"]), 404, "No screen 'nope'")


@pytest.mark.parametrize(("query", "fragment"), [
    ("", "Missing 'at'"),
    ("?at=", "Missing 'at'"),
    ("?at=tomorrow", "'at' 'tomorrow' is not an ISO 8601 time"),
    ("?at=2026-13-01T08:00:00Z", "is not an ISO 8601 time"),
    ("?at=2026-12-01T08:00:00", "has no time zone"),
    ("?at=0001-01-01T00:00:00Z", "between the years"),
    ("?at=0001-01-01T00:00:00%2B07:00", "between the years"),
    ("?at=9999-12-31T23:00:00-07:00", "between the years"),
    ("?at=" + "9" * 80, "too long"),
])
def test_bad_time_is_400_with_a_clear_message(server, tokens, query: str, fragment: str) -> None:
    r = get(server, f"/api/v1/screens/lang-co-bay-pano/preview{query}", tokens["admin"])
    error(r, 400, fragment)
    assert "?at=2026-11-27T18:30:00Z" in r.json()["message"]


def test_unencoded_plus_offset_is_understood(server, tokens) -> None:
    r = get(server, "/api/v1/screens/lang-co-bay-pano/preview?at=2031-03-10T00:00:20+07:00",
            tokens["admin"])
    assert r.status_code == 200, r.text
    assert r.json()["at"] == "2031-03-09T17:00:20Z"



def test_an_emergency_preempts_the_preview_of_its_screens_only(server, fleet, tokens):
    from datetime import timedelta
    from urllib.parse import quote

    from controller.models import Emergency

    now = datetime.now(UTC).replace(microsecond=0)
    with fleet.sessions() as session:
        row = Emergency(messages={"vi": {"title": "Khẩn cấp", "body": "Đường bị ngập."},
                                  "en": {"title": "Urgent", "body": "Road flooded."}},
                        url=None, targets={"sites": ["a-dot-border-gate"]},
                        starts_at=now - timedelta(minutes=1),
                        ends_at=now + timedelta(minutes=30))
        session.add(row)
        session.commit()
        eid = row.id
    at = quote(now.isoformat())
    border = get(server, f"/api/v1/screens/a-dot-entry-hall/preview?at={at}", tokens["viewer"])
    assert border.status_code == 200, border.text
    assert border.json()["emergency"]["id"] == eid
    assert border.json()["emergency"]["messages"]["en"]["title"] == "Urgent"
    airport = get(server, f"/api/v1/screens/phu-bai-arrivals/preview?at={at}", tokens["viewer"])
    assert airport.json()["emergency"] is None
    later = quote((now + timedelta(hours=1)).isoformat())
    ended = get(server, f"/api/v1/screens/a-dot-entry-hall/preview?at={later}",
                tokens["viewer"])
    assert ended.json()["emergency"] is None  # it ends by itself
    # The same instant written in Huế time (as the panel asks): the same emergency.
    # SQLite keeps no offsets, so the controller must compare in UTC.
    from zoneinfo import ZoneInfo

    hue = quote(now.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).isoformat())
    local = get(server, f"/api/v1/screens/a-dot-entry-hall/preview?at={hue}", tokens["viewer"])
    assert local.json()["emergency"]["id"] == eid, local.json()
