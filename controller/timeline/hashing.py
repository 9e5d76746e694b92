"""A timeline's content hash (``content_hash``): SHA-256 of its canonical JSON (sorted
keys, no spaces, UTF-8). ``Hasher`` computes it for many bodies that share parts, and
gives the canonical text of a stored body (what SQLite stores) with the same sharing."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from controller.timeline.by_identity import ByIdentity

# One encoder for every call: ``json.dumps`` with these options builds a new encoder each
# time, which cost more than encoding the small values most calls get (a rebuild of 500
# screens encodes about 11 000 of them). Same text as ``json.dumps`` with the options.
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
TOP_OWN = ("screen", "display")  # what a stamped body holds of its own (``alike.stamp``)


def canonical(value: Any) -> str:
    return _ENCODE(value)


def content_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


class Hasher:
    """``content_hash`` for many bodies that share parts (``build_body``'s memo, screens
    alike: ``controller.timeline.alike``): the canonical JSON of a body is joined from
    its top-level members, and ``display`` from its own, each list or dict encoded once
    per ``Hasher`` however many bodies hold that very object (the playlists and media
    parts, the segments of screens alike) — so the text is the very same as
    ``canonical``'s and stored hashes stay valid across versions of this code. The
    members also give the stored body's text (``stamped``) with its version and time
    added, without encoding the body again.

    A value is recognised by identity and kept alive while the ``Hasher`` lives (one
    rebuild), so its id is never another's; nothing may change a body once hashed."""

    OWN = ("screen", "name")  # a screen's own: never shared, never kept

    def __init__(self) -> None:
        self._parts: ByIdentity[str] = ByIdentity()  # a list or dict -> its text
        self._keys: dict[str, str] = {}
        # Playlists part -> the last body hashed with it and that body's member texts.
        self._last: ByIdentity[tuple[dict[str, Any], dict[str, str]]] = ByIdentity()

    def _part(self, value: Any) -> str:
        return self._parts.of(value, canonical)

    def _member(self, key: str, value: Any) -> str:
        name = self._keys.get(key)
        if name is None:
            name = self._keys[key] = f"{canonical(key)}:"
        if key == "display" and type(value) is dict:
            return name + self.join({k: self._member(k, v) for k, v in value.items()})
        if key in self.OWN or not isinstance(value, (dict, list)):
            return name + canonical(value)
        return name + self._part(value)

    def members(self, body: dict[str, Any]) -> dict[str, str]:
        """Each top-level key's ``"key":value`` text (canonical). A body whose other
        members are the very objects of the last body hashed with the same playlists
        part (a screen alike) reuses that one's texts but for the screen's own."""
        anchor = body.get("playlists")
        last = self._last.get(anchor)
        if last is not None:
            like, texts = last
            if like.keys() == body.keys() and all(
                    body[key] is value for key, value in like.items() if key not in TOP_OWN):
                return {**texts, **{key: self._member(key, body[key])
                                    for key in TOP_OWN if key in body}}
        texts = {key: self._member(key, value) for key, value in body.items()}
        self._last.put(anchor, (body, texts))
        return texts

    @staticmethod
    def join(members: dict[str, str]) -> str:
        return "{" + ",".join(members[key] for key in sorted(members)) + "}"

    def digest(self, body: dict[str, Any]) -> str:
        return self.digest_of(self.members(body))

    def digest_of(self, members: dict[str, str]) -> str:
        return hashlib.sha256(self.join(members).encode("utf-8")).hexdigest()

    def stamped(self, members: dict[str, str], **stamps: Any) -> str:
        """``canonical({**body, **stamps})`` from the body's ``members``."""
        return self.join({**members, **{key: f"{canonical(key)}:{canonical(value)}"
                                        for key, value in stamps.items()}})
