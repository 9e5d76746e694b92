"""Polling the data sources: :func:`refresh` (one source, now) and :class:`SourcePoller`
(every source at its ``every``, on the elected leader only: ``controller.server`` adds
its job to the leader's APScheduler beside the alerts' and stops it when the lease is
lost, so several controller processes never poll a feed twice).

Where the work runs, and why there. A fetch is mostly waiting on a remote server (up to
the source's deadline, two minutes at most); parsing and the database writes are short
but blocking. So:

- each due source is fetched in a thread of the poller's own pool (``FETCHERS``
  threads), never in APScheduler's tick and never in a request of a player: one slow or
  hanging source holds one thread, the others go on. In gevent mode those threads are
  greenlets and ``requests`` uses the patched sockets, so the waiting costs the event
  loop nothing;
- the parsing and the writes go through ``controller.off_loop`` (pool ``sources``): in
  gevent mode they run in real threads while the players' sockets go on, in threading
  mode at most ``OFF_LOOP`` at once;
- not the job queue (``controller/jobs/``): a poll is neither heavy nor asked for by a
  person who waits for progress, and a queue in front of it would add a second place
  where a poll can be late or lost. The source's own row says when it is due.

A source is due when its last attempt is ``every`` seconds old (or it never had one); the
attempt is written first, so a source that hangs is not started again while its fetch
is running (the poller also remembers what it is running)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from controller.models import DataSource, DataSourceState, utcnow
from controller.off_loop import run_off_loop
from controller.refusals import Refusal, refusal
from controller.sources import snapshots
from controller.sources.fetch import Fetched, FetchFailed, fetch
from controller.sources.parsing import parse
from controller.sources.records import ParseFailed, Snapshot

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler
    from sqlalchemy.orm import Session, sessionmaker

    from controller.settings import Settings

log = logging.getLogger("pano.sources")

FETCHERS = 8  # sources fetched at once
OFF_LOOP = 2  # parses and writes at once
TICK = 5.0  # seconds between looks for due sources
Clock = Callable[[], datetime]
RendererOf = Callable[[], Any]  # the publisher's Renderer, or None (no job worker yet)


@dataclass(frozen=True)
class _Attempt:
    id: str
    kind: str
    url: str
    timeout: float
    deadline: float
    max_bytes: int
    options: dict[str, Any]
    etag: str | None
    last_modified: str | None


def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    return value


def refresh(settings: Settings, sessions: sessionmaker[Session], source_id: str,
            clock: Clock = utcnow, renderer: RendererOf | None = None) -> bool:
    """Fetch ``source_id`` now and store the outcome; False when there is no such
    source. Never raises for what the source sent (the status says it). With a
    ``renderer`` (the serving process's job-worker link, the poller's) a snapshot whose
    records changed has its data slides drawn by the worker before it is stored
    (``controller.dataslides.ahead``), so the push that follows does not wait."""
    attempt = run_off_loop("sources", OFF_LOOP, _begin, sessions, source_id, clock())
    if attempt is None:
        return False
    try:
        fetched = fetch(attempt.url, domains=settings.source_allowed_domains,
                        timeout=attempt.timeout, deadline=attempt.deadline,
                        max_bytes=attempt.max_bytes, etag=attempt.etag,
                        last_modified=attempt.last_modified)
    except FetchFailed as exc:
        log.info("source %s: %s", source_id, exc.message)
        run_off_loop("sources", OFF_LOOP, _store, settings, sessions, attempt,
                     exc.message, clock())
        return True
    now = clock()
    outcome: Fetched | str | Parsed | CapFetched = fetched
    if not fetched.not_modified and attempt.kind == "cap":
        outcome = CapFetched(fetched, _linked_alerts(settings, attempt, fetched))
        now = clock()
    elif not fetched.not_modified:
        outcome = run_off_loop("sources", OFF_LOOP, _parse, attempt, fetched, now)
        if isinstance(outcome, Parsed):
            _draw_ahead(sessions, renderer() if renderer is not None else None,
                        attempt, outcome, now)
    run_off_loop("sources", OFF_LOOP, _store, settings, sessions, attempt, outcome, now)
    return True


@dataclass(frozen=True)
class Parsed:
    """A good answer read into records (or the sentence why it could not be)."""

    fetched: Fetched
    snapshot: Snapshot | None
    error: Refusal | None = None


@dataclass(frozen=True)
class CapFetched:
    """A CAP feed and the alerts its entries link to, fetched (controller.cap.linked)."""

    fetched: Fetched
    linked: list[Any]


def _linked_alerts(settings: Settings, attempt: _Attempt, fetched: Fetched) -> list[Any]:
    """Fetch what the feed's entries link to, in this fetcher's thread (the network
    waits hold no database session): within the source's timeout, size and deadline."""
    from controller.cap.linked import fetch_linked, links_in

    links, _more = links_in(fetched.body)
    if not links:
        return []
    return fetch_linked(links, source_id=attempt.id, domains=settings.source_allowed_domains,
                        timeout=attempt.timeout, deadline=attempt.deadline,
                        max_bytes=attempt.max_bytes, base=fetched.url)


def _parse(attempt: _Attempt, fetched: Fetched, now: datetime) -> Parsed:
    try:
        return Parsed(fetched, parse(attempt.kind, fetched.body, attempt.options, now))
    except ParseFailed as exc:
        log.info("source %s: %s", attempt.id, exc.message)
        return Parsed(fetched, None, exc.message)


def _draw_ahead(sessions: sessionmaker[Session], renderer: Any, attempt: _Attempt,
                parsed: Parsed, now: datetime) -> None:
    """Ask the job worker for the slides of a changed snapshot and wait for them (in
    this fetcher's thread), before the snapshot is stored."""
    if renderer is None or parsed.snapshot is None:
        return
    from controller.dataslides.ahead import snapshot_requests

    snapshot = parsed.snapshot

    def requests() -> list[Any]:
        with sessions() as session:
            state = session.get(DataSourceState, attempt.id)
            if state is not None and state.digest == snapshots.digest(snapshot.records):
                return []  # the same records: no change, nothing to draw
            return snapshot_requests(session, attempt.id, snapshot.records,
                                     snapshot.source_updated_at or now)

    try:
        asked = run_off_loop("sources", OFF_LOOP, requests)
        if asked and not renderer.ask_and_wait(asked):
            log.info("source %s: the job worker did not draw %d data slides in time; the "
                     "rebuild asks again", attempt.id, len(asked))
    except Exception:  # noqa: BLE001 - drawing ahead is an optimisation only
        log.exception("source %s: asking for data slides ahead failed", attempt.id)


def _begin(sessions: sessionmaker[Session], source_id: str, now: datetime) -> _Attempt | None:
    with sessions() as session:
        source = session.get(DataSource, source_id)
        if source is None:
            return None
        state = snapshots.state_of(session, source)
        state.last_attempt_at = now
        # Validators only with data to keep: a 304 must have a snapshot to confirm.
        cached = state.records is not None or (source.kind == "cap" and
                                               state.fetched_at is not None)
        attempt = _Attempt(source.id, source.kind, source.url, source.timeout_s,
                           float((source.options or {}).get("deadline") or
                                 3 * source.timeout_s),
                           source.max_bytes, dict(source.options or {}),
                           state.etag if cached else None,
                           state.last_modified if cached else None)
        session.commit()
        return attempt


def _store(settings: Settings, sessions: sessionmaker[Session], attempt: _Attempt,
           outcome: Fetched | Parsed | CapFetched | str, now: datetime) -> None:
    with sessions() as session:
        source = session.get(DataSource, attempt.id)
        if source is None or (source.kind, source.url) != (attempt.kind, attempt.url):
            return  # removed or re-declared meanwhile: this outcome describes nothing
        if isinstance(outcome, str):
            snapshots.store_failure(session, source, now, outcome)
        elif isinstance(outcome, Fetched) and outcome.not_modified:
            snapshots.store_confirmed(session, source, now, outcome.etag,
                                      outcome.last_modified)
        elif source.kind == "cap" and isinstance(outcome, CapFetched):
            _ingest(settings, session, source, outcome.fetched, now, outcome.linked)
        else:
            parsed = outcome if isinstance(outcome, Parsed) else _parse(attempt, outcome, now)
            if parsed.snapshot is not None:
                _note_lacking_fields(session, source.id, parsed.snapshot)
            if parsed.snapshot is None:
                snapshots.store_failure(session, source, now, parsed.error or "?")
            elif snapshots.store_snapshot(session, source, parsed.snapshot, now=now,
                                          size=len(parsed.fetched.body),
                                          etag=parsed.fetched.etag,
                                          last_modified=parsed.fetched.last_modified):
                log.info("source %s: %d records, changed", source.id,
                         len(parsed.snapshot.records))
        session.commit()


def _note_lacking_fields(session: Session, source_id: str, snapshot: Snapshot) -> None:
    """Add to the snapshot's note the fields its data items' templates show and no
    record has (``controller.dataslides.fields``)."""
    from controller.dataslides.fields import fields_lacking

    lacking = fields_lacking(session, source_id, snapshot.records)
    if lacking is not None:
        snapshot.note = lacking if snapshot.note is None else refusal(
            "%(first)s %(second)s", first=snapshot.note, second=lacking)


def _ingest(settings: Settings, session: Session, source: DataSource, fetched: Fetched,
            now: datetime, linked: list[Any]) -> None:
    """Hand a CAP feed to ``controller.cap.feed.ingest_feed`` (with the deployment's
    languages and QR allowlist); its result sentence is the status. A failing ingestion
    is rolled back whole and recorded as the error."""
    from controller.cap.feed import ingest_feed

    source_id = source.id
    try:
        result = ingest_feed(session, source_id, fetched.body, now, settings=settings,
                             linked=linked)
    except Exception as exc:
        session.rollback()
        log.exception("source %s: the CAP ingestion failed", source_id)
        source = session.get(DataSource, source_id)  # type: ignore[assignment]
        if source is not None:
            snapshots.store_failure(session, source, now, refusal(
                "the CAP ingestion failed (%(why)s)", why=str(exc)[:200]))
        return
    if getattr(result, "ok", True):
        snapshots.store_ingested(session, source, now, len(fetched.body), str(result),
                                 fetched.etag, fetched.last_modified)
    else:
        snapshots.store_failure(session, source, now, str(result))


class SourcePoller:
    """Starts each due source's :func:`refresh` in its own pool (see the module's
    docstring); :meth:`tick` is the periodic job."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session],
                 clock: Clock = utcnow, fetchers: int = FETCHERS,
                 renderer: RendererOf | None = None) -> None:
        self.settings, self.sessions, self.clock = settings, sessions, clock
        self.renderer = renderer
        self._pool = ThreadPoolExecutor(max_workers=fetchers,
                                        thread_name_prefix="pano-source")
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self._stopped = False

    def due(self, now: datetime) -> list[str]:
        """The sources whose next poll is due at ``now``, in the file's order."""
        with self.sessions() as session:
            rows = session.execute(
                select(DataSource.id, DataSource.every_s, DataSourceState.last_attempt_at,
                       DataSource.options)
                .outerjoin(DataSourceState, DataSourceState.source_id == DataSource.id)
                .order_by(DataSource.position, DataSource.id)).all()
        return [source_id for source_id, every, last, options in rows
                if not (options or {}).get("disabled")  # disabled: kept, not fetched
                and (last is None or aware(last) + timedelta(seconds=every) <= now)]

    def tick(self) -> list[str]:
        """Start the due sources that are not running yet; returns their ids."""
        due = run_off_loop("sources", OFF_LOOP, self.due, self.clock())
        with self._lock:
            if self._stopped:
                return []
            started = [s for s in due if s not in self._running]
            self._running.update(started)
        for source_id in started:
            self._pool.submit(self._run, source_id)
        return started

    def running(self) -> set[str]:
        with self._lock:
            return set(self._running)

    def _run(self, source_id: str) -> None:
        try:
            refresh(self.settings, self.sessions, source_id, self.clock, self.renderer)
        except Exception:  # a database hiccup: the next tick tries again
            log.exception("source %s: the poll failed", source_id)
        finally:
            with self._lock:
                self._running.discard(source_id)

    def stop(self, wait: bool = False) -> None:
        with self._lock:
            self._stopped = True
        self._pool.shutdown(wait=wait, cancel_futures=True)


def add_source_jobs(scheduler: BaseScheduler, settings: Settings,
                    sessions: sessionmaker[Session],
                    renderer: RendererOf | None = None) -> SourcePoller:
    """The leader's poll job (``controller.server``); the caller stops the poller when
    the term ends. ``renderer`` gives the publisher's link to the job worker, so a new
    snapshot's data slides are drawn before it is stored."""
    poller = SourcePoller(settings, sessions, renderer=renderer)

    def tick() -> None:
        try:
            poller.tick()
        except Exception:  # the scheduler must keep going; the next tick tries again
            log.exception("data sources: looking for due sources failed")

    # The first look at once: a new leader brings stale sources up to date first thing.
    scheduler.add_job(tick, "interval", seconds=TICK, id="sources-poll", name="sources-poll",
                      coalesce=True, max_instances=1, misfire_grace_time=30,
                      next_run_time=datetime.now(UTC))
    return poller
