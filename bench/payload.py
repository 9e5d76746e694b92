"""The message the baseline broadcasts: a real timeline captured from the Pano phase of
the same run when there is one, otherwise a synthetic timeline shaped like the example
in docs/protocol.md (welcome-hue, four items, two languages)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def _variant(title: str, body: str = "", media: str | None = None) -> dict[str, Any]:
    return {"title": title, "body": body, "media": media, "url": None}


def synthetic_timeline(screen: str = "bench-screen-0001") -> dict[str, Any]:
    shas = [hashlib.sha256(name.encode()).hexdigest() for name in ("citadel", "river", "bay")]
    items = [
        {"id": "welcome", "type": "text", "duration": 8.0, "variants": {
            "vi": _variant("Chào mừng quý khách đến Thừa Thiên Huế",
                           "Thành phố Festival, vùng đất di sản văn hóa thế giới."),
            "en": _variant("Welcome to Thừa Thiên Huế",
                           "The festival city, home of world cultural heritage.")}},
        {"id": "citadel", "type": "image", "duration": 10.0, "variants": {
            "vi": _variant("Quần thể di tích Cố đô Huế", media=shas[0]),
            "en": _variant("Complex of Huế Monuments", media=shas[0])}},
        {"id": "perfume-river", "type": "image", "duration": 10.0, "variants": {
            "vi": _variant("Sông Hương", media=shas[1]),
            "en": _variant("The Perfume River", media=shas[1])}},
        {"id": "lang-co", "type": "image", "duration": 10.0, "variants": {
            "vi": _variant("Vịnh Lăng Cô", media=shas[2]),
            "en": _variant("Lang Co Bay", media=shas[2])}},
    ]
    return {
        "schema": 1,
        "screen": screen,
        "version": 0,
        "generated_at": "2026-11-26T07:00:00Z",
        "valid_from": "2026-11-25T17:00:00Z",
        "valid_until": "2026-11-28T17:00:00Z",
        "timezone": "Asia/Ho_Chi_Minh",
        "heartbeat_interval": 15,
        "display": {
            "name": {"vi": "Sảnh đến quốc tế", "en": "International arrivals hall"},
            "site": {"id": "phu-bai-airport",
                     "name": {"vi": "Cảng hàng không quốc tế Phú Bài",
                              "en": "Phu Bai International Airport"}},
            "orientation": "landscape",
            "resolution": [1920, 1080],
            "languages": ["vi", "en"],
            "bilingual_mode": "dual",
        },
        "segments": [{"from": "2026-11-25T17:00:00Z", "until": "2026-11-28T17:00:00Z",
                      "playlist": "welcome-hue@1", "reason": "default playlist of the screen"}],
        "playlists": {"welcome-hue@1": {
            "id": "welcome-hue", "version": 1,
            "title": {"vi": "Chào mừng đến Huế", "en": "Welcome to Huế"},
            "items": items}},
        "media": {sha: {"size": 482113, "mime": "image/jpeg"} for sha in shas},
    }


def encode(timeline: dict[str, Any]) -> str:
    """The timeline as python-socketio puts it on the wire (compact, ASCII-escaped)."""
    return json.dumps(timeline, separators=(",", ":"))
