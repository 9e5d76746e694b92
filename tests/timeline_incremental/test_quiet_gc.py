"""Collections of the heap at quiet moments (controller/timeline/quiet_gc.py): due a
quiet while after a rebuild, never more often than the spacing unless the longest gap has
passed, of the whole heap now and then only, nothing when nothing happened, with a larger
young generation until it stops; what it freezes is still freed by reference counting,
a frozen cycle by a whole collection, a cycle made since the freeze by any; and a gevent
server's change watcher makes one after a change."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from timeline_incremental import edits
from timeline_incremental.conftest import Clock

from controller import changes
from controller.timeline.publisher import TimelinePublisher
from controller.timeline.quiet_gc import QuietCollector
from controller.timeline.watcher import ChangeWatcher

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
WAIT = 30.0  # seconds a test waits for the watcher's thread


class Ticks:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def collector() -> Iterator[QuietCollector]:
    # Spacings far above 50 times any collection's length in a test process.
    made = QuietCollector(quiet=2.0, spacing=100.0, full_spacing=3000.0, longest=60000.0,
                          clock=Ticks())
    try:
        yield made
    finally:
        made.stop()  # this test process's heap is not left frozen


def test_due_a_quiet_while_after_a_rebuild_spaced_and_whole_now_and_then(
        collector: QuietCollector) -> None:
    ticks: Ticks = collector.clock  # type: ignore[assignment]
    python = gc.get_threshold()
    collector.busy()
    assert collector.due_in() == 0.0  # never collected: the first one is due at once
    assert collector.maybe_collect() and collector.full_collections == 1
    assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == collector.young
    assert collector.due_in() is None  # nothing happened since
    collector.busy()
    assert collector.due_in() == 100.0  # busy now, but the spacing comes first
    ticks.now += 99.0
    collector.busy()
    assert collector.due_in() == 2.0  # the spacing has almost passed: the quiet decides
    assert not collector.maybe_collect()
    ticks.now += 2.0
    assert collector.maybe_collect()
    assert (collector.collections, collector.full_collections) == (2, 1)  # not whole
    ticks.now += 3000.0
    collector.busy()
    ticks.now += 2.0
    assert collector.maybe_collect()
    assert (collector.collections, collector.full_collections) == (3, 2)  # whole again
    ticks.now += 60000.0
    collector.busy()  # after the longest gap: due right after a rebuild, quiet or not
    assert collector.due_in() == 0.0
    collector.stop()
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == python


class Node:
    other: object = None


def _cycle() -> tuple[Node, weakref.ref]:
    node = Node()
    node.other = node
    return node, weakref.ref(node)


def test_frozen_objects_are_freed_by_reference_and_cycles_by_a_whole_collection(
        collector: QuietCollector) -> None:
    plain, (old, old_ref) = Node(), _cycle()
    plain_ref = weakref.ref(plain)
    collector.collect(full=True)  # both survive it (referenced) and are frozen
    del plain, old
    assert plain_ref() is None  # reference counting frees a frozen object at once
    gc.collect()
    collector.collect(full=False)
    assert old_ref() is not None  # a frozen cycle: not walked but by a whole collection
    new, new_ref = _cycle()  # made since the freeze: any collection walks it
    del new
    collector.collect(full=False)
    assert new_ref() is None and old_ref() is not None
    collector.collect(full=True)
    assert old_ref() is None


def test_a_gevent_servers_watcher_has_one_and_collects_after_a_change(fleet) -> None:  # noqa: ANN001
    sessions = fleet()

    class Gevent:
        async_mode = "gevent"
        change_poll_interval = 60.0

    assert ChangeWatcher(TimelinePublisher(None, 15), sessions, 60).collector is None
    collector = QuietCollector(quiet=0.05, spacing=0.0, full_spacing=0.0, ratio=0)
    publisher = TimelinePublisher(None, 15, clock=Clock(NOW))
    watcher = ChangeWatcher(publisher, sessions, interval=60, collector=collector)
    assert isinstance(ChangeWatcher(publisher, sessions, 60, settings=Gevent()).collector,  # type: ignore[arg-type]
                      QuietCollector)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + WAIT
        while collector.collections < 1 and time.monotonic() < deadline:
            time.sleep(0.05)  # the start-up rebuild, then a quiet collection
        assert watcher.rebuilds == 1 and collector.collections >= 1
        made = collector.collections
        with sessions() as session:
            changes.bump(session, *edits.approve_new_version(session, "invest-hue", 13))
            session.commit()  # wakes the watcher (in-process)
        deadline = time.monotonic() + WAIT
        while (watcher.rebuilds < 2 or collector.collections == made) \
                and time.monotonic() < deadline:
            time.sleep(0.05)  # the change's rebuild, then a quiet collection
        assert watcher.rebuilds == 2 and collector.collections > made
    finally:
        watcher.stop()
        thread.join(WAIT)
    assert gc.get_freeze_count() == 0  # a stopped watcher leaves nothing frozen
