"""A timeline the player finds invalid (docs/protocol.md section 4, "A timeline the
player finds invalid"): the one held keeps playing and stays on disk, nothing is acked
for the invalid one, and the heartbeat's ``last_error`` names its version and why. And
the controller's ``welcome`` is checked against its declaration (player/messages.py)."""

from __future__ import annotations

import dataclasses
import json
import logging

from player_helpers import SCREEN, T0, Running, make_timeline, text_item, wait_for


def timeline(version: int) -> dict:
    return make_timeline([(T0, T0 + 3 * 86400, "a@1")], {"a@1": [text_item("hello", 5)]},
                         version=version)


def _reported(controller, words: str) -> list:
    return [b for b in controller.received("heartbeat") if words in (b.get("last_error") or "")]


def test_an_invalid_timeline_is_not_acked_and_its_version_is_reported(tmp_path, controller):
    controller.timeline = timeline(3)
    with Running(tmp_path, controller.url) as run:
        wait_for(lambda: controller.received("ack"), what="the first ack")
        broken = timeline(4)
        broken["segments"][0]["playlist"] = "ghost@1"
        controller.push("timeline", broken)
        beat = wait_for(lambda: _reported(controller, "timeline v4 refused"),
                        what="the refusal in a heartbeat")[0]
        assert "ghost@1" in beat["last_error"]
        assert beat["last_error"].endswith("; playing v3")
        assert beat["timeline_version"] == 3
        for_screen = timeline(5)
        for_screen["screen"] = "someone-else"
        controller.push("timeline", for_screen)
        beat = wait_for(lambda: _reported(controller, "timeline v5 refused"),
                        what="the second refusal")[0]
        assert "someone-else" in beat["last_error"] and SCREEN in beat["last_error"]
        assert [a["version"] for a in controller.received("ack")] == [3]
        assert json.loads((tmp_path / "timeline.json").read_text())["version"] == 3
        controller.push("timeline", timeline(6))  # a good one clears the error
        wait_for(lambda: [a for a in controller.received("ack") if a["version"] == 6],
                 what="the ack of v6")
        assert run.state.last_error is None


def test_a_welcome_outside_its_declaration_is_ignored(tmp_path, controller, caplog):
    caplog.set_level(logging.WARNING, "pano.player.agent")
    controller.timeline = timeline(1)
    with Running(tmp_path, controller.url) as run:
        wait_for(lambda: controller.received("ack"), what="the first ack")
        # Let the controller's welcome set the interval (the command line's wins).
        run.agent.config = dataclasses.replace(run.agent.config, heartbeat_interval=None)
        controller.push("welcome", {"screen": SCREEN, "server_time": T0,
                                    "heartbeat_interval": 10**9, "protocol": 1})
        wait_for(lambda: "malformed welcome" in caplog.text, what="the refusal logged")
        assert "heartbeat_interval" in caplog.text
        assert run.agent.heartbeat_interval != 10**9
        controller.push("welcome", {"screen": SCREEN, "server_time": T0,
                                    "heartbeat_interval": 0.5, "protocol": 1})
        wait_for(lambda: run.agent.heartbeat_interval == 0.5, what="the interval taken")
