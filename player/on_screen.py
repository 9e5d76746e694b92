"""What is on the screen now, as the play journal records it (docs/protocol.md section 5,
``journal``): from the playback loop's decision on a ``headless`` player, from the kiosk
page's own report (``POST /api/shown``) on a ``kiosk`` one.

``OnScreen.key`` says what counts as the same thing: while the key stays, one record
goes on; another key ends it and starts the next. An item's key names its slide (one
per language in ``alternate`` mode), so each slide is its own record.
"""

from __future__ import annotations

from dataclasses import dataclass

from player.timeline import (
    Playing,
    badge_of,
    drawn_file,
    item_languages,
    parse_time,
    slide_file,
)

KINDS = ("item", "emergency", "identify", "idle")
MAX_KEY = 300
MAX_LIST = 8


@dataclass(frozen=True)
class OnScreen:
    kind: str  # item, emergency, identify or idle
    key: str  # the same key: the same record goes on
    source: str  # kiosk (the page confirmed it) or headless (the loop decided it)
    languages: tuple[str, ...] = ()
    media: tuple[str, ...] = ()
    playlist: str | None = None
    version: int | None = None
    item: str | None = None
    emergency: int | None = None
    timeline_version: int | None = None
    planned_end: float | None = None  # when its time is up: it then ends with "duration"

    def fields(self) -> dict:
        """The record's fields, but for start, end and ended."""
        return {"kind": self.kind, "source": self.source, "playlist": self.playlist,
                "version": self.version, "item": self.item,
                "languages": list(self.languages), "media": list(self.media),
                "emergency": self.emergency, "timeline_version": self.timeline_version}


def playlist_ref(timeline: dict | None, key: str | None) -> tuple[str | None, int | None]:
    """A timeline's playlist key (``welcome-hue@3``) as the record's id and version."""
    if not key:
        return None, None
    entry = ((timeline or {}).get("playlists") or {}).get(key) or {}
    pid, _, version = key.rpartition("@")
    ref_id = entry.get("id") or pid or key
    ref_version = entry.get("version")
    if ref_version is None and version.isdigit():
        ref_version = int(version)
    return str(ref_id), ref_version if isinstance(ref_version, int) else None


def _version(timeline: dict | None) -> int | None:
    return None if timeline is None else timeline.get("version")


def _shas(values: list[object]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if isinstance(v, str) and v))[:MAX_LIST]


def decided(timeline: dict | None, emergency: dict | None, playing: Playing | None,
            now: float) -> OnScreen:
    """What a headless player shows at ``now``: its loop's decision."""
    display = (timeline or {}).get("display") or {}
    languages = display.get("languages") or []
    if emergency is not None:
        messages = emergency.get("messages") or {}
        langs = [lang for lang in languages if lang in messages] + \
            [lang for lang in messages if lang not in languages]
        return OnScreen("emergency", f"emergency|{emergency.get('id')}", "headless",
                        tuple(langs[:MAX_LIST]),
                        _shas([emergency.get("slide"), (emergency.get("qr") or {}).get("badge")]),
                        emergency=emergency.get("id"), timeline_version=_version(timeline),
                        planned_end=parse_time(emergency["until"]))
    slide = playing.slide_at(now) if playing is not None else None
    if playing is None or slide is None:
        return OnScreen("idle", "idle", "headless", tuple(languages[:1]),
                        timeline_version=_version(timeline))
    item = playing.item
    langs = slide.languages or tuple(item_languages(item, languages))
    if item.get("type") == "text":
        files: list[object] = [slide_file(item, langs)]
    else:  # an image's frame if drawn, else the first language's file (kiosk.js)
        files = [drawn_file(item, langs)
                 or ((item.get("variants") or {}).get(langs[0]) or {}).get("media")]
    files.append((badge_of(item, langs) or {}).get("badge"))
    playlist, version = playlist_ref(timeline, playing.playlist_key)
    return OnScreen("item", f"{playing.playlist_key}|{playing.item_index}|"
                    f"{playing.started_at:.3f}|{slide.started_at:.3f}", "headless",
                    tuple(langs[:MAX_LIST]), _shas(files), playlist, version,
                    str(item.get("id")), timeline_version=_version(timeline),
                    planned_end=slide.ends_at)


def reported(body: object, timeline: dict | None) -> OnScreen | None:
    """The kiosk page's report (``POST /api/shown``) as an ``OnScreen``; None when the
    page says nothing is confirmed on screen (hidden, a picture that does not decode).
    ``ValueError`` names what is wrong with a malformed report."""
    if not isinstance(body, dict):
        raise ValueError("the report must be a JSON object")
    kind = body.get("kind")
    if kind is None:
        return None
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)} or null, got {kind!r}")
    key = body.get("key")
    if key is not None and (not isinstance(key, str) or len(key) > MAX_KEY):
        raise ValueError(f"key must be a string of at most {MAX_KEY} characters")
    languages = _strings(body.get("languages"), "languages", 16)
    media = _strings(body.get("media"), "media", 64)
    ends_at = body.get("ends_at")
    if ends_at is not None and (isinstance(ends_at, bool)
                                or not isinstance(ends_at, int | float)):
        raise ValueError("ends_at must be a number of seconds since the epoch")
    version = body.get("timeline_version", _version(timeline))
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise ValueError("timeline_version must be an integer")
    common = {"languages": languages, "media": media, "timeline_version": version,
              "planned_end": None if ends_at is None else float(ends_at)}
    if kind == "item":
        playlist_key = body.get("playlist")
        item = body.get("item")
        if not isinstance(playlist_key, str) or not isinstance(item, str) or not key:
            raise ValueError("an item needs its key, playlist and item as strings")
        playlist, pversion = playlist_ref(timeline, playlist_key)
        return OnScreen("item", key, "kiosk", playlist=playlist, version=pversion,
                        item=item[:64], **common)
    if kind == "emergency":
        emergency = body.get("emergency")
        if isinstance(emergency, bool) or not isinstance(emergency, int):
            raise ValueError("an emergency needs its id (an integer)")
        return OnScreen("emergency", f"emergency|{emergency}", "kiosk", emergency=emergency,
                        **common)
    return OnScreen(kind, f"{kind}|{key or ''}", "kiosk", **common)


def _strings(value: object, name: str, longest: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_LIST or not all(
            isinstance(v, str) and 0 < len(v) <= longest for v in value):
        raise ValueError(f"{name} must be a list of at most {MAX_LIST} short strings")
    return tuple(value)
