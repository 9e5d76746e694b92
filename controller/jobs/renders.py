"""Slides (text and data), QR badges and renditions a rebuild needs, drawn by the job
worker instead of the serving process (issue 10: a rebuild that drew them stalled every
socket).

A rebuild in the serving process collects what is missing (``SlideMaker`` and
``RenditionChooser`` of ``controller.timeline.rendition_choice`` given a ``missing``
list) and hands it to :class:`Renderer`: one
queued task with every request, then a bounded, cooperative wait (``WAIT``) until the
files' rows exist, so the first push still carries them. When the worker is late, the
rebuild goes on without them (the item without slides, the original picture, as for a
slide that cannot be drawn); the worker bumps the change counter when it made anything
after the rebuild stopped waiting (``deadline``, wall-clock time, with a second's
margin), so a later rebuild includes it, and a rebuild that got its files is not
followed by a second one for nothing. A request is sent once per process: one that
cannot be drawn (the worker logs why) is not waited for again.

In the worker, :func:`make_files` draws each file in a session of its own, committed at
once (the SQLite rule, ``controller/jobs/__init__.py``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from controller import changes
from controller.jobs.context import JobContext
from controller.models import RenderedSlide, Rendition

log = logging.getLogger("pano.jobs")

WAIT = 10.0  # seconds a rebuild waits for the worker's files
POLL = 0.1
LATE_MARGIN = 1.0  # seconds: finished this close to the deadline counts as late
REMEMBERED = 20_000  # requests remembered as sent, per process
# ("slide", key, SlideSpec) | ("badge", key, BadgeSpec) | ("rendition", media sha, target)
# | ("dataslide", key, DataSlideSpec) (a data item's table: controller/dataslides/stored.py)
Request = tuple[Any, ...]


def _identity(request: Request) -> tuple[str, ...]:
    return (request[0], request[1], request[2]) if request[0] == "rendition" else (
        request[0], request[1])


def make_files(ctx: JobContext, requests: Sequence[Request], deadline: float) -> int:
    """Draw and store what is asked (worker side); bump the change counter when anything
    was made after the rebuild's ``deadline`` (``time.time()``). Returns how many files
    were made."""
    from controller.dataslides.stored import data_slide_media
    from controller.media.renditions import rendition_for
    from controller.slides.badge import badge_media
    from controller.slides.cache import slide_media

    made = 0
    shas: dict[str, None] = {}  # the files made, for the change log's media scopes
    for request in requests:
        try:
            with ctx.sessions() as session:
                if request[0] == "slide":
                    sha = slide_media(session, ctx.store, request[2]).sha256
                elif request[0] == "badge":
                    sha = badge_media(session, ctx.store, request[2]).sha256
                elif request[0] == "dataslide":  # controller/dataslides/stored.py
                    sha = data_slide_media(session, ctx.store, request[2]).sha256
                else:
                    row = rendition_for(session, ctx.store, request[1], request[2])
                    sha = row.rendition_sha256 if row is not None else request[1]
                session.commit()
            made += 1
            shas[sha] = None
        except Exception as err:  # noqa: BLE001 - one file never stops the others
            log.warning("cannot make %s %s: %s", request[0], str(request[1])[:16], err)
    if made and time.time() > deadline - LATE_MARGIN:
        with ctx.sessions() as session:
            # A rebuild that did not wait for them includes them: the screens that name
            # these files or were built while one was missing (controller.changes).
            changes.bump(session, *(changes.Scope("media", sha) for sha in shas))
            session.commit()
    log.info("made %d of %d files for a rebuild", made, len(requests))
    return made


def present(session: Session, requests: Sequence[Request]) -> bool:
    """Whether every requested file's row exists."""
    keys = {r[1] for r in requests if r[0] in ("slide", "badge", "dataslide")}
    pairs = {(r[1], r[2]) for r in requests if r[0] == "rendition"}
    if keys and len(set(session.scalars(select(RenderedSlide.input_hash).where(
            RenderedSlide.input_hash.in_(sorted(keys)))))) < len(keys):
        return False
    if pairs:
        found = session.execute(select(Rendition.media_sha256, Rendition.target).where(
            tuple_(Rendition.media_sha256, Rendition.target).in_(sorted(pairs)))).all()
        if len(found) < len(pairs):
            return False
    return True


class Renderer:
    """The publisher's way to the worker's drawing (serving process)."""

    def __init__(self, send: Callable[[list[Request], float], Any],
                 sessions: sessionmaker[Session],
                 sleep: Callable[[float], Any], wait: float = WAIT) -> None:
        self.send = send
        self.sessions = sessions
        self.sleep = sleep
        self.wait = wait
        self.sent: set[tuple[str, ...]] = set()

    def ask_ahead(self, requests: Sequence[Request]) -> int:
        """Ask for files a version will need once approved (``controller.timeline.ahead``)
        without waiting. Not remembered as asked: a rebuild that still misses one asks
        again and waits, as for any other. The worker's change-counter bump when it is
        done (the deadline is now) rebuilds nothing unless a screen waits for one.
        Returns how many were asked."""
        if not requests:
            return 0
        try:
            self.send(list(requests), time.time())
        except Exception:  # noqa: BLE001 - the queue is down: the rebuild asks again
            log.exception("cannot ask the job worker ahead for %d files", len(requests))
            return 0
        return len(requests)

    def ask_and_wait(self, requests: Sequence[Request], wait: float | None = None) -> bool:
        """Ask for ``requests`` and wait (cooperatively, at most ``wait`` seconds, the
        renderer's own by default) until every file exists: the data-source poller's
        step before it stores a new snapshot (``controller.dataslides.ahead``), in its
        own thread. Not remembered as asked (a rebuild still missing one asks again).
        True when they all exist."""
        if not requests:
            return True
        wait = self.wait if wait is None else wait
        try:
            self.send(list(requests), time.time() + wait)
        except Exception:  # noqa: BLE001 - the queue is down: the rebuild asks again
            log.exception("cannot ask the job worker ahead for %d files", len(requests))
            return False
        deadline = time.monotonic() + wait
        while True:
            with self.sessions() as session:
                if present(session, requests):
                    return True
            if time.monotonic() >= deadline:
                return False
            self.sleep(POLL)

    def make(self, requests: Sequence[Request]) -> bool:
        """Ask for what was not asked before and wait for it: True when the rebuild
        should build again (something was asked), False otherwise."""
        new: dict[tuple[str, ...], Request] = {}
        for request in requests:
            identity = _identity(request)
            if identity not in self.sent:
                new.setdefault(identity, request)
        if not new:
            return False
        if len(self.sent) > REMEMBERED:
            self.sent.clear()
        self.sent |= set(new)
        try:
            self.send(list(new.values()), time.time() + self.wait)
        except Exception:  # noqa: BLE001 - the queue is down: the fallbacks stand
            log.exception("cannot ask the job worker for %d files", len(new))
            return False
        deadline = time.monotonic() + self.wait
        while time.monotonic() < deadline:
            self.sleep(POLL)
            with self.sessions() as session:
                if present(session, list(new.values())):
                    return True
        log.warning("the job worker did not make %d files within %.0f s; the timelines go "
                    "out without them and follow once they are made", len(new), self.wait)
        return True
