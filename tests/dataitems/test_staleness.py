"""Data growing old between two snapshots: the leader's sweep records ``source:<id>``
when a source turns stale and when it is current again (a 304 refreshes only its
check time, which records no change of its own), so the screens showing it get the
fallback, then the data, without waiting for another change."""

from __future__ import annotations

from datetime import timedelta

from dataitems.sample import ARRIVALS, T0, add_source
from sqlalchemy.orm import sessionmaker

from controller import changes
from controller.dataslides.staleness import StalenessSweep
from controller.models import DataSource
from controller.sources.snapshots import store_confirmed


def _scopes(session, after: int) -> list[str]:
    return [str(s) for s in changes.since(session, after)[1]]


def test_a_source_turning_stale_and_current_again_is_a_change(session) -> None:
    add_source(session, "phu-bai-arrivals", ARRIVALS, at=T0, stale_after=600)
    add_source(session, "a-dot-crossing", None)  # never fetched: stale all along
    session.commit()
    start = changes.latest_id(session)
    sweep = StalenessSweep(sessionmaker(bind=session.get_bind()))
    assert sweep.check(T0 + timedelta(minutes=1)) == []  # the first look remembers
    assert sweep.check(T0 + timedelta(minutes=9)) == []  # still current
    assert sweep.check(T0 + timedelta(minutes=11)) == ["phu-bai-arrivals"]  # stale now
    assert _scopes(session, start) == ["source:phu-bai-arrivals"]
    assert sweep.check(T0 + timedelta(minutes=12)) == []  # said once
    # A 304 confirms the old records: current again, which only the sweep notices.
    store_confirmed(session, session.get(DataSource, "phu-bai-arrivals"),
                    T0 + timedelta(minutes=13), None, None)
    session.commit()
    middle = changes.latest_id(session)
    assert _scopes(session, middle) == []
    assert sweep.check(T0 + timedelta(minutes=13, seconds=15)) == ["phu-bai-arrivals"]
    assert _scopes(session, middle) == ["source:phu-bai-arrivals"]
