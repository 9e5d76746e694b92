"""docs/protocol.md prints the limits that controller/edge/limits.py declares: the two
must not drift apart (change the declaration, then the tables)."""

from __future__ import annotations

import re
from pathlib import Path

from controller.edge.limits import (
    FLOOD_COOLDOWN,
    FLOOD_COOLDOWN_MAX,
    FLOOD_REFUSALS,
    FLOOD_WINDOW,
    FRAME_BURST,
    FRAME_RATE,
    HANDSHAKE_DEADLINE,
    HEADER_DEADLINE,
    MAX_BACKLOG,
    MAX_MESSAGE,
    PLAYER_EVENT_BUDGETS,
    READ_IDLE,
    SOCKET_IDLE,
)

PROTOCOL = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()


def test_the_event_budget_table_is_the_declared_one():
    rows = re.findall(r"^\| `(\w+)` \| (\d+) \| one every ([\d.]+) s \|$", PROTOCOL, re.M)
    documented = {event: (int(burst), float(every)) for event, burst, every in rows}
    declared = {b.event: (b.burst, b.every) for b in PLAYER_EVENT_BUDGETS.values()}
    assert documented == declared


def test_the_transport_and_http_limits_are_the_declared_ones():
    expected = [
        f"| message size | {int(MAX_MESSAGE.value) // 1024} KiB |",
        f"| frames | {FRAME_BURST.value:g} at once, then {FRAME_RATE.value:g} per second |",
        f"| frames waiting | {MAX_BACKLOG.value:g} |",
        f"| joining a namespace | {HANDSHAKE_DEADLINE.value:g} s after opening |",
        f"| silence | {SOCKET_IDLE.value:g} s without a byte",
        f"More than {FLOOD_REFUSALS.value:g} refused events (over budget, unknown, "
        f"malformed) within {FLOOD_WINDOW.value:g} s",
        f"the screen's next connection is refused for {FLOOD_COOLDOWN.value:g} s",
        f"up to {FLOOD_COOLDOWN_MAX.value:g} s",
        f"arrive within {HEADER_DEADLINE.value:g} s of opening the connection",
        f"may not pause for more than {READ_IDLE.value:g} s",
    ]
    text = " ".join(PROTOCOL.replace("A connection with more", "More").split())
    for line in expected:
        assert " ".join(line.split()) in text, line
