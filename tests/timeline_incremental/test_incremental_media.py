"""Files made late by the job worker: a rebuild that went out without a picture's
renditions (the original stands in) leaves its screens waiting; the worker's real
``make_files`` then makes them, and ``rebuild_for`` on the ``media:<sha>`` scopes of the
files made rebuilds those screens, and no other, to what a full rebuild would build."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from timeline_incremental import edits
from timeline_incremental.conftest import Clock, Queue, store_of

from controller.changes import Scope
from controller.jobs.context import JobContext
from controller.jobs.renders import Renderer, make_files
from controller.models import Rendition
from controller.timeline.publisher import TimelinePublisher

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)



def test_files_made_late_rebuild_the_screens_that_waited_for_them(fleet) -> None:  # noqa: ANN001
    sessions: sessionmaker[Session] = fleet()
    store = store_of(sessions)
    clock = Clock(NOW)
    queue = Queue()
    publisher = TimelinePublisher(None, 15, clock=clock, store=store)
    publisher.renderer = Renderer(queue, sessions, sleep=lambda _: None, wait=0)
    with sessions() as session:
        publisher.rebuild(session)  # the worker is late: originals stand in
        waiting = {sid for sid, deps in publisher.index.items() if deps.incomplete}
        assert queue.sent and waiting
        assert session.scalars(select(Rendition)).first() is None
        # An unrelated change meanwhile: the waiting screens are not built for it.
        before = publisher.screens_built
        publisher.rebuild_for(session, edits.set_default(session, "x-04", "welcome-hue"))
        assert publisher.screens_built - before == 1

    context = JobContext(None, sessions.kw["bind"], sessions, store)  # type: ignore[arg-type]
    assert make_files(context, queue.sent, deadline=0) == len(
        {(kind, sha, target) for kind, sha, target in queue.sent})
    with sessions() as session:
        made = sorted(session.scalars(select(Rendition.rendition_sha256)))
        scopes = [Scope("media", sha) for sha in made]
        before = publisher.screens_built
        changed = publisher.rebuild_for(session, scopes)
        built = publisher.screens_built - before
        assert changed and set(changed) <= waiting | {"x-04"}
        assert built == len(waiting | {"x-04"}) < 31  # x-04 waits too since its change
        assert not any(deps.incomplete for _, deps in publisher.index.items())
        check = TimelinePublisher(None, 15, clock=clock, store=store)
        assert check.rebuild(session) == []
        # Once nothing waits, a file named by no timeline rebuilds nothing.
        before = publisher.screens_built
        assert publisher.rebuild_for(session, [Scope("media", "0" * 64)]) == []
        assert publisher.screens_built == before
