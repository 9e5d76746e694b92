"""The election loop over real leases, stepped by hand (no threads, no sleeps in the
elector): exactly one of two leads; a leader that stops renewing — frozen — is replaced,
knows at once that it no longer holds the lease when it runs again, and stops its work;
a leader that stops cleanly hands over at the other's next try."""

from __future__ import annotations

import time
import uuid

import pytest
from support.postgres import pg_url  # noqa: F401  (fixture)
from support.redis import redis_url  # noqa: F401  (fixture)

from controller.leadership.elector import Elector
from controller.leadership.leases import FileLease, advisory_key
from controller.metrics.registry import REGISTRY

TTL = 1.0


class Work:
    """What the server starts and stops: here, a record of the calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def lead(self) -> None:
        self.calls.append("lead")

    def follow(self, why: str) -> None:
        self.calls.append(f"follow: {why}")


def contenders(kind: str, request: pytest.FixtureRequest, tmp_path) -> list:
    if kind == "redis":
        from controller.leadership.redis_lease import RedisLease

        url, key = request.getfixturevalue("redis_url"), f"pano-test-{uuid.uuid4().hex}"
        return [RedisLease(url, key, TTL, f"p{i}") for i in range(2)]
    if kind == "postgresql":
        from controller.leadership.postgres_lease import PostgresLease

        url, key = request.getfixturevalue("pg_url"), advisory_key(uuid.uuid4().hex)
        return [PostgresLease(url, key, TTL, f"p{i}") for i in range(2)]
    return [FileLease(tmp_path / "leader.lock", f"p{i}") for i in range(2)]


def step_until(electors: list[Elector], predicate, timeout: float = 15.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for elector in electors:
            elector.step()
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.mark.parametrize("kind", ["redis", "postgresql", "file"])
def test_one_leads_and_a_clean_stop_hands_over(kind, request, tmp_path):
    works = [Work(), Work()]
    electors = [Elector(lease, TTL, w.lead, w.follow, time.sleep)
                for lease, w in zip(contenders(kind, request, tmp_path), works, strict=True)]
    try:
        step_until(electors, lambda: any(e.leading for e in electors), what="a leader")
        for _ in range(5):  # more rounds: still exactly one
            step_until(electors, lambda: True)
        assert sum(e.leading for e in electors) == 1
        leader = next(e for e in electors if e.leading)
        other = electors[1 - electors.index(leader)]
        assert REGISTRY.get_sample_value("pano_leader") == 1
        leader.stop()
        assert not leader.leading and works[electors.index(leader)].calls == [
            "lead", "follow: this process is stopping"]
        step_until([other], lambda: other.leading, what="the other to take over")
        assert works[electors.index(other)].calls == ["lead"]
    finally:
        for elector in electors:
            elector.stop()
    assert REGISTRY.get_sample_value("pano_leader") == 0


@pytest.mark.parametrize("kind", ["redis", "postgresql"])
def test_a_frozen_leader_is_replaced_and_steps_down_when_it_runs_again(kind, request,
                                                                      tmp_path):
    works = [Work(), Work()]
    electors = [Elector(lease, TTL, w.lead, w.follow, time.sleep)
                for lease, w in zip(contenders(kind, request, tmp_path), works, strict=True)]
    try:
        step_until(electors, lambda: any(e.leading for e in electors), what="a leader")
        frozen = next(e for e in electors if e.leading)
        other = electors[1 - electors.index(frozen)]
        # The leader stops running (a stopped VM, a long pause): only the other steps.
        step_until([other], lambda: other.leading, what="the other to take over")
        # The lease it had ran out before the other could take it, so it already knows.
        assert not frozen.holds() and not frozen.leading
        frozen.step()  # it runs again: its work stops, the other's lease is untouched
        assert works[electors.index(frozen)].calls[-1].startswith("follow: ")
        for _ in range(5):
            step_until(electors, lambda: True)
        assert other.leading and not frozen.leading
        assert works[electors.index(frozen)].calls.count("lead") == 1
    finally:
        for elector in electors:
            elector.stop()


@pytest.mark.parametrize("kind", ["redis", "postgresql"])
def test_a_lease_lost_in_a_backend_restart_stops_the_work_and_is_taken_again(kind, request,
                                                                            tmp_path):
    """Redis restarted without its data (the key is gone), PostgreSQL restarted (the
    session is gone): the leader's next renewal fails, its work stops, and it — or
    another — takes the lease again at the next try, starting the work afresh."""
    lease = contenders(kind, request, tmp_path)[0]
    work = Work()
    elector = Elector(lease, TTL, work.lead, work.follow, time.sleep)
    try:
        step_until([elector], lambda: elector.leading, what="leading")
        if kind == "redis":
            lease.client.delete(lease.key)
        else:
            from sqlalchemy import create_engine, text

            admin = create_engine(request.getfixturevalue("pg_url"))
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE application_name = 'pano-leader p0'"))
                conn.commit()
            admin.dispose()
        step_until([elector], lambda: any(c.startswith("follow: lease lost")
                                          for c in work.calls), what="the loss noticed")
        step_until([elector], lambda: elector.leading, what="leading again")
        assert elector.terms == 2 and work.calls[0] == work.calls[2] == "lead"
    finally:
        elector.stop()


def test_a_late_renewal_that_succeeds_keeps_the_lease_but_the_gap_was_fenced(tmp_path):
    """This loop could not run for longer than the lease's time (a gevent loop held by a
    long first rebuild): meanwhile ``holds()`` is false, so the work refuses to act; the
    late renewal proves nobody took the lease (the file was locked all along), so the
    work goes on without a restart."""
    now = [1000.0]
    work = Work()
    elector = Elector(FileLease(tmp_path / "leader.lock", "me"), TTL, work.lead, work.follow,
                      time.sleep, clock=lambda: now[0])
    try:
        elector.step()
        assert elector.holds()
        now[0] += TTL * 2  # the loop did not run
        assert not elector.holds() and not elector.leading
        elector.step()
        assert elector.holds() and work.calls == ["lead"] and elector.terms == 1
    finally:
        elector.stop()
