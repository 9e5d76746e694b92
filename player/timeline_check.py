"""Checking a timeline received from the controller (protocol section 4): every field a
player relies on has the right type and refers to something that exists. Pure and
standard-library only, like ``player.timeline``, which re-exports what others use."""

from __future__ import annotations

import math
import re
from datetime import datetime
from functools import lru_cache

ITEM_TYPES = ("image", "video", "text", "web")
BILINGUAL_MODES = ("dual", "alternate")
# In alternate mode, how an item's duration is shared by its languages: "split" (the
# languages share it) or "repeat" (each gets all of it). Absent means "split".
ALTERNATE_TIMINGS = ("split", "repeat")
DEFAULT_ALTERNATE_TIMING = "split"
# The item types that alternate mode shows one language at a time; the others (video,
# web) keep one slide in the primary language, captioned in every language.
ALTERNATING_TYPES = ("text", "image")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
SCHEMA = 1


class TimelineError(ValueError):
    """A timeline that does not follow the protocol; the message says what and where."""


@lru_cache(maxsize=4096)
def parse_time(value: str) -> float:
    """ISO 8601 UTC time (``2026-11-25T17:00:00Z``) → seconds since the epoch."""
    if not isinstance(value, str):
        raise TimelineError(f"expected an ISO 8601 time string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise TimelineError(f"not an ISO 8601 time: {value!r}") from None
    if parsed.tzinfo is None:
        raise TimelineError(f"time {value!r} has no time zone (expected UTC with 'Z')")
    return parsed.timestamp()


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise TimelineError(message)


def _check_item(key: str, index: int, item: object, media: dict) -> None:
    where = f"playlists[{key!r}].items[{index}]"
    _require(isinstance(item, dict), f"{where} is not an object")
    _require(isinstance(item.get("id"), str) and item["id"] != "", f"{where}.id must be a string")
    kind = item.get("type")
    _require(kind in ITEM_TYPES, f"{where}.type {kind!r} is not one of {', '.join(ITEM_TYPES)}")
    duration = item.get("duration")
    _require(
        _is_number(duration) and math.isfinite(duration) and duration > 0,
        f"{where}.duration must be a number of seconds > 0, got {duration!r}",
    )
    variants = item.get("variants")
    _require(
        isinstance(variants, dict) and len(variants) > 0,
        f"{where}.variants must be a non-empty object keyed by language",
    )
    for lang, variant in variants.items():
        vwhere = f"{where}.variants[{lang!r}]"
        _require(isinstance(variant, dict), f"{vwhere} is not an object")
        for field in ("title", "body", "url", "media"):
            value = variant.get(field)
            _require(value is None or isinstance(value, str), f"{vwhere}.{field} must be a string")
        if "qr" in variant:
            _check_qr(f"{vwhere}.qr", variant["qr"], media)
        if kind in ("image", "video"):
            sha = variant.get("media")
            _require(isinstance(sha, str), f"{vwhere}.media is required for a {kind} item")
            _require(sha in media, f"{vwhere}.media {sha[:12]}… is not listed in 'media'")
        elif kind == "web":
            url = variant.get("url")
            _require(
                isinstance(url, str) and url.startswith(("http://", "https://")),
                f"{vwhere}.url must be an http(s) URL for a web item",
            )
    if "slides" in item:
        slides = item["slides"]
        _require(isinstance(slides, dict) and len(slides) > 0,
                 f"{where}.slides must be a non-empty object keyed by language or '*'")
        for lang, sha in slides.items():
            _require(lang == "*" or lang in variants,
                     f"{where}.slides[{lang!r}]: no variant in that language")
            _check_file(f"{where}.slides[{lang!r}]", sha, media)


def _check_file(where: str, sha: object, media: dict) -> None:
    _require(isinstance(sha, str) and bool(SHA256_RE.match(sha)),
             f"{where} must be a lowercase SHA-256")
    _require(sha in media, f"{where} {str(sha)[:12]}… is not listed in 'media'")


def _check_qr(where: str, qr: object, media: dict) -> None:
    """A QR badge: ``{"url": short link, "badge": sha256 of its PNG}``."""
    _require(isinstance(qr, dict), f"{where} must be an object")
    url = qr.get("url")
    _require(isinstance(url, str) and url.startswith(("http://", "https://")),
             f"{where}.url must be an http(s) URL")
    _check_file(f"{where}.badge", qr.get("badge"), media)


def _check_badge_box(box: object) -> None:
    _require(isinstance(box, dict), "display.qr_badge must be an object")
    for name, least in (("x", 0), ("y", 0), ("width", 1), ("height", 1)):
        value = box.get(name)
        _require(isinstance(value, int) and not isinstance(value, bool) and value >= least,
                 f"display.qr_badge.{name} must be an integer ≥ {least}, got {value!r}")


def _check_display(display: object) -> None:
    _require(isinstance(display, dict), "'display' must be an object")
    languages = display.get("languages")
    _require(
        isinstance(languages, list)
        and len(languages) > 0
        and all(isinstance(lang, str) and lang for lang in languages),
        "display.languages must be a non-empty list of language codes",
    )
    mode = display.get("bilingual_mode", "dual")
    _require(
        mode in BILINGUAL_MODES,
        f"display.bilingual_mode {mode!r} is not one of {', '.join(BILINGUAL_MODES)}",
    )
    timing = display.get("alternate_timing", DEFAULT_ALTERNATE_TIMING)
    _require(
        isinstance(timing, str) and timing in ALTERNATE_TIMINGS,
        f"display.alternate_timing {timing!r} is not one of {', '.join(ALTERNATE_TIMINGS)}",
    )
    if "qr_badge" in display:
        _check_badge_box(display["qr_badge"])


def parse_timeline(obj: object) -> dict:
    """Validate a timeline (protocol section 4); return it, or raise TimelineError.

    Unknown fields are kept and ignored, as the protocol asks.
    """
    _require(isinstance(obj, dict), "a timeline must be a JSON object")
    _require(obj.get("schema") == SCHEMA, f"unsupported timeline schema {obj.get('schema')!r}")
    version = obj.get("version")
    _require(
        isinstance(version, int) and not isinstance(version, bool) and version >= 0,
        f"'version' must be an integer ≥ 0, got {version!r}",
    )
    _require(isinstance(obj.get("screen"), str), "'screen' must be a string")
    for field in ("generated_at", "valid_from", "valid_until"):
        _require(field in obj, f"'{field}' is missing")
        parse_time(obj[field])
    interval = obj.get("heartbeat_interval", 15)
    _require(
        _is_number(interval) and math.isfinite(interval) and interval > 0,
        f"'heartbeat_interval' must be a number > 0, got {interval!r}",
    )
    _check_display(obj.get("display"))

    media = obj.get("media")
    _require(isinstance(media, dict), "'media' must be an object keyed by SHA-256")
    for sha, info in media.items():
        _require(bool(SHA256_RE.match(sha)), f"media key {sha!r} is not a lowercase SHA-256")
        _require(isinstance(info, dict), f"media[{sha[:12]}…] is not an object")
        size = info.get("size")
        _require(
            size is None or (isinstance(size, int) and not isinstance(size, bool) and size >= 0),
            f"media[{sha[:12]}…].size must be an integer ≥ 0",
        )

    playlists = obj.get("playlists")
    _require(isinstance(playlists, dict), "'playlists' must be an object")
    for key, playlist in playlists.items():
        _require(isinstance(playlist, dict), f"playlists[{key!r}] is not an object")
        items = playlist.get("items")
        _require(isinstance(items, list), f"playlists[{key!r}].items must be a list")
        for index, item in enumerate(items):
            _check_item(key, index, item, media)

    segments = obj.get("segments")
    _require(isinstance(segments, list), "'segments' must be a list")
    previous_until: float | None = None
    for index, segment in enumerate(segments):
        where = f"segments[{index}]"
        _require(isinstance(segment, dict), f"{where} is not an object")
        start = parse_time(segment.get("from"))
        end = parse_time(segment.get("until"))
        _require(start < end, f"{where}: 'from' must be before 'until'")
        if previous_until is not None:
            _require(
                start >= previous_until,
                f"{where} starts before segments[{index - 1}] ends (unsorted or overlapping)",
            )
        previous_until = end
        key = segment.get("playlist")
        _require(
            key is None or (isinstance(key, str) and key in playlists),
            f"{where}.playlist {key!r} is not a key of 'playlists'",
        )
    _check_emergencies(obj.get("emergencies", []), media)
    return obj


def _check_emergencies(emergencies: object, media: dict) -> None:
    _require(isinstance(emergencies, list), "'emergencies' must be a list")
    for index, entry in enumerate(emergencies):
        where = f"emergencies[{index}]"
        _require(isinstance(entry, dict), f"{where} is not an object")
        eid = entry.get("id")
        _require(isinstance(eid, int) and not isinstance(eid, bool),
                 f"{where}.id must be an integer")
        _require(parse_time(entry.get("from")) < parse_time(entry.get("until")),
                 f"{where}: 'from' must be before 'until'")
        messages = entry.get("messages")
        _require(isinstance(messages, dict) and len(messages) > 0,
                 f"{where}.messages must be a non-empty object keyed by language")
        for lang, text in messages.items():
            _require(isinstance(text, dict) and isinstance(text.get("title"), str)
                     and isinstance(text.get("body", ""), str),
                     f"{where}.messages[{lang!r}] needs a string title and body")
        url = entry.get("url")
        _require(url is None or isinstance(url, str), f"{where}.url must be a string or null")
        if "slide" in entry:
            _check_file(f"{where}.slide", entry["slide"], media)
        if "qr" in entry:
            _check_qr(f"{where}.qr", entry["qr"], media)
