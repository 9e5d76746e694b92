"""Which drawn picture (slide, frame, caption overlay, QR badge) a rebuild names, by the
hash of what goes into it (``controller.timeline.slides.SlideMaker`` asks).

A picture is named once it exists: remembered from an earlier rebuild (the publisher's
``known``: input hash -> file, at most ``KNOWN_FILES``; a drawn picture's rows are never
deleted and the orphan sweep keeps a file any row names, so a hit needs no query, only
the file's presence, checked), else looked up (one Core query), else drawn here in a
session of its own (the CLI, tests), else — in the serving process, whose job worker
draws — asked of the worker (``missing``) and left out for now. Each picture is settled
once per rebuild; a screen that asks again for one left to the worker asks the worker
too, so the publisher knows every screen that waits for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from controller.media.store import MediaStore
from controller.models import Media, RenderedSlide
from controller.timeline.builder import MediaFacts

File = tuple[str, MediaFacts]
KNOWN_FILES = 20_000  # pictures a publisher remembers across rebuilds (~200 B each)
# A drawn picture's file and facts by its input hash: one Core query, about 60 µs a
# picture where the two ORM look-ups it replaced took 200 (measured on the bench's
# fleet, 7 December); a rebuild makes one per new picture of each group of screens.
_DRAWN = (select(Media.sha256, Media.size, Media.mime)
          .join(RenderedSlide, RenderedSlide.media_sha256 == Media.sha256)
          .where(RenderedSlide.input_hash == bindparam("key")))


class PictureFiles:
    """The pictures of one rebuild (or preview: ``make=False`` names what exists)."""

    def __init__(self, session: Session, store: MediaStore, make: bool,
                 missing: list[tuple[Any, ...]] | None, known: dict[str, File] | None,
                 report: Callable[..., None]) -> None:
        self._session = session
        self._store = store
        self._make = make
        self._missing = missing
        self._known = known if known is not None else {}
        self._report = report  # (key, message, *args): warns once per key
        self._files: dict[str, File | None] = {}
        self._gaps: set[str] = set()  # left to the job worker (``missing``)

    def name(self, key: str, media: dict[str, Any], make: Callable[[Session], Any],
             what: str, request: tuple[Any, ...]) -> str | None:
        """The SHA-256 of picture ``key`` (its facts added to ``media``), or None when it
        does not exist yet. ``make`` draws and stores it in a session; ``what`` names it
        in the log; ``request`` is what the job worker is asked."""
        if key not in self._files:
            self._files[key] = self._settle(key, make, what, request)
        elif key in self._gaps and self._missing is not None:
            self._missing.append(request)  # asked again: this screen waits for it too
        found = self._files[key]
        if found is None:
            return None
        sha, facts = found
        media[sha] = {"size": facts.size, "mime": facts.mime}
        return sha

    def _settle(self, key: str, make: Callable[[Session], Any], what: str,
                request: tuple[Any, ...]) -> File | None:
        known = self._known.get(key)
        if known is not None and self._store.exists(known[0]):
            return known
        found = self._session.execute(_DRAWN, {"key": key}).first()
        if found is not None and self._store.exists(found.sha256):
            if len(self._known) >= KNOWN_FILES:
                self._known.clear()  # bounded: a rebuild finds them again
            known = self._known[key] = (found.sha256,
                                        MediaFacts(size=found.size, mime=found.mime))
            return known
        if self._missing is not None:
            self._missing.append(request)  # the job worker draws it
            self._gaps.add(key)
            return None
        if not self._make:
            return None
        # Twice at most: another process (a second controller, the CLI) may store the
        # same picture between our look-up and our commit; drawing again finds its rows.
        for attempt in (1, 2):
            try:
                return self._make_once(make)
            except IntegrityError as err:
                if attempt == 1:
                    continue
                failure: Exception = err
            except Exception as err:  # noqa: BLE001 - one picture never stops a rebuild
                failure = err
            self._report(key, "%s cannot be drawn (the screen shows HTML instead): %s",
                         what, failure)
            return None
        return None

    def _make_once(self, make: Callable[[Session], Any]) -> File:
        with Session(bind=self._session.get_bind(), expire_on_commit=False) as side:
            made = make(side)
            side.commit()
            return made.sha256, MediaFacts(size=made.size, mime=made.mime)
