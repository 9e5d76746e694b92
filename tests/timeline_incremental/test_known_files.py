"""The pictures a publisher found in earlier rebuilds (``SlideMaker``'s ``known``): a
later rebuild names them without a query, and one whose file has gone from the store
(an SD card, a store restored without it) is not named again: it is looked up, found
missing and asked of the job worker, as on a first rebuild."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker
from timeline_incremental.conftest import Clock, Queue, store_of

from controller.jobs.context import JobContext
from controller.jobs.renders import Renderer, make_files
from controller.models import ScreenTimeline
from controller.timeline.publisher import TimelinePublisher

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
SCREEN = "x-00"  # shows welcome-hue: text items drawn as slides



def _slides(session: Session) -> dict[str, str]:
    body = session.scalar(select(ScreenTimeline.body)
                          .where(ScreenTimeline.screen_id == SCREEN))
    return {item["id"]: item["slides"]["*"] for playlist in body["playlists"].values()
            for item in playlist["items"] if "*" in (item.get("slides") or {})}


def test_a_picture_found_before_is_named_only_while_its_file_is_there(fleet) -> None:  # noqa: ANN001
    sessions: sessionmaker[Session] = fleet()
    store = store_of(sessions)
    queue = Queue()
    publisher = TimelinePublisher(None, 15, clock=Clock(NOW), store=store,
                                  base_url="https://pano.example.vn")
    publisher.renderer = Renderer(queue, sessions, sleep=lambda _: None, wait=0)
    with sessions() as session:
        publisher.rebuild(session, [SCREEN])
    context = JobContext(None, sessions.kw["bind"], sessions, store)  # type: ignore[arg-type]
    make_files(context, queue.sent, deadline=0)
    with sessions() as session:
        publisher.rebuild(session, [SCREEN])
        slides = _slides(session)
        assert slides  # drawn, found, remembered
        publisher.heartbeat_interval = 16  # every body changes: built again
        queue.sent.clear()
        looked_up: list[str] = []

        def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001
            if "rendered_slides" in statement:
                looked_up.append(statement)

        event.listen(sessions.kw["bind"], "before_cursor_execute", count)
        publisher.rebuild(session, [SCREEN])
        event.remove(sessions.kw["bind"], "before_cursor_execute", count)
        assert _slides(session) == slides and queue.sent == []
        assert looked_up == []  # named from memory: no query
        item, gone = sorted(slides.items())[0]
        store.path_for(gone).unlink()
        publisher.heartbeat_interval = 17
        publisher.rebuild(session, [SCREEN])
        after = _slides(session)
        assert item not in after  # not named without its file: the page shows the item
        assert publisher.index.get(SCREEN).incomplete  # waits for the job worker's file
