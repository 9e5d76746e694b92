"""A value computed once per object, recognised by identity rather than equality: the
parts that many bodies of one rebuild hold as the very same object (a playlists or
media part, the body of screens alike), whose encoding, file set or digest would cost
more to compare than to look up (``controller.timeline.hashing``, ``dependencies``,
``media_access``). Each object is kept alive while the memo lives — one rebuild, or one
call — so its id is never another object's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class ByIdentity(Generic[V]):
    def __init__(self) -> None:
        self._seen: dict[int, tuple[Any, V]] = {}

    def get(self, obj: Any) -> V | None:
        hit = self._seen.get(id(obj))
        return hit[1] if hit is not None and hit[0] is obj else None

    def put(self, obj: Any, value: V) -> V:
        self._seen[id(obj)] = (obj, value)
        return value

    def of(self, obj: Any, make: Callable[[Any], V]) -> V:
        """``make(obj)``, computed at the first ask for this very object."""
        hit = self._seen.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        return self.put(obj, make(obj))
