"""The input hashes of slide and frame specs, remembered across rebuilds.

A picture is named by the SHA-256 of everything drawn into it
(``controller.slides.cache.input_hash``: the spec's canonical JSON, the fonts' hashes,
the layout engine's versions), about 100–300 µs a spec; every rebuild asks it again for
every item of every group of screens although a playlist version's items never change.
``SpecHashes`` keeps the hash by spec (a frozen dataclass: equal specs are the same
picture), at most ``LIMIT``, and forgets them all when the fonts' hashes change
(``begin``, once per load: a font file replaced on disk gives new pictures, as before).
A spec that cannot be a dict key is hashed each time."""

from __future__ import annotations

from typing import Any

from controller.slides import cache as slide_cache
from controller.slides import fonts

LIMIT = 20_000  # specs remembered (a spec and its hash: about 1 KB)


class SpecHashes:
    """Spec -> input hash, for one publisher (its rebuilds)."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._hashes: dict[Any, str] = {}
        self._fonts: dict[str, str] | None = None
        self.limit = limit

    def begin(self) -> None:
        """Before a load's slides: forget every hash if the fonts changed since."""
        digest = fonts.fonts_digest()
        if digest != self._fonts:
            self._hashes.clear()
            self._fonts = digest

    def of(self, spec: Any) -> str:
        try:
            known = self._hashes.get(spec)
        except TypeError:  # not hashable: no memory
            return slide_cache.input_hash(spec)
        if known is None:
            if len(self._hashes) >= self.limit:
                self._hashes.clear()  # bounded: the next asks hash again
            known = self._hashes[spec] = slide_cache.input_hash(spec)
        return known
