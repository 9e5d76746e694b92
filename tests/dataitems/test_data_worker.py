"""Data slides are drawn by the job worker, never in the serving process (issue 15):
a rebuild with a ``Renderer`` (the serving process) that finds a data slide missing asks
the worker for it as a ``("dataslide", key, spec)`` request and goes out with the item's
title alone; the worker's real ``make_files`` draws it, and the change-counter scopes of
the files made rebuild the screens that waited, now with the slide. Real SQLite, real
store, the real publisher, renderer step and worker step."""

from __future__ import annotations

from datetime import timedelta

from dataitems.test_data_timeline import HALL, T0, TERMINAL, _board, world  # noqa: F401
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from controller.changes import Scope
from controller.jobs.context import JobContext
from controller.jobs.renders import Renderer, make_files, present
from controller.models import RenderedSlide
from controller.timeline.publisher import TimelinePublisher


class Queue:
    """The job queue as the serving process sees it: requests sent, nobody drawing yet."""

    def __init__(self) -> None:
        self.sent: list[tuple] = []

    def __call__(self, requests: list[tuple], deadline: float) -> None:
        self.sent += requests


def test_a_rebuild_asks_the_worker_for_data_slides_and_draws_none(world) -> None:  # noqa: F811
    session, store = world
    sessions = sessionmaker(bind=session.get_bind(), expire_on_commit=False)
    now = T0 + timedelta(minutes=2)
    queue = Queue()
    publisher = TimelinePublisher(None, 15, clock=lambda: now, store=store,
                                  base_url="https://pano.example")
    publisher.renderer = Renderer(queue, sessions, sleep=lambda _: None, wait=0)
    publisher.rebuild(session)

    asked = [r for r in queue.sent if r[0] == "dataslide"]
    assert asked, queue.sent
    assert not present(session, asked)  # the serving process drew none of them
    _, item = _board(session, HALL)
    assert "slides" not in item and item["variants"]["vi"]["title"] == "Chuyến bay đến"
    waiting = {sid for sid, deps in publisher.index.items() if deps.incomplete}
    assert {HALL, TERMINAL} <= waiting

    context = JobContext(None, session.get_bind(), sessions, store)  # type: ignore[arg-type]
    done = 0
    for _ in range(4):  # the worker draws; what waited is rebuilt (text slides of an
        # alternate screen are asked a language at a time: a few rounds)
        asked_now, done = queue.sent[done:], len(queue.sent)
        if not asked_now:
            break
        assert make_files(context, asked_now, deadline=0) == len(
            {(r[0], r[1]) for r in asked_now})
        shas = sorted(session.scalars(select(RenderedSlide.media_sha256)))
        publisher.rebuild_for(session, [Scope("media", sha) for sha in shas])
    body, item = _board(session, HALL)
    assert set(item["slides"]) == {"vi", "lo", "en"}  # alternate: a slide per language
    for sha in item["slides"].values():
        assert sha in body["media"]
        with Image.open(store.path_for(sha)) as image:
            assert image.size == (1920, 1080)
    _, item = _board(session, TERMINAL)
    assert set(item["slides"]) == {"*"}
    shown = {sid: deps for sid, deps in publisher.index.items() if sid in (HALL, TERMINAL)}
    assert shown and not any(deps.incomplete for deps in shown.values())
