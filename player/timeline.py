"""What plays at time t: timeline validation and resolution (protocol sections 4 and 8).

Pure and standard-library only: the controller imports this module to preview screens,
so the panel shows exactly what the screen shows.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from player.timeline_check import (  # noqa: F401  (re-exported: the protocol's names)
    ALTERNATE_TIMINGS,
    ALTERNATING_TYPES,
    BILINGUAL_MODES,
    DEFAULT_ALTERNATE_TIMING,
    ITEM_TYPES,
    SCHEMA,
    SHA256_RE,
    TimelineError,
    parse_time,
    parse_timeline,
)


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
    horizon: float = 0.0,
    most: int = 12,
) -> list[Playing]:
    """The item playing at ``now`` (if any) and the ones after it: ``count`` of them, or
    more (``most`` at most) until they reach ``horizon`` seconds past ``now``."""
    result: list[Playing] = []
    segments = timeline.get("segments") or []
    starts = [parse_time(s["from"]) for s in segments]
    t = now
    limit = max(count, most)
    for _ in range(limit * 4 + len(segments)):
        if len(result) >= limit or (len(result) >= count and t >= now + horizon):
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


# Items whose ``slides`` a player shows full screen: a text item's rendered slides and an
# image item's frames (its picture with the caption drawn and the QR corner free).
DRAWN_TYPES = ("text", "image")


def drawn_file(item: dict, languages: tuple[str, ...] | list[str]) -> str | None:
    """The controller's picture of ``item``'s slide showing ``languages`` (a text
    item's slide, an image item's frame), or None: the player lays the item out itself
    (text blocks; the picture with a caption bar)."""
    if item.get("type") not in DRAWN_TYPES:
        return None
    return slide_file(item, languages)


def overlay_file(item: dict, languages: tuple[str, ...] | list[str]) -> str | None:
    """A video item's caption overlay (``overlays``, keyed like ``slides``): a
    transparent picture of the screen's size to lay over the video; None: the player
    captions the video itself."""
    if item.get("type") != "video":
        return None
    overlays = item.get("overlays") or {}
    if len(languages) == 1 and languages[0] in overlays:
        return overlays[languages[0]]
    return overlays.get("*")


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
