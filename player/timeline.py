"""What plays at time t: timeline validation and resolution (protocol sections 4 and 8).

Pure and standard-library only: the controller imports this module to preview screens,
so the panel shows exactly what the screen shows.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from functools import lru_cache
from typing import Any

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


@dataclass(frozen=True)
class Slide:
    """One language slot of an item on screen: the languages shown (primary first),
    from when, until when (epoch seconds)."""

    languages: tuple[str, ...]
    started_at: float
    ends_at: float


@dataclass(frozen=True)
class Playing:
    """One item on screen: which, from when, until when (epoch seconds), and its slides
    (one per language in alternate mode, else one with every language)."""

    segment_index: int
    playlist_key: str
    item_index: int
    item: dict
    started_at: float
    ends_at: float
    stale: bool
    slides: tuple[Slide, ...] = ()

    def slide_at(self, now: float) -> Slide | None:
        """The slide on screen at ``now`` (the first before it, the last after it)."""
        if not self.slides:
            return None
        starts = [slide.started_at for slide in self.slides]
        return self.slides[max(0, bisect.bisect_right(starts, now) - 1)]


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


# --- languages of an item on screen (protocol section 4, display) ----------------------


def item_languages(item: dict, languages: list[str] | None) -> list[str]:
    """The languages ``item`` shows on a screen of ``languages``: those it has a variant
    in, in the screen's order; all of its variants' if it has none of them."""
    variants: dict[str, Any] = item.get("variants") or {}
    chosen = [lang for lang in languages or [] if lang in variants]
    return chosen or list(variants)


def slide_languages(item: dict, display: dict | None) -> list[tuple[str, ...]]:
    """The languages of each slide of ``item``, in order: one slide per language for a
    text or image item in alternate mode, else one slide with every language."""
    display = display or {}
    langs = item_languages(item, display.get("languages"))
    if (display.get("bilingual_mode") == "alternate" and item.get("type") in ALTERNATING_TYPES
            and len(langs) > 1):
        return [(lang,) for lang in langs]
    return [tuple(langs)]


def alternate_timing(display: dict | None) -> str:
    """``split`` or ``repeat`` (``split`` when the timeline does not say)."""
    return (display or {}).get("alternate_timing") or DEFAULT_ALTERNATE_TIMING


def slide_duration(item: dict, display: dict | None) -> Fraction:
    """How long each slide of ``item`` lasts: its duration shared by the slides
    (``split``) or all of it (``repeat``)."""
    duration = Fraction(item["duration"])
    if alternate_timing(display) == "repeat":
        return duration
    return duration / len(slide_languages(item, display))


def item_span(item: dict, display: dict | None) -> Fraction:
    """How long ``item`` plays in the loop: its duration, or with ``repeat`` its duration
    once per slide (3 languages in alternate mode: 3 × duration)."""
    return slide_duration(item, display) * len(slide_languages(item, display))


def _slides(item: dict, display: dict | None, start: Fraction,
            ends_at: float) -> tuple[Slide, ...]:
    """The slides of ``item`` played from ``start``, cut at ``ends_at``."""
    each = slide_duration(item, display)
    slides = []
    for i, langs in enumerate(slide_languages(item, display)):
        a, b = float(start + i * each), float(start + (i + 1) * each)
        if i > 0 and a >= ends_at:
            break
        slides.append(Slide(langs, a, min(b, ends_at)))
    return tuple(slides)


# --- resolution (protocol section 8) ---------------------------------------------------


def _segment_for(segments: list[dict], now: float) -> tuple[int, bool] | None:
    """Index of the segment covering now and whether it is stale (past the last one)."""
    if not segments:
        return None
    starts = [parse_time(s["from"]) for s in segments]
    index = bisect.bisect_right(starts, now) - 1
    if index < 0:
        return None
    if now < parse_time(segments[index]["until"]):
        return index, False
    if index == len(segments) - 1:
        return index, True
    return None  # a gap between two segments: nothing scheduled


def active_emergency(timeline: dict, now: float) -> dict | None:
    """The emergency shown at ``now`` (epoch seconds), or None. It wins over every
    segment; if several are active, the one that started last (then the highest id).
    Ends by itself at its ``until``, with or without a controller."""
    active = [e for e in timeline.get("emergencies") or []
              if parse_time(e["from"]) <= now < parse_time(e["until"])]
    if not active:
        return None
    return max(active, key=lambda e: (parse_time(e["from"]), e["id"]))


def resolve(
    timeline: dict, now: float, playable: Callable[[dict], bool] | None = None
) -> Playing | None:
    """What plays at ``now`` (epoch seconds); None for nothing (idle page).

    ``playable(item)`` says whether an item can play (its media are cached); None means
    every item can. Items loop anchored at the segment's start; an item is cut at the
    start of the next segment. Past the last segment the last one keeps looping, marked
    ``stale`` (stale says something about ``now``, not about the item). An item plays
    for its span (``item_span``: with ``alternate_timing: repeat``, once per language);
    ``Playing.slides`` say which language shows when.
    """
    found = _segment_for(timeline.get("segments") or [], now)
    if found is None:
        return None
    seg_index, stale = found
    segment = timeline["segments"][seg_index]
    key = segment.get("playlist")
    if key is None:
        return None
    items = timeline["playlists"][key]["items"]
    usable = [
        (index, item) for index, item in enumerate(items) if playable is None or playable(item)
    ]
    if not usable:
        return None

    # Exact arithmetic for the walk, so that boundaries are consistent from one call
    # to the next (resolving at an item's end gives the next item, never the same).
    display = timeline.get("display")
    durations = [item_span(item, display) for _, item in usable]
    total = sum(durations)
    anchor = Fraction(parse_time(segment["from"]))
    exact_now = Fraction(now)
    cycle = math.floor((exact_now - anchor) / total)
    cumulative = [Fraction(0)]
    for duration in durations:
        cumulative.append(cumulative[-1] + duration)

    def exact_boundary(k: int) -> Fraction:
        c, j = divmod(k, len(usable))
        return anchor + c * total + cumulative[j]

    def boundary(k: int) -> float:
        return float(exact_boundary(k))

    position = exact_now - anchor - cycle * total
    j = bisect.bisect_right(cumulative, position) - 1
    k = cycle * len(usable) + min(j, len(usable) - 1)
    # Guard the float rounding of the exact boundaries.
    while boundary(k + 1) <= now:
        k += 1
    while boundary(k) > now:
        k -= 1

    started_at = boundary(k)
    ends_at = boundary(k + 1)
    if seg_index < len(timeline["segments"]) - 1:
        # A segment boundary cuts the item. The last segment has no successor: it goes
        # on looping past its end (stale), so its items are never cut there.
        ends_at = min(ends_at, parse_time(segment["until"]))
    item_index, item = usable[k % len(usable)]
    return Playing(
        segment_index=seg_index,
        playlist_key=key,
        item_index=item_index,
        item=item,
        started_at=started_at,
        ends_at=ends_at,
        stale=stale,
        slides=_slides(item, display, exact_boundary(k), ends_at),
    )


def upcoming(
    timeline: dict,
    now: float,
    count: int = 3,
    playable: Callable[[dict], bool] | None = None,
) -> list[Playing]:
    """The item playing at ``now`` (if any) and the ones after it, ``count`` in all."""
    result: list[Playing] = []
    segments = timeline.get("segments") or []
    starts = [parse_time(s["from"]) for s in segments]
    t = now
    for _ in range(count * 4 + len(segments)):
        if len(result) >= count:
            break
        playing = resolve(timeline, t, playable)
        if playing is not None:
            result.append(playing)
            if playing.ends_at <= t:  # cannot happen with valid input; never loop forever
                break
            t = playing.ends_at
            continue
        later = bisect.bisect_right(starts, t)
        if later >= len(starts):
            break
        t = starts[later]
    return result


def slide_file(item: dict, languages: tuple[str, ...] | list[str]) -> str | None:
    """The rendered slide of ``item`` for a slide showing ``languages``: its own
    language's (alternate mode) or the one with every language (``*``); None: none
    (the player draws the text itself)."""
    slides = item.get("slides") or {}
    if len(languages) == 1 and languages[0] in slides:
        return slides[languages[0]]
    return slides.get("*")


def badge_of(item: dict, languages: tuple[str, ...] | list[str]) -> dict | None:
    """The QR badge (``{"url", "badge"}``) of the slide's primary language, if any."""
    variants = item.get("variants") or {}
    for lang in list(languages)[:1] or list(variants)[:1]:
        qr = (variants.get(lang) or {}).get("qr")
        if isinstance(qr, dict):
            return qr
    return None


def timeline_media(timeline: dict) -> list[str]:
    """Every media SHA-256 the timeline lists."""
    return list((timeline.get("media") or {}).keys())


def item_media(item: dict, languages: list[str] | None = None) -> list[str]:
    """SHA-256s an item needs on this screen (its variants in ``languages`` if any)."""
    variants: dict[str, Any] = item.get("variants") or {}
    chosen = [v for lang, v in variants.items() if languages and lang in languages]
    if not chosen:
        chosen = list(variants.values())
    return [v["media"] for v in chosen if isinstance(v, dict) and v.get("media")]
