"""HTTP mode (player/http_mode.py): a controller whose WebSocket is blocked on the way but
whose HTTP routes answer, as real WSGI servers on 127.0.0.1 (the whole thing against a
real controller and a real proxy is tests/e2e/test_http_mode.py)."""

from __future__ import annotations

import json

import pytest
import socketio
from player_helpers import (
    T0,
    FakeController,
    HttpOnlyController,
    Running,
    Served,
    image_item,
    make_timeline,
    sha,
    text_item,
    wait_for,
)

PICTURE = b"\x89PNG pretend picture" * 100
POLL = 0.3  # seconds between timeline fetches here; the WebSocket is retried every 4–6


def timeline(version: int) -> dict:
    digest = sha(PICTURE)
    return make_timeline(
        [(T0, T0 + 3 * 86400, "a@1")],
        {"a@1": [image_item("pic", 10, digest), text_item("hello", 5)]},
        media={digest: {"size": len(PICTURE), "mime": "image/png"}}, version=version)


@pytest.fixture
def blocked(media_app):
    """The stand-in: WebSocket refused, HTTP routes answering."""
    media_app.add(PICTURE)
    stand_in = HttpOnlyController(media_app)
    served = Served(stand_in)
    stand_in.url = served.url
    yield stand_in
    served.close()


def versions(acks: list) -> list:
    return [a["version"] for a in acks]


def test_the_timeline_comes_over_http_stored_played_acked_and_heartbeats_go_out(
        tmp_path, blocked):
    blocked.timeline = timeline(3)
    with Running(tmp_path, blocked.url, poll=POLL) as run:
        assert wait_for(lambda: blocked.received("ack"), what="an ack") == [
            {"version": 3, "missing": []}]
        assert json.loads((tmp_path / "timeline.json").read_text())["version"] == 3
        assert run.cache.has(sha(PICTURE))
        assert run.state.connected and run.state.transport == "http"
        # The clock was measured with GET /api/v1/time (100 s ahead) and saved.
        assert 99 < run.clock.offset < 101
        beat = wait_for(lambda: [b for b in blocked.received("heartbeat")
                                 if b.get("timeline_version") == 3], what="a heartbeat")[0]
        assert beat["transport"] == "http" and 99 < beat["clock_offset"] < 101

        # A changed timeline is picked up at the next poll.
        blocked.timeline = timeline(4)
        wait_for(lambda: versions(blocked.received("ack")) == [3, 4], timeout=5,
                 what="the new version acked")
        assert run.state.timeline_version == 4
        # An unchanged one is neither written to the card again nor acked again, nor
        # even sent: the player names the one it has (If-None-Match) and gets a 304.
        written = (tmp_path / "timeline.json").stat().st_mtime_ns
        polls = blocked.polls
        wait_for(lambda: blocked.polls >= polls + 5, what="five more polls")
        assert versions(blocked.received("ack")) == [3, 4]
        assert (tmp_path / "timeline.json").stat().st_mtime_ns == written
        assert blocked.not_modified >= 4
    assert not run.state.connected and run.state.transport is None


def test_a_broken_timeline_fetched_over_http_is_refused_like_a_pushed_one(tmp_path, blocked):
    blocked.timeline = timeline(3)
    with Running(tmp_path, blocked.url, poll=POLL) as run:
        wait_for(lambda: blocked.received("ack"), what="the first ack")
        broken = timeline(4)
        broken["segments"][0]["playlist"] = "ghost@1"
        blocked.timeline = broken
        wait_for(lambda: "ghost@1" in (run.state.last_error or ""), what="the refusal")
        assert run.state.timeline_version == 3
        assert json.loads((tmp_path / "timeline.json").read_text())["version"] == 3
        assert versions(blocked.received("ack")) == [3]
        # The error goes out in the next heartbeat, over HTTP too.
        wait_for(lambda: [b for b in blocked.received("heartbeat")
                          if "ghost@1" in (b.get("last_error") or "")], what="reported error")


def test_a_credential_refused_over_http_is_reported_and_retried(tmp_path, blocked):
    blocked.timeline = timeline(3)
    blocked.accept_token = "another"
    with Running(tmp_path, blocked.url, cap=0.2, poll=POLL) as run:
        wait_for(lambda: "Wrong or revoked" in (run.state.last_error or ""),
                 what="the refusal recorded")
        assert run.state.last_error == ("controller refused the connection: Wrong or "
                                        "revoked screen credential.")
        assert not run.state.connected and run.state.transport is None
        blocked.accept_token = run.config.token  # the operator fixes the credential
        wait_for(lambda: blocked.received("ack"), what="an ack with the new credential")
        assert run.state.transport == "http"


def test_http_mode_goes_back_to_the_websocket_once_it_opens(tmp_path, media_app):
    media_app.add(PICTURE)
    controller = FakeController(media_app)
    controller.timeline = timeline(3)
    http = HttpOnlyController(media_app)
    http.timeline = timeline(3)
    sockets = socketio.WSGIApp(controller.sio, http)
    proxy = {"block": True}

    def app(environ, start_response):  # a proxy that refuses upgrades, until told not to
        if proxy["block"]:
            return http(environ, start_response)
        return sockets(environ, start_response)

    served = Served(app)
    try:
        with Running(tmp_path, served.url, poll=POLL) as run:
            wait_for(lambda: http.received("ack"), what="an ack over HTTP")
            assert run.state.transport == "http" and controller.connects == []
            proxy["block"] = False
            wait_for(lambda: run.state.transport == "websocket", timeout=10,
                     what="the WebSocket again")
            wait_for(lambda: controller.received("ack"), what="an ack over the WebSocket")
            assert controller.received("heartbeat")[-1]["transport"] == "websocket"
    finally:
        served.close()
