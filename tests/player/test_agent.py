"""The Socket.IO agent against a tiny real python-socketio server."""

from __future__ import annotations

import json
import threading
import time

import pytest
import socketio
from player_helpers import (
    SCREEN,
    T0,
    TOKEN,
    FakeController,
    Running,
    Served,
    image_item,
    make_timeline,
    serve_like_the_controller,
    sha,
    text_item,
    wait_for,
)

from player.store import Store

PICTURE = b"\x89PNG pretend picture" * 100


def timeline(version: int, picture: bytes = PICTURE, generated_at: float = T0) -> dict:
    digest = sha(picture)
    return make_timeline(
        [(T0, T0 + 3 * 86400, "a@1")],
        {"a@1": [image_item("pic", 10, digest), text_item("hello", 5)]},
        media={digest: {"size": len(picture), "mime": "image/png"}},
        version=version, generated_at=generated_at)


@pytest.fixture
def picture(media_app):
    media_app.add(PICTURE)


def acks(controller) -> list:
    return controller.received("ack")


def test_a_pushed_timeline_is_stored_its_media_fetched_then_acked(
        tmp_path, controller, picture):
    controller.timeline = timeline(3)
    with Running(tmp_path, controller.url) as run:
        assert wait_for(lambda: acks(controller), what="an ack") == [
            {"version": 3, "missing": []}]
        saved = json.loads((tmp_path / "timeline.json").read_text())
        assert saved["version"] == 3
        assert run.cache.has(sha(PICTURE))
        assert run.state.timeline_version == 3 and run.agent.connected
        assert run.state.transport == "websocket"
        # The clock was measured against the controller (100 s ahead) and saved.
        assert 99 < run.clock.offset < 101
        assert 99 < json.loads((tmp_path / "clock.json").read_text())["clock_offset"] < 101
        beat = wait_for(lambda: [b for b in controller.received("heartbeat")
                                 if b.get("timeline_version") == 3], what="a heartbeat")[0]
        assert beat["software"] == "pano-player/0.1.0"
        assert 99 < beat["clock_offset"] < 101
        assert {"uptime", "load", "memory", "disk", "sent_at"} <= set(beat)
        assert beat["transport"] == "websocket"
        assert len(json.dumps(beat)) < 16 * 1024
    assert controller.connects[0] == {"screen": SCREEN, "token": TOKEN,
                                      "software": "pano-player/0.1.0"}
    assert not run.agent.connected


def test_older_versions_are_ignored_and_missing_media_are_reported(
        tmp_path, controller, picture):
    controller.timeline = timeline(5)
    with Running(tmp_path, controller.url) as run:
        wait_for(lambda: acks(controller), what="the first ack")
        controller.push("timeline", timeline(4))  # a late duplicate
        absent = b"not on the server"
        controller.push("timeline", timeline(6, picture=absent))
        assert wait_for(lambda: [a for a in acks(controller) if a["version"] == 6],
                        what="ack of v6") == [{"version": 6, "missing": [sha(absent)]}]
        assert [a["version"] for a in acks(controller)] == [5, 6]
        assert run.state.timeline_version == 6
        assert json.loads((tmp_path / "timeline.json").read_text())["version"] == 6


def test_a_lower_version_generated_a_day_later_is_accepted_after_a_restore(
        tmp_path, controller, picture):
    controller.timeline = timeline(9)
    with Running(tmp_path, controller.url) as run:
        wait_for(lambda: acks(controller), what="the first ack")
        controller.push("timeline", timeline(2, generated_at=T0 + 2 * 86400))
        wait_for(lambda: run.state.timeline_version == 2, what="restored timeline")


def test_a_broken_timeline_is_refused_and_the_old_one_kept(tmp_path, controller, picture):
    controller.timeline = timeline(3)
    with Running(tmp_path, controller.url) as run:
        wait_for(lambda: acks(controller), what="the first ack")
        broken = timeline(4)
        broken["segments"][0]["playlist"] = "ghost@1"
        controller.push("timeline", broken)
        wait_for(lambda: run.state.last_error, what="an error")
        assert "ghost@1" in run.state.last_error
        assert run.state.timeline_version == 3
        # The error goes out in the next heartbeat.
        wait_for(lambda: [b for b in controller.received("heartbeat")
                          if "ghost@1" in (b.get("last_error") or "")], what="reported error")


def test_without_a_push_the_player_asks_for_its_timeline(tmp_path, controller, picture):
    controller.timeline = timeline(7)
    controller.push_on_connect = False
    Store(tmp_path).save_timeline(timeline(6))
    with Running(tmp_path, controller.url) as run:
        run.state.set_timeline(run.store.load_timeline())
        run.agent.timeline_wait = 0.3
        request = wait_for(lambda: controller.received("timeline_request"), what="a request")
        assert request[0] == {"screen": SCREEN, "have_version": 6}
        assert wait_for(lambda: acks(controller), what="an ack")[0]["version"] == 7


def test_commands_are_answered_unsupported_and_errors_are_recorded(
        tmp_path, controller, picture):
    controller.timeline = timeline(1)
    with Running(tmp_path, controller.url) as run:
        wait_for(lambda: acks(controller), what="the first ack")
        controller.push("command", {"id": "c-17", "command": "self_destruct", "expires": "x"})
        assert wait_for(lambda: controller.received("command_result"), what="a result") == [
            {"id": "c-17", "ok": False, "message": "unsupported"}]
        controller.push("error", {"event": "heartbeat", "message": "cpu_temp 900 is absurd"})
        wait_for(lambda: "cpu_temp 900" in (run.state.last_error or ""), what="last_error")


def test_a_refused_credential_is_retried_and_the_reason_recorded(tmp_path, controller):
    controller.accept_token = "another"
    with Running(tmp_path, controller.url, cap=0.2) as run:
        wait_for(lambda: len(controller.connects) >= 2, what="a second attempt")
        assert "unknown or revoked token" in (run.state.last_error or "")
        assert not run.agent.connected
        controller.accept_token = TOKEN  # the operator fixes the credential
        wait_for(lambda: run.agent.connected, what="connection with the new token")


def rebind(port: int, app, seconds: float = 10.0):
    """A server on ``port`` again. The port may be briefly taken after the first server
    closed: the player's reconnect attempts use ephemeral source ports, and the kernel
    may hand one of them the very number the test wants back."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return serve_like_the_controller(port, app)
        except (OSError, SystemExit):  # werkzeug exits when the bind fails
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_restarted_controller_is_reconnected_to(tmp_path, media_app, picture):
    first = FakeController(media_app)
    first.timeline = timeline(1)
    served = Served(socketio.WSGIApp(first.sio, media_app))
    port = served.server.server_port
    with Running(tmp_path, served.url) as run:
        wait_for(lambda: first.received("ack"), what="the first ack")
        for sid in first.sids:  # the controller goes away
            first.sio.disconnect(sid, namespace="/player")
        served.close()
        wait_for(lambda: not run.agent.connected, what="the drop to be noticed")
        second = FakeController(media_app)
        second.timeline = timeline(2)
        again = rebind(port, socketio.WSGIApp(second.sio, media_app))
        threading.Thread(target=again.serve_forever, daemon=True).start()
        try:
            wait_for(lambda: second.received("ack"), what="ack after reconnecting")
            assert run.state.timeline_version == 2
        finally:
            again.shutdown()
            again.server_close()


def test_a_file_damaged_on_disk_is_reported_and_fetched_again_at_once(
        tmp_path, controller, media_app, picture):
    controller.timeline = timeline(3)
    with Running(tmp_path, controller.url) as run:
        wait_for(lambda: acks(controller), what="the first ack")
        digest = sha(PICTURE)
        path = run.cache.path(digest)
        del media_app.files[digest]  # the controller cannot give it back for now
        path.write_bytes(bytes(len(PICTURE)))  # the card decays under the running player
        assert not run.cache.verify(digest, again=True)  # what the re-check finds
        # Fetched at once (no timeline needed), acked missing while the server lacks it,
        # and in the heartbeats' last_error.
        wait_for(lambda: {"version": 3, "missing": [digest]} in acks(controller),
                 what="an ack naming the damaged file missing")
        beat = wait_for(lambda: [b for b in controller.received("heartbeat")
                                 if "damaged" in (b.get("last_error") or "")],
                        what="a heartbeat reporting the damage")[0]
        assert digest[:12] in beat["last_error"] and "SHA-256" in beat["last_error"]
        media_app.add(PICTURE)
        controller.push("timeline", timeline(3))  # as on every reconnect
        wait_for(lambda: run.cache.has(digest), what="the file fetched again")
        assert path.read_bytes() == PICTURE and run.cache.damaged() == {}
        count = len(controller.received("heartbeat"))
        wait_for(lambda: len(controller.received("heartbeat")) > count + 1, what="heartbeats")
        assert controller.received("heartbeat")[-1]["last_error"] is None
