"""Every bound Pano puts on what arrives from the network, declared once.

The code enforces these values, docs/protocol.md and docs/security.md print them, and
``tests/web/test_edge_limits_doc.py`` fails when a documented table and this module
disagree. Change a number here, then the docs, and say why in docs/security.md.

Why these numbers: a player sends a handful of events per connect (three ``time``, one
``ack``, one ``heartbeat``, receipts it kept while offline) and then one heartbeat every
15 s; a panel page sends a ``subscribe`` per topic. Every budget below is ten times or
more what a well-behaved client needs, and small enough that one hostile connection costs
the server a fraction of a per cent of a core.
"""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024


@dataclass(frozen=True)
class Limit:
    """One documented bound: ``value`` in ``unit``; ``what`` says what it bounds."""

    name: str
    value: float
    unit: str
    what: str


# --- the Socket.IO transport, per connection, before any namespace sees a frame --------
MAX_MESSAGE = Limit(
    "max_message", 64 * KIB, "bytes",
    "Largest WebSocket message. Refused while it is being read (the connection is "
    "closed with code 1009 after at most this many bytes), never read whole.")
FRAME_RATE = Limit(
    "frame_rate", 10, "frames/s",
    "Frames handed on per second, after a burst of `frame_burst`. Faster frames wait "
    "their turn: a fast client slows itself down, not the others.")
FRAME_BURST = Limit(
    "frame_burst", 60, "frames", "Frames handed on at once before `frame_rate` applies.")
MAX_BACKLOG = Limit(
    "max_backlog", 200, "frames",
    "Frames received but not yet handed on. More means the client keeps sending faster "
    "than `frame_rate`: it gets an `error` event and the connection is closed.")
HANDSHAKE_DEADLINE = Limit(
    "handshake_deadline", 10, "s",
    "Time from opening the WebSocket to joining a namespace (`/player` with a valid "
    "credential, or `/panel` with a session). A connection that has not is closed.")
SOCKET_IDLE = Limit(
    "socket_idle", 60, "s",
    "A WebSocket that sends nothing at all (not even the Engine.IO pong to the "
    "controller's ping every 25 s) is closed.")

TRANSPORT_LIMITS = (MAX_MESSAGE, FRAME_RATE, FRAME_BURST, MAX_BACKLOG,
                    HANDSHAKE_DEADLINE, SOCKET_IDLE)

# --- HTTP requests (gevent's pywsgi and gunicorn's gevent worker) ----------------------
HEADER_DEADLINE = Limit(
    "header_deadline", 20, "s",
    "Time to send the request line and all headers, including the wait for the next "
    "request on a kept-alive connection. Then the connection is closed.")
READ_IDLE = Limit(
    "read_idle", 30, "s",
    "Longest pause while sending a request body (an upload may be slow, but not "
    "silent). Then the request is answered 408 and the connection closed.")

HTTP_LIMITS = (HEADER_DEADLINE, READ_IDLE)


# --- /player events, per connection and per event kind ---------------------------------
@dataclass(frozen=True)
class EventBudget:
    """``burst`` events at once, then one every ``every`` seconds."""

    event: str
    burst: int
    every: float

    @property
    def rate(self) -> float:
        return 1.0 / self.every


PLAYER_EVENT_BUDGETS = {b.event: b for b in (
    EventBudget("time", burst=6, every=1.0),
    EventBudget("ack", burst=5, every=2.0),
    EventBudget("timeline_request", burst=3, every=10.0),
    EventBudget("heartbeat", burst=3, every=5.0),
    EventBudget("emergency_shown", burst=50, every=1.0),
    EventBudget("command_result", burst=20, every=1.0),
    # Proof-of-play batches (≤ 100 records): a day offline catches up in half a minute.
    EventBudget("journal", burst=10, every=0.25),
)}
# A controller told to want heartbeats more often than the table allows lets them through:
# ``heartbeat`` is at most one every 5 s or a third of ``heartbeat_interval``, if shorter.
HEARTBEAT_SHARE = 3


def event_budgets(heartbeat_interval: float | None = None) -> dict[str, EventBudget]:
    """The budgets for a controller whose players beat every ``heartbeat_interval`` s."""
    if not heartbeat_interval or heartbeat_interval <= 0:
        return PLAYER_EVENT_BUDGETS
    base = PLAYER_EVENT_BUDGETS["heartbeat"]
    every = min(base.every, heartbeat_interval / HEARTBEAT_SHARE)
    if every >= base.every:
        return PLAYER_EVENT_BUDGETS
    return {**PLAYER_EVENT_BUDGETS,
            "heartbeat": EventBudget("heartbeat", base.burst, round(every, 3))}
FLOOD_COOLDOWN = Limit(
    "flood_cooldown", 10, "s",
    "After a screen's connection is closed for flooding (events or frames), its next "
    "connection is refused for this long, doubling with each flood in a row up to "
    "`flood_cooldown_max`: a screen that floods and reconnects at once cannot make the "
    "controller pay for a connect, a timeline and a disconnect many times a second.")
FLOOD_COOLDOWN_MAX = Limit(
    "flood_cooldown_max", 300, "s",
    "Longest refusal after floods in a row; ten minutes without one starts over.")
# Events outside the protocol are refused anyway; they count as refusals below.
FLOOD_REFUSALS = Limit(
    "flood_refusals", 20, "refusals",
    "Events refused for being over budget or unknown, within `flood_window` seconds, "
    "after which the connection is closed (the player reconnects with backoff).")
FLOOD_WINDOW = Limit(
    "flood_window", 60, "s", "The window in which `flood_refusals` are counted.")

EVENT_LIMITS = (FLOOD_REFUSALS, FLOOD_WINDOW, FLOOD_COOLDOWN, FLOOD_COOLDOWN_MAX)
