"""The rebuild stores and pushes a batch of screens at a time: every timeline a player
receives is already committed (another connection reads that very version), the first
screens are pushed before the last ones are stored, and the stored body reads back as
the pushed one. A change woken through the watcher is counted in the wake -> first push
histogram once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from timeline_incremental import edits
from timeline_incremental.conftest import Clock

from controller import changes
from controller.metrics.registry import REGISTRY
from controller.models import ScreenTimeline
from controller.timeline.hashing import content_hash
from controller.timeline.publisher import FIRST_BATCH, TimelinePublisher
from controller.timeline.watcher import ChangeWatcher

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def _stored(sessions: Any) -> dict[str, tuple[int, dict[str, Any]]]:  # noqa: ANN401
    with sessions() as other:  # its own connection: sees committed rows only
        return {row.screen_id: (row.version, row.body)
                for row in other.execute(select(ScreenTimeline.screen_id,
                                                ScreenTimeline.version, ScreenTimeline.body))}


def test_each_push_is_committed_first_and_the_first_go_before_the_last_are_stored(
        fleet) -> None:  # noqa: ANN001
    sessions = fleet()
    clock = Clock(NOW)
    seen: list[tuple[dict[str, Any], dict[str, tuple[int, dict[str, Any]]]]] = []

    def emit(event: str, body: dict[str, Any], to: str, namespace: str) -> None:
        assert event == "timeline" and to == f"screen:{body['screen']}"
        seen.append((body, _stored(sessions)))

    with sessions() as session:
        publisher = TimelinePublisher(emit, 15, clock=clock)
        publisher.rebuild(session, emit=False)
        before = _stored(sessions)
        assert len(before) > FIRST_BATCH
        clock.now = NOW + timedelta(days=1)  # every window moves: every timeline changes
        changed = publisher.rebuild(session)
    assert sorted(changed) == sorted(before) == sorted(body["screen"] for body, _ in seen)
    last = max(before)
    for body, stored in seen:
        version, stored_body = stored[body["screen"]]
        assert version == body["version"] == before[body["screen"]][0] + 1
        assert stored_body == body
        unstamped = {k: v for k, v in body.items() if k not in ("version", "generated_at")}
        assert content_hash(unstamped) == content_hash(
            {k: v for k, v in stored_body.items() if k not in ("version", "generated_at")})
    # The first screen was pushed while the last one still had its old timeline stored.
    assert seen[0][1][last][0] == before[last][0]
    assert seen[-1][1][last][0] == before[last][0] + 1


def _first_pushes() -> float:
    return REGISTRY.get_sample_value("pano_change_first_push_seconds_count") or 0.0


def test_a_woken_change_is_timed_from_the_wake_to_its_first_push(fleet) -> None:  # noqa: ANN001
    sessions = fleet()
    pushed: list[str] = []
    publisher = TimelinePublisher(lambda _e, body, **_k: pushed.append(body["screen"]), 15,
                                  clock=Clock(NOW))
    watcher = ChangeWatcher(publisher, sessions, interval=60)
    watcher.check()  # start-up: every screen
    start = _first_pushes()
    with sessions() as session:
        changes.bump(session, *edits.approve_new_version(session, "invest-hue", 13))
        session.commit()
    pushed.clear()
    watcher.wake()
    watcher.check()
    assert pushed and _first_pushes() == start + 1
    watcher.wake()  # a wake that changes nothing pushes nothing and times nothing
    watcher.check()
    assert _first_pushes() == start + 1
