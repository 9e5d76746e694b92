"""Which file a screen gets for an image: the rendition for its resolution, chosen
for one timeline rebuild (docs/media.md, "Renditions"). Used by the publisher and the
preview, which build timelines the same way."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.db import in_chunks
from controller.media.renditions import (
    OriginalMissing,
    RenditionError,
    rendition_for,
    target_box,
)
from controller.media.store import MediaStore
from controller.models import Media, Rendition
from controller.timeline.builder import MediaFacts

log = logging.getLogger("pano.timeline")
_RENDITIONS = (select(Rendition.media_sha256, Rendition.target, Rendition.rendition_sha256,
                      Media.size, Media.mime)
               .join(Media, Media.sha256 == Rendition.rendition_sha256))


class RenditionChooser:
    """The builder's ``choose_media`` for one rebuild (docs/media.md, "Renditions"): an
    image variant gets the rendition for the screen's ``WxH``, loaded with the rebuild's
    other inputs (one query) or made now if missing (``make``, with a ``store``); other
    media keep their original. A rendition that cannot be made (corrupt file) is logged
    and its item left out for that target; a missing original is kept (the player
    reports it missing). Each (media, target) is decided once per rebuild."""

    def __init__(self, session: Session, store: MediaStore | None,
                 originals: dict[str, tuple[MediaFacts, str]], make: bool = True,
                 reported: set[tuple[str, str]] | None = None,
                 missing: list[tuple[Any, ...]] | None = None) -> None:
        self._session = session
        self._missing = missing  # given: the job worker makes them, the original stands in
        self._store = store
        self._originals = originals  # sha256 -> (facts, kind)
        self._make = make and store is not None
        self._reported = reported if reported is not None else set()
        self._chosen: dict[tuple[str, str], tuple[str, MediaFacts | None] | None] = {}
        self._gaps: set[tuple[str, str]] = set()  # left to the job worker
        images = sorted(sha for sha, (_, kind) in originals.items() if kind == "image")
        # The stored renditions of these images with their files' facts: one Core query
        # (ORM rows of every rendition, then the files', took 6 % of a rebuild).
        self._rows: dict[tuple[str, str], str] = {}
        self._facts: dict[str, MediaFacts] = {}
        for chunk in in_chunks(images):
            for original, target, file, size, mime in session.execute(_RENDITIONS.where(
                    Rendition.media_sha256.in_(chunk))):
                self._rows[(original, target)] = file
                self._facts[file] = MediaFacts(size=size, mime=mime)

    def __call__(self, sha: str, target: str) -> tuple[str, MediaFacts | None] | None:
        key = (sha, target)
        if key not in self._chosen:
            self._chosen[key] = self._choose(sha, target)
        elif key in self._gaps and self._missing is not None:
            # Asked again: the request again, so the publisher knows which screens
            # wait for it (the job worker's ``Renderer.make`` asks once).
            self._missing.append(("rendition", sha, target))
        return self._chosen[key]

    def _choose(self, sha: str, target: str) -> tuple[str, MediaFacts | None] | None:
        original = self._originals.get(sha)
        if original is None:
            return sha, None
        facts, kind = original
        if kind != "image":
            return sha, facts
        file = self._rows.get((sha, target))
        if file is not None and file in self._facts and (
                self._store is None or self._store.exists(file)):
            return file, self._facts[file]
        if not self._make or self._store is None or not _valid_target(target):
            return sha, facts
        if self._missing is not None:
            self._missing.append(("rendition", sha, target))
            self._gaps.add((sha, target))
            return sha, facts
        try:
            made = self._make_now(sha, target)
        except OriginalMissing as err:
            self._report(sha, target, "%s; the original is listed", err)
            return sha, facts
        except RenditionError as err:
            self._report(sha, target, "no %s rendition of media %s: %s; its items are "
                         "left out of the timelines of %s screens", target, sha[:12], err,
                         target)
            return None
        return made if made is not None else (sha, facts)

    def _make_now(self, sha: str, target: str) -> tuple[str, MediaFacts] | None:
        # In a session of its own, committed at once: the rebuild's transaction does not
        # hold the database's write lock while the next image is decoded and scaled, and
        # a rebuild that starts over (a lost race) keeps what was made.
        assert self._store is not None
        with Session(bind=self._session.get_bind(), expire_on_commit=False) as side:
            row = rendition_for(side, self._store, sha, target)
            media = side.get(Media, row.rendition_sha256) if row is not None else None
            side.commit()
            if row is None or media is None:
                return None
            return row.rendition_sha256, MediaFacts(size=media.size, mime=media.mime)

    def _report(self, sha: str, target: str, message: str, *args: Any) -> None:
        # Warn once per publisher (process) and (media, target), not at every rebuild.
        level = logging.DEBUG if (sha, target) in self._reported else logging.WARNING
        self._reported.add((sha, target))
        log.log(level, message, *args)


def _valid_target(target: str) -> bool:
    try:
        target_box(target)
    except ValueError:  # a screen without a usable resolution: originals
        return False
    return True
