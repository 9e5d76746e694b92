"""A timeline's content hash (``content_hash``): SHA-256 of its canonical JSON (sorted
keys, no spaces, UTF-8). ``Hasher`` computes it for many bodies that share parts, and
gives the canonical text of a stored body (what SQLite stores) with the same sharing."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


class Hasher:
    """``content_hash`` for many bodies that share parts (``build_body``'s memo): the
    canonical JSON of a shared top-level value is computed once and spliced in where a
    placeholder (a random string no body can contain) stands. The digest is the very same
    as ``content_hash``'s, so stored hashes stay valid across versions of this code."""

    SHARED = ("playlists", "media")

    def __init__(self) -> None:
        self._parts: dict[int, tuple[Any, str]] = {}
        token = secrets.token_hex(16)
        self._marks = {key: f"pano-part-{token}-{key}" for key in self.SHARED}

    def _part(self, value: Any) -> str:
        hit = self._parts.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        text = canonical(value)
        self._parts[id(value)] = (value, text)  # keeps value alive: ids stay unique
        return text

    def text(self, body: dict[str, Any]) -> str:
        """``canonical(body)``, its shared parts encoded once per ``Hasher``."""
        shared = [key for key in self.SHARED if key in body]
        text = canonical({**body, **{key: self._marks[key] for key in shared}})
        for key in shared:
            text = text.replace(f'"{self._marks[key]}"', self._part(body[key]), 1)
        return text

    def digest(self, body: dict[str, Any]) -> str:
        return hashlib.sha256(self.text(body).encode("utf-8")).hexdigest()
