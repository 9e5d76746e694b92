"""End to end with a real controller and a real Socket.IO player of A Đớt's entry hall:
an official typhoon warning becomes a draft (nothing on screen yet), a person of the
emergency role completes it in Lao and sends it, the player receives it in all three
languages, and the feed's cancellation takes it off."""

from __future__ import annotations

import queue
from datetime import UTC, datetime

import pytest
from cap.feeds import SOURCE, feed
from web.conftest import fleet, players, server  # noqa: F401 - the real controller
from web.helpers import call

from controller.auth.tokens import issue_user_token
from controller.auth.users import add_user
from controller.cap.feed import ingest_feed

SCREEN = "a-dot-entry-hall"
NOW = datetime.now(UTC).replace(microsecond=0)
LAO = {"title": "ເຕືອນໄພພາຍຸ", "body": "ກະລຸນາຢູ່ໃນອາຄານ."}


def ingest(server, name: str) -> str:  # noqa: F811
    sessions = server.app.extensions["pano"].session_factory
    with sessions() as session:
        result = ingest_feed(session, SOURCE, feed(name, NOW), datetime.now(UTC))
        session.commit()
    return str(result)


def test_a_warning_is_completed_sent_reaches_the_player_and_the_feed_ends_it(
        server, fleet, players):  # noqa: F811
    with fleet.sessions() as session:
        add_user(session, "truc-ban", "emergency", password="correct horse battery")
        session.flush()
        operator = issue_user_token(session, "truc-ban")
        session.commit()
    hall = players().connect(SCREEN, fleet.tokens[SCREEN])
    assert "emergencies" not in hall.next_timeline()

    assert "1 draft(s) made or updated" in ingest(server, "typhoon-hue.xml")
    with pytest.raises(queue.Empty):  # a draft is not on screens
        hall.next_timeline(timeout=0.5)
    status, drafts = call(server, "GET", "/api/v1/emergency-drafts?status=waiting", operator)
    (draft,) = drafts["drafts"]
    assert draft["missing_languages"] == ["lo"]

    status, sent = call(server, "POST", f"/api/v1/emergency-drafts/{draft['id']}/send",
                        operator, {"messages": {"lo": LAO}})
    assert status == 201, sent
    [entry] = hall.next_timeline()["emergencies"]
    assert entry["id"] == sent["emergency"]["id"]
    assert entry["messages"]["lo"] == LAO
    assert entry["messages"]["vi"]["title"] == "Bão số 6 đổ bộ Thừa Thiên Huế"

    assert "1 draft(s) or broadcast(s) ended" in ingest(server, "cancel.xml")
    assert "emergencies" not in hall.next_timeline()
