"""The protocol's small messages (docs/protocol.md, sections 4 and 5), declared once: each
event's fields with their types and limits, the largest body, an example.

Everything else reads this declaration: ``player.message_check`` validates with it (the
controller's checks of ``time``, ``ack``, ``timeline_request``, ``heartbeat``,
``emergency_shown`` and ``command_result``, and this player's checks of ``welcome`` and
``command``); ``controller.players.protocol_doc`` prints the tables of protocol.md and
writes docs/protocol.schema.json from it, and a test fails when either differs from
what it would print. Change a field or a number here, then run
``python -m controller.players.protocol_doc``.

It lives in ``player/`` and is standard-library only because both sides read it and the
player may not import the controller. The ``timeline`` (cross-references between its
parts: ``player.timeline_check``) and the ``journal`` batch (its chain:
``controller.plays.declaration``) have declarations of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024
TEN_YEARS = 315_360_000  # seconds
MAX_VERSION = 2**53  # a JSON number every language reads exactly
SHA256 = r"[0-9a-f]{64}"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
COMMANDS = ("identify", "reload", "clear_cache", "screenshot", "restart", "reboot")
IDENTIFY_SECONDS = (10, 1, 60)  # default, min, max


@dataclass(frozen=True)
class Field:
    """One value of a message. ``type``: ``integer``, ``number``, ``string``,
    ``boolean``, ``object``, ``list`` or ``scalar`` (a number, a string of at most
    ``longest`` characters, true, false or null).

    - numbers: ``low`` … ``high`` (inclusive), printed with ``unit``; ``at_most`` names a
      sibling field the value may not exceed (``available`` ≤ ``total``);
    - strings: at most ``longest`` characters; ``pattern`` (a full match) described by
      ``pattern_says``; ``time``: ISO 8601 with a time zone;
    - lists: ``entries`` (fewest, most) of ``items``;
    - objects: ``fields``; a key not among them is checked by ``others`` if given (and
      kept only with ``keep_others``), else ignored and dropped; ``others_max`` and
      ``others_name``/``others_name_says`` bound how many and how they are named.

    ``meaning`` is the sentence the table prints after the type and range.
    """

    name: str
    type: str
    required: bool = False
    nullable: bool = False
    low: float | None = None
    high: float | None = None
    unit: str = ""
    at_most: str | None = None
    longest: int | None = None
    pattern: str | None = None
    pattern_says: str = ""
    time: bool = False
    entries: tuple[int, int] | None = None
    items: Field | None = None
    fields: tuple[Field, ...] = ()
    others: Field | None = None
    keep_others: bool = True
    others_max: int | None = None
    others_name: str | None = None
    others_name_says: str = ""
    meaning: str = ""


@dataclass(frozen=True)
class Message:
    """One event: who sends it, its ``body`` (an object field), the largest body in
    bytes (compact UTF-8 JSON), whether it may carry no data at all (``optional``:
    null or nothing), and an example the doc and the tests use."""

    event: str
    sender: str  # "player" or "controller"
    body: Field
    max_bytes: int | None = None
    optional: bool = False
    example: dict | None = None


def _body(*fields: Field, **rules: object) -> Field:
    return Field("", "object", fields=fields, **rules)  # type: ignore[arg-type]


def _capacity(name: str, free: str, high: int, meaning: str) -> Field:
    return Field(name, "object", meaning=meaning, fields=(
        Field("total", "number", required=True, low=1, high=high, unit=" bytes"),
        Field(free, "number", required=True, low=0, high=high, unit=" bytes",
              at_most="total")))


# --- player -> controller ---------------------------------------------------------------
TIME = Message("time", "player", _body(), optional=True, example={})

ACK = Message("ack", "player", _body(
    Field("version", "integer", required=True, low=0, high=MAX_VERSION,
          meaning="the timeline version stored; at most the one the controller stored "
                  "for this screen, 0 before any"),
    Field("missing", "list", nullable=True, entries=(0, 1000),
          items=Field("", "string", pattern=SHA256,
                      pattern_says="a SHA-256 (64 lowercase hex digits)"),
          meaning="the media files it could not fetch (it will retry); null means none"),
), example={"version": 7, "missing": []})

TIMELINE_REQUEST = Message("timeline_request", "player", _body(
    Field("screen", "string", nullable=True, longest=100,
          meaning="the connection's own screen (another is refused with `forbidden`)"),
    Field("have_version", "integer", nullable=True, low=0, high=MAX_VERSION,
          meaning="the version it holds"),
), optional=True, example={"screen": "phu-bai-arrivals", "have_version": 6})

HEARTBEAT = Message("heartbeat", "player", _body(
    Field("timeline_version", "integer", nullable=True, low=0, high=MAX_VERSION,
          meaning="the version it holds (null: none yet)"),
    Field("playing", "object", nullable=True,
          fields=tuple(Field(n, "string", nullable=True, longest=200, meaning=m) for n, m in (
              ("playlist", "the key in `playlists` (`id@version`)"),
              ("item", "the item's `id`"),
              ("since", "when the item started, ISO 8601 on the corrected clock"))),
          others=Field("", "string", nullable=True, longest=200), keep_others=False,
          meaning="the timeline's item (section 8); null on the idle page. Other keys "
                  "are checked and not kept"),
    Field("uptime", "number", low=0, high=TEN_YEARS, unit=" s",
          meaning="seconds since the system (not the player process) started: "
                  "/proc/uptime"),
    Field("load", "list", entries=(3, 3), items=Field("", "number", low=0, high=1000),
          meaning="1, 5 and 15 minute load averages"),
    _capacity("memory", "available", 2**50, "RAM in bytes"),
    _capacity("disk", "free", 2**60, "the cache directory's file system, in bytes"),
    Field("cpu_temp", "number", nullable=True, low=-40, high=150, unit=" °C",
          meaning="null: the board has no sensor"),
    Field("software", "string", longest=100, meaning="e.g. `pano-player/0.1.0`"),
    Field("clock_offset", "number", low=-TEN_YEARS, high=TEN_YEARS, unit=" s",
          meaning="controller's clock − player's clock (`time`)"),
    Field("last_error", "string", nullable=True, longest=1000,
          meaning="what is wrong now, in words (a refused timeline, damaged files, an "
                  "expired timeline); null when nothing is"),
    Field("sent_at", "string", nullable=True, longest=64,
          meaning="when it was sent, ISO 8601 on the corrected clock; kept as sent"),
    Field("display", "object", nullable=True, fields=(
        Field("alive", "boolean", required=True,
              meaning="the kiosk page reported within the last 3 of its intervals; false "
                      "with no page (a headless player, Chromium not running)"),
        Field("item", "string", nullable=True, longest=200,
              meaning="the `id` of the item the page has on screen (null: none)"),
        Field("frame_at", "string", nullable=True, time=True, longest=64,
              meaning="when the page last drew a frame (its clock, ISO 8601)"),
        Field("visible", "boolean", required=True,
              meaning="whether the page's document is visible"),
    ), meaning="what the display really does (screen truth, docs/operations.md); "
               "players before it send none"),
    Field("capture", "string", nullable=True, pattern="devtools|command|none",
          pattern_says="`devtools`, `command` or `none`",
          meaning="how the player can capture its screen for `screenshot` and screen "
                  "truth: Chromium's DevTools (`devtools_url`), a `screenshot_command`, or "
                  "`none` (a `screenshot` then fails, and the panel says how to set one "
                  "up); players before it send none"),
), max_bytes=16 * KIB, example={
    "timeline_version": 7,
    "playing": {"playlist": "welcome-hue@1", "item": "citadel",
                "since": "2026-11-26T07:00:10Z"},
    "uptime": 3600.5, "load": [0.12, 0.2, 0.18],
    "memory": {"total": 3951120384, "available": 2870087680},
    "disk": {"total": 31205621760, "free": 20415332352},
    "cpu_temp": 51.6, "software": "pano-player/0.1.0", "clock_offset": 0.012,
    "last_error": None, "sent_at": "2026-11-26T07:00:15Z",
    "display": {"alive": True, "item": "citadel", "frame_at": "2026-11-26T07:00:14.980Z",
                "visible": True},
    "capture": "devtools"})

EMERGENCY_SHOWN = Message("emergency_shown", "player", _body(
    Field("id", "integer", required=True, low=1, high=MAX_VERSION,
          meaning="the emergency's `id` (section 4, `emergencies`)"),
    Field("shown_at", "string", required=True, time=True, longest=64,
          meaning="when it was first on screen, on the corrected clock"),
), example={"id": 12, "shown_at": "2026-11-26T08:00:00Z"})

COMMAND_RESULT = Message("command_result", "player", _body(
    Field("id", "string", required=True, pattern=UUID, pattern_says="a UUID",
          meaning="the command's `id`"),
    Field("ok", "boolean", required=True, meaning="`true` done, `false` failed"),
    Field("message", "string", nullable=True, longest=1000,
          meaning="what happened, in words"),
    others=Field("", "scalar", longest=200), others_max=20,
    others_name=r"[a-z][a-z0-9_]{0,39}",
    others_name_says="lowercase letters, digits and '_' (a letter first, at most 40)",
    meaning="kept with the command (e.g. `removed`, `downloaded`, `width`, `height`, "
            "`size`)",
), max_bytes=4 * KIB, example={
    "id": "3f1c2a9e-5b7d-4e21-9a0c-1d2e3f4a5b6c", "ok": True,
    "message": "removed 12 cached files, downloaded 9 of the 9 the timeline needs",
    "removed": 12, "downloaded": 9})

# --- controller -> player ---------------------------------------------------------------
WELCOME = Message("welcome", "controller", _body(
    Field("screen", "string", required=True, longest=100, meaning="the screen's id"),
    Field("server_time", "number", required=True, low=0, unit=" s",
          meaning="the controller's clock, seconds since the Unix epoch"),
    Field("heartbeat_interval", "number", required=True, low=0.01, high=86400, unit=" s",
          meaning="seconds between heartbeats"),
    Field("protocol", "integer", required=True, low=1, high=1000,
          meaning="this document's version (1)"),
), example={"screen": "phu-bai-arrivals", "server_time": 1795676400.123,
            "heartbeat_interval": 15, "protocol": 1})

COMMAND = Message("command", "controller", _body(
    Field("id", "string", required=True, longest=100,
          meaning="names the command (the controller sends a UUID); the answer carries it"),
    Field("command", "string", required=True, longest=40,
          meaning="one of " + ", ".join(f"`{c}`" for c in COMMANDS) + "; another is "
                  "answered `unsupported`"),
    Field("args", "object", nullable=True, others=Field("", "scalar", longest=200),
          others_max=20, meaning="empty, but for `identify`: `seconds`, an integer "
          f"{IDENTIFY_SECONDS[1]}…{IDENTIFY_SECONDS[2]} (default {IDENTIFY_SECONDS[0]})"),
), example={"id": "3f1c2a9e-5b7d-4e21-9a0c-1d2e3f4a5b6c", "command": "identify",
            "args": {"seconds": 10}})

ERROR = Message("error", "controller", _body(
    Field("event", "string", required=True, nullable=True, longest=100,
          meaning="the event refused; `connect` when the credential was revoked while "
                  "connected; null for a frame that is not a Socket.IO packet"),
    Field("message", "string", required=True, longest=2000, meaning="why, in words"),
), example={"event": "heartbeat",
            "message": "heartbeat refused: cpu_temp 900.0 is outside -40…150 °C."})

MESSAGES = {m.event: m for m in (TIME, ACK, TIMELINE_REQUEST, HEARTBEAT, EMERGENCY_SHOWN,
                                 COMMAND_RESULT, WELCOME, COMMAND, ERROR)}
