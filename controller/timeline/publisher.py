"""Build, store and push timelines.

``TimelinePublisher.rebuild`` computes every (or the given) screen's timeline, compares
its content hash with the stored one, and only for screens whose content changed bumps
``version``, stores the bodies (``controller.timeline.store``), commits and then emits
``timeline`` to the room ``screen:<id>`` in the ``/player`` namespace, a batch of screens
at a time (``controller.timeline.batches``), each committed before it is pushed:
the first screens (those with a socket here first) are pushed while the others are
still being built, and from ``SPLIT_LOAD_FROM`` screens before the others' inputs are
even loaded; the reverse index is updated after the push (docs/architecture.md "The
push path" says what each order guarantees). Screens that show the same playlists at
the same resolution share that part of their bodies (``controller.timeline.hashing``).
With a media store, image variants name the rendition for each screen's resolution
(``RenditionChooser``, docs/media.md "Renditions"); with a public ``base_url`` too, text
items and emergencies get rendered slides and links QR badges (``timeline.slides``).

``rebuild_for(scopes)`` is the entry after a change: it rebuilds only the screens the
change can reach (``controller.timeline.impact``), from the database's "now" and the
reverse index of what every screen's last build depended on
(``controller.timeline.dependencies``; docs/architecture.md "Incremental rebuilds").
After each commit the stored versions are noted for the acks (``stored_versions``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from controller.changes import Scope, latest_id
from controller.emergencies.store import active as active_emergencies
from controller.emergencies.store import aware
from controller.media.store import MediaStore
from controller.metrics.push_ack import PUSHES
from controller.metrics.registry import TIMELINE_REBUILD_SECONDS
from controller.models import Screen, ScreenTimeline
from controller.timeline.batches import FIRST_BATCH, batch_sizes, later_parts
from controller.timeline.builder import BuildInputs, build_body, iso_z
from controller.timeline.dependencies import DependencyIndex, DepsMaker
from controller.timeline.encoded_push import ROOM_PREFIX
from controller.timeline.give_way import sleep_zero
from controller.timeline.hashing import content_hash
from controller.timeline.impact import screens_for
from controller.timeline.inputs import Sources, load_inputs
from controller.timeline.push_timing import ChangeClock, Stages
from controller.timeline.rebuild_run import RebuildRun
from controller.timeline.spec_hashes import SpecHashes
from controller.timeline.store import LostRace, Row, store_batch
from controller.timeline.stored_versions import KNOWN, stored_heads

__all__ = ["NAMESPACE", "TimelinePublisher", "content_hash", "room_for"]

log = logging.getLogger("pano.timeline")

NAMESPACE = "/player"
# Seconds between checks of every stored version (a scan: 13 ms at 5000 screens, before
# the first push): in idle passes, in a change's only when none ran for VERIFY_LONGEST.
VERIFY_INTERVAL, VERIFY_LONGEST = 10.0, 60.0
# From this many screens the first batch's inputs are loaded before the others' (two
# loads cost about 2 ms more than one; one of 500 screens' inputs, 12-18 ms).
SPLIT_LOAD_FROM = 128
# Bodies built between two cooperative yields: the acks of the batches pushed (and any
# other request) are answered while a large batch is built, not after it.
YIELD_EVERY = 32

Built = tuple[BuildInputs, dict[str, Any], bool]  # inputs, body, built with a file missing


def room_for(screen_id: str) -> str:
    return ROOM_PREFIX + screen_id


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _first(inputs: list[BuildInputs], first: set[str]) -> list[BuildInputs]:
    """``inputs`` with those of the screens in ``first`` first, each part in its order."""
    return sorted(inputs, key=lambda item: item.screen.id not in first) if first else inputs


class TimelinePublisher:
    """Owns the rule "push only what changed". ``emit`` is ``SocketIO.emit`` (or any
    callable with its signature); None builds and stores without pushing."""

    def __init__(self, emit: Callable[..., Any] | None, heartbeat_interval: float,
                 clock: Callable[[], datetime] = _utcnow,
                 store: MediaStore | None = None, base_url: str | None = None) -> None:
        self._emit = emit
        # Set by the app (encoded_push.py): pushes a body's JSON text as it is; None, or
        # False from it: the body is emitted. Its ``connected_screens`` are built first.
        self.push_text: Callable[[str, str, str], bool] | None = None
        # With a store and the public ``base_url``: slides and QR badges (``SlideMaker``).
        self.base_url = base_url
        self._slides_reported: set[str] = set()
        self._slide_files: dict[str, Any] = {}  # pictures found (``SlideMaker``'s known)
        self._spec_hashes = SpecHashes()  # and the slides' input hashes, renditions' originals
        self._originals: dict[str, str] = {}
        # With a media store, image variants get the rendition for each screen's size.
        self.store = store
        self._reported: set[tuple[str, str]] = set()
        self.heartbeat_interval = heartbeat_interval
        self.clock = clock
        # The job worker's (jobs/renders.py): slides, badges, renditions are drawn there.
        self.renderer: Any = None
        # One rebuild at a time in this process (watcher, scheduler, first connects).
        self._lock = threading.Lock()
        # When the earliest emergency seen by the last rebuild ends: a rebuild is due.
        self.next_expiry: datetime | None = None
        # What each screen's last build depended on (``rebuild_for``); timelines built.
        self.index = DependencyIndex()
        self.screens_built = 0
        # Screens alike get one body, stamped with each one's id and name
        # (``controller.timeline.alike``); False builds each screen's (the tests' check).
        self.group_alike = True
        self.screens_stamped = 0  # bodies stamped from a screen alike's
        self._slugs: dict[int, str] = {}  # schedule id -> slug, of the last build
        # How often ``rebuild_for`` compares every stored version with the index's (a
        # screen another process stored is rebuilt): a scan, so at most this often.
        self.verify_interval, self.verify_longest = VERIFY_INTERVAL, VERIFY_LONGEST
        self._verified_at = float("-inf")
        # From how many screens a rebuild loads the first batch's inputs alone first, and
        # how many bodies it builds between two cooperative yields.
        self.split_load_from, self.yield_every = SPLIT_LOAD_FROM, YIELD_EVERY
        # When the change watcher was woken, for the wake -> first push histogram.
        self.change_clock = ChangeClock()
        # How the rebuild pauses for the sockets (``controller.timeline.give_way``).
        self.give_way: Callable[[], None] = sleep_zero

    def verify_due(self) -> bool:  # an idle pass's rebuild_for(session, []) checks then
        return self.index.complete and time.monotonic() - self._verified_at >= self.verify_interval

    def rebuild_due(self, now: datetime | None = None) -> bool:
        expiry = self.next_expiry
        return expiry is not None and (now or self.clock()) >= expiry

    # -- the public operations ----------------------------------------------------------
    def rebuild(self, session: Session, screen_ids: Iterable[str] | None = None,
                emit: bool = True) -> list[str]:
        """Rebuild timelines; store those whose content changed and push them, a batch
        at a time (each batch committed before it is pushed). Returns the ids of the
        screens whose timeline changed."""
        ids = None if screen_ids is None else sorted(set(screen_ids))
        return self._rebuild(session, ids, emit, Stages())

    def rebuild_for(self, session: Session, scopes: Iterable[Scope]) -> list[str]:
        """Rebuild the timelines that ``scopes`` (``controller.changes``) may touch, store
        and push those whose content changed (``controller.timeline.impact``): the
        screens the changed objects reach now and those their last timeline took from
        them, plus any screen whose emergencies ended or whose local day turned (so
        ``rebuild_for(session, [])`` is the answer to ``rebuild_due``). Every screen
        until a full rebuild has filled the reverse index, and for ``all``."""
        scopes = list(scopes)
        stages = Stages()
        with self._lock:
            every = max(self.verify_interval, self.verify_longest * bool(scopes))
            verify = time.monotonic() - self._verified_at >= every
            ids = screens_for(session, scopes, self.index, self.clock(), verify=verify)
            if verify:
                self._verified_at = time.monotonic()
        stages.lap("impact")
        log.debug("rebuild_for %s: %s screen(s)", ", ".join(map(str, scopes[:10])),
                  "every" if ids is None else len(ids))
        if ids is None:
            return self._rebuild(session, None, True, stages)
        if not ids:
            # Nothing to build; an emergency that ended on no screen's timeline (its
            # targets had none) must still stop making a rebuild due.
            now = self.clock()
            self.next_expiry = min((aware(e.ends_at) for e in active_emergencies(
                session, now)), default=None)
            session.commit()  # end the read transaction, as a rebuild does
            return []
        return self._rebuild(session, sorted(ids), True, stages)

    # -- one rebuild: load, then per batch build, compare, store, commit, push ----------
    def _sources(self) -> Sources:
        return Sources(heartbeat_interval=self.heartbeat_interval, store=self.store,
                       base_url=self.base_url, reported=self._reported,
                       slides_reported=self._slides_reported,
                       slide_files=self._slide_files, spec_hashes=self._spec_hashes,
                       originals=self._originals)

    def _load(self, session: Session, ids: list[str] | None, now: datetime,
              missing: list[tuple[Any, ...]] | None) -> list[BuildInputs]:
        loaded = load_inputs(session, ids, now, self._sources(), missing)
        self._slugs, self.next_expiry = loaded.slugs, loaded.next_expiry
        return loaded.inputs

    def _rebuild(self, session: Session, ids: list[str] | None, emit: bool,
                 stages: Stages) -> list[str]:
        started = time.perf_counter()
        with self._lock:
            changed = self._rebuild_locked(session, ids, emit, stages)
        TIMELINE_REBUILD_SECONDS.observe(time.perf_counter() - started)
        if changed:
            log.info("timeline changed for %d screen(s): %s (%s)", len(changed),
                     ", ".join(changed[:20])
                     + (" …" if len(changed) > 20 else ""), stages.describe())
        else:
            log.debug("rebuild: nothing changed (%s)", stages.describe())
        return changed

    def _rebuild_locked(self, session: Session, ids: list[str] | None, emit: bool,
                        stages: Stages) -> list[str]:
        """Load every asked screen's inputs and stored (version, hash) once, then build,
        compare, store, commit and push a batch at a time, so the first screens are
        pushed while the others are still being built. With a ``renderer`` (the serving
        process) no slide, badge or rendition is drawn here: when a batch misses files,
        the rest are built too and every missing one goes to the job worker in one
        request, the rebuild waits for it a bounded time (cooperatively) and builds that
        batch and the rest again with what exists then; what is still
        missing is left out (the item without slides, the original picture) and the
        worker's change-counter bump brings it in a later rebuild."""
        now = self.clock()
        missing: list[tuple[Any, ...]] | None = [] if self.renderer is not None else None
        # Screens with a socket first; a large rebuild loads the first batch's alone.
        ask = getattr(self.push_text, "connected_screens", None)
        first = (ask(NAMESPACE) if emit and callable(ask) else None) or set()
        order = sorted(ids if ids is not None else
                       session.scalars(select(Screen.id).order_by(Screen.id)),
                       key=lambda screen: screen not in first)
        split = len(order) >= self.split_load_from
        later = later_parts(order) if split else []  # loaded once those before are pushed
        head = order[:FIRST_BATCH] if split else ids
        inputs = _first(self._load(session, head, now, missing), first)
        run = RebuildRun(now=now, generated_at=iso_z(now), stored=stored_heads(session, head),
                   make=DepsMaker(self._slugs), first=first,
                   log_id=latest_id(session) if split else None)
        stages.lap("load")
        start, sizes = 0, iter(batch_sizes(len(order)))
        while True:
            if later and start >= len(inputs):  # everything loaded is pushed
                self._load_more(session, later.pop(0), inputs, run, missing)
                stages.lap("load")
                continue
            if start >= len(inputs):
                break
            end = min(len(inputs), start + next(sizes, len(inputs)))
            mark = len(missing) if missing is not None else 0
            built = self._build(inputs[start:end], run, missing)
            made = False
            if missing is not None and len(missing) > mark and self.renderer is not None:
                # Ask for every screen's missing files at once, not a batch's (one wait):
                # the rest are built to learn theirs, and built again below.
                while later:
                    self._load_more(session, later.pop(0), inputs, run, missing)
                self._build(inputs[end:], run, missing)
                stages.lap("build")
                made = self.renderer.make(missing[mark:])
                stages.lap("wait for the job worker")
            if made:
                # Files were made meanwhile: this batch and the rest from what exists now.
                missing = []
                inputs[start:] = _first(self._load(
                    session, [i.screen.id for i in inputs[start:]], now, missing), first)
                run.forget_parts(self._slugs)
                built = self._build(inputs[start:end], run, missing)
            self.screens_built += len(built)
            stages.lap("build")
            self._store_and_push(session, built, run, emit, stages)
            start = end
        gone = set(ids or ()) - {item.screen.id for item in inputs}
        if ids is None:
            self.index.replace(run.entries)
            self._verified_at = time.monotonic()
        elif gone:
            self.index.update(gone, {})  # asked but deleted: forgotten
        return run.changed

    def _load_more(self, session: Session, ids: list[str], inputs: list[BuildInputs],
                   run: RebuildRun, missing: list[tuple[Any, ...]] | None) -> None:
        """Add the inputs and stored versions of ``ids`` not loaded yet, after the
        screens loaded before them were pushed (committed). If a change was committed
        since the last load (the change log moved), the parts the screens built so far
        shared are built again from what is loaded now; the watcher's next pass handles
        that change."""
        loaded = {item.screen.id for item in inputs}
        ids = [i for i in ids if i not in loaded]
        inputs.extend(_first(self._load(session, ids, run.now, missing), run.first))
        run.stored.update(stored_heads(session, ids))
        log_id = latest_id(session)
        if log_id != run.log_id:
            run.forget_parts(self._slugs)
            run.log_id = log_id

    def _build(self, inputs: list[BuildInputs], run: RebuildRun,
               missing: list[tuple[Any, ...]] | None) -> list[Built]:
        """Bodies, and for each whether a file was missing (``missing`` grew while it
        was built: the chooser and slide maker add a request at every ask). A screen
        sharing its playlists part with one that missed a file missed it too."""
        built = []
        bodies = run.bodies if self.group_alike else None
        for n, item in enumerate(inputs, 1):
            if n % self.yield_every == 0:
                self.give_way()  # the acks of the batches pushed are answered meanwhile
            mark = len(missing) if missing is not None else 0
            stamped = bodies is not None and item.alike in bodies
            body = build_body(item, memo=run.memo, bodies=bodies)
            self.screens_stamped += stamped
            gap = missing is not None and len(missing) > mark
            if gap:  # those that share its parts (a body stamped from it too) missed it
                run.short.add(id(body["playlists"]))
            built.append((item, body, gap))
        return [(item, body, gap or id(body["playlists"]) in run.short)
                for item, body, gap in built]

    def _rows(self, built: list[Built], members: list[dict[str, str]], digests: list[str],
              run: RebuildRun) -> tuple[list[Row], dict[str, int]]:
        """The rows to store (content changed) and the versions of the unchanged."""
        rows: list[Row] = []
        versions: dict[str, int] = {}  # screen -> its stored version after this commit
        for (item, body, _), parts, digest in zip(built, members, digests, strict=True):
            old = run.stored.get(item.screen.id)
            if old is not None and old[1] == digest:
                versions[item.screen.id] = old[0]
                continue
            version = old[0] + 1 if old is not None else 1
            full = {"schema": body["schema"], "screen": body["screen"], "version": version,
                    "generated_at": run.generated_at, **body}
            # The stored body's JSON (SQLite stores it as is) and what the push sends.
            text = run.hasher.stamped(parts, version=version, generated_at=run.generated_at)
            rows.append(Row(item.screen.id, old, version, digest, full, run.now, text))
        return rows, versions

    def _store_and_push(self, session: Session, built: list[Built], run: RebuildRun, emit: bool,
                        stages: Stages) -> None:
        """Store one batch's changed timelines and commit; note the versions for the
        acks, push, then the reverse index (which the push does not need)."""
        members = [run.hasher.members(body) for _, body, _ in built]
        digests = [run.hasher.digest_of(parts) for parts in members]
        ids = [item.screen.id for item, _, _ in built]
        for attempt in range(3):
            rows, versions = self._rows(built, members, digests, run)
            stages.lap("hash")
            try:
                changed = store_batch(session, rows, batched=attempt == 0) if rows else []
                session.commit()
                break
            except (IntegrityError, LostRace):
                # Another process stored some of these timelines at the same moment;
                # compare again with what it stored (then row by row, which cannot lose).
                session.rollback()
                if attempt == 2:
                    raise
                for screen_id in ids:
                    run.stored.pop(screen_id, None)
                run.stored.update(stored_heads(session, ids))
        stages.lap("store")
        versions.update((row.screen_id, row.version) for row in changed)
        bind = session.get_bind()
        KNOWN.note(bind, versions)
        KNOWN.forget(bind, [screen_id for screen_id in ids if screen_id not in versions])
        # Committed, then pushed: a player must never hold a version newer than the
        # stored one. A crash from here on loses no stored version (the next leader's
        # start-up rebuild and the players' reconnects send what is stored).
        if emit and self._emit is not None and changed:
            for row in changed:
                room = room_for(row.screen_id)
                if not (self.push_text is not None and row.text is not None
                        and self.push_text(NAMESPACE, room, row.text)):
                    self._emit("timeline", row.body, to=room, namespace=NAMESPACE)
                PUSHES.pushed(row.screen_id, row.version)
                if stages.first_push_ms is None:
                    stages.pushed()
                    waited = self.change_clock.first_push()
                    stages.woken_ms = None if waited is None else waited * 1000
            self.give_way()  # the sockets send it (and answer acks) before the next batch
            stages.lap("push")
        run.changed.extend(row.screen_id for row in changed)
        # A screen whose row another process stored first is left unknown, so the next
        # change rebuilds it.
        entries = {item.screen.id: run.make(item, body, versions[item.screen.id], gap)
                   for item, body, gap in built if item.screen.id in versions}
        run.entries.update(entries)
        self.index.update(ids, entries)
        stages.lap("index")

    def timeline_for(self, session: Session, screen_id: str) -> dict[str, Any] | None:
        """The stored timeline of a screen, built first if there is none yet."""
        body = session.scalar(select(ScreenTimeline.body)
                              .where(ScreenTimeline.screen_id == screen_id))
        if body is None:
            self.rebuild(session, [screen_id], emit=False)
            body = session.scalar(select(ScreenTimeline.body)
                                  .where(ScreenTimeline.screen_id == screen_id))
        return body
