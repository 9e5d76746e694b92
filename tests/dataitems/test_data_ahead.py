"""A new snapshot's data slides are drawn by the job worker before the snapshot is
stored (controller/dataslides/ahead.py): the poller, with the publisher's link to the
worker, asks for them and waits in its own thread, so the rebuild that follows the
change finds every slide drawn and asks the worker for nothing. Real feed server, real
SQLite, real store; the worker's real ``make_files`` draws."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dataitems.sample import REPO, TEMPLATES
from sources.conftest import ALLOWED, T0, Db
from sources.feed_server import FeedServer
from sqlalchemy import select

from controller.content.sites_import import import_sites
from controller.dataslides.items import resolve_data_items
from controller.dataslides.templates import import_templates
from controller.jobs.context import JobContext
from controller.jobs.renders import Renderer, make_files
from controller.media.store import MediaStore
from controller.models import APPROVED, Playlist, PlaylistVersion, RenderedSlide, ScreenTimeline
from controller.sources.polling import refresh
from controller.timeline.publisher import TimelinePublisher
from controller.zones.declarations import import_layouts

HALL = "a-dot-entry-hall"  # vi, lo, en; alternate
WELCOME = {"id": "welcome", "type": "text", "duration": 10.0, "variants": {
    "vi": {"title": "Chào mừng", "body": None, "media": None, "url": None},
    "lo": {"title": "ຍິນດີຕ້ອນຮັບ", "body": None, "media": None, "url": None},
    "en": {"title": "Welcome", "body": None, "media": None, "url": None}}}


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def db(tmp_path: Path, feeds: FeedServer) -> Iterator[Db]:
    made = Db(tmp_path)
    with made.sessions() as session:
        import_layouts(session, REPO / "config" / "layouts.yaml")  # named by sites.yaml
        import_sites(session, REPO / "config" / "sites.yaml")
        import_templates(session, TEMPLATES)
        session.commit()
    made.declare({"id": "phu-bai-arrivals", "kind": "json", "url": feeds.url("/board.json"),
                  "records": "arrivals", "stale_after": 600})
    with made.sessions() as session:
        items = [dict(WELCOME), {"id": "board", "type": "data", "source": "phu-bai-arrivals",
                                 "template": "arrivals-board", "duration": 20.0, "title": {},
                                 "fallback": {"item": "welcome"}, "variants": {}}]
        resolve_data_items(session, "test", items)
        session.add(Playlist(id="border-welcome", title_vi="Chào", title_en="Welcome",
                             current_version=1))
        session.add(PlaylistVersion(playlist_id="border-welcome", number=1, items=items,
                                    content_hash=hashlib.sha256(repr(items).encode())
                                    .hexdigest(), state=APPROVED, source="test"))
        session.commit()
    yield made
    made.engine.dispose()


class Worker:
    """The job queue with a worker that draws at once (the real ``make_files``)."""

    def __init__(self, context: JobContext) -> None:
        self.context = context
        self.asked: list[tuple] = []

    def __call__(self, requests: list[tuple], deadline: float) -> None:
        self.asked += requests
        make_files(self.context, requests, deadline)


class Idle:
    """The job queue with nobody drawing: what a rebuild asks is only recorded."""

    def __init__(self) -> None:
        self.asked: list[tuple] = []

    def __call__(self, requests: list[tuple], deadline: float) -> None:
        self.asked += requests


def test_a_new_snapshots_slides_are_drawn_before_it_is_stored(db: Db) -> None:
    assert ALLOWED[0] == "127.0.0.1"
    store = MediaStore(db.dir / "media")
    worker = Worker(JobContext(db.settings, db.engine, db.sessions, store))
    renderer = Renderer(worker, db.sessions, sleep=time.sleep, wait=30)
    assert refresh(db.settings, db.sessions, "phu-bai-arrivals", lambda: T0,
                   renderer=lambda: renderer)
    drawn = [r for r in worker.asked if r[0] == "dataslide"]
    assert drawn  # asked of the worker, once per kind of screen showing the source
    with db.sessions() as session:
        keys = set(session.scalars(select(RenderedSlide.input_hash)))
    assert {r[1] for r in drawn} <= keys

    # The rebuild after the change: a serving process whose worker draws nothing.
    idle = Idle()
    publisher = TimelinePublisher(None, 15, clock=lambda: T0, store=store,
                                  base_url="https://pano.example")
    publisher.renderer = Renderer(idle, db.sessions, sleep=lambda _: None, wait=0)
    with db.sessions() as session:
        publisher.rebuild(session)
        body = session.scalar(select(ScreenTimeline.body)
                              .where(ScreenTimeline.screen_id == HALL))
    assert not [r for r in idle.asked if r[0] == "dataslide"], idle.asked
    item = next(i for p in body["playlists"].values() for i in p["items"]
                if i["id"] == "board")
    assert set(item["slides"]) == {"vi", "lo", "en"}
    assert all(store.exists(sha) for sha in item["slides"].values())

    # Polled again, the same records: nothing is asked of the worker.
    before = len(worker.asked)
    refresh(db.settings, db.sessions, "phu-bai-arrivals", lambda: T0,
            renderer=lambda: renderer)
    assert len(worker.asked) == before
