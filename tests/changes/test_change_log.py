"""``controller.changes``: what a bump records, and what ``since`` gives back — each
scope once, in order, or everything when the log cannot say (a gap, an overflow, an
unreadable row, a replaced database). On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from controller import changes
from controller.changes import EVERYTHING, Scope
from controller.models import ChangeLogEntry, utcnow


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request, fleet):
    return fleet.sessions if request.param == "sqlite" else request.getfixturevalue(
        "pg_module_sessions")


def logged(session) -> list[tuple[str, str]]:
    return [(r.kind, r.key) for r in session.execute(
        select(ChangeLogEntry.kind, ChangeLogEntry.key).order_by(ChangeLogEntry.id))]


def bump(sessions, *scopes: Scope) -> None:
    with sessions() as session:
        changes.bump(session, *scopes)
        session.commit()


def test_a_bump_records_its_scopes_once_and_no_scope_means_everything(sessions):
    with sessions() as session:
        start = changes.latest_id(session)
        before = changes.current(session)
    bump(sessions, Scope("playlist", "a"), Scope("site", "s"), Scope("playlist", "a"))
    bump(sessions)
    bump(sessions, Scope("screen", "x"), EVERYTHING)
    with sessions() as session:
        assert logged(session)[-4:] == [("playlist", "a"), ("site", "s"), ("all", ""),
                                        ("all", "")]
        assert changes.current(session) == before + 3  # the counter still counts
        last, scopes = changes.since(session, start)
        assert last == changes.latest_id(session)
        assert scopes == [EVERYTHING]
        assert changes.since(session, last) == (last, [])


def test_since_gives_each_scope_once_in_order(sessions):
    with sessions() as session:
        start = changes.latest_id(session)
    bump(sessions, Scope("schedule", "3"))
    bump(sessions, Scope("playlist", "p"), Scope("schedule", "3"))
    bump(sessions, Scope("emergency", "7"))
    with sessions() as session:
        last, scopes = changes.since(session, start)
    assert scopes == [Scope("schedule", "3"), Scope("playlist", "p"), Scope("emergency", "7")]
    with sessions() as session:
        middle = last - 1  # the emergency's entry alone
        assert changes.since(session, middle) == (last, [Scope("emergency", "7")])


@pytest.mark.parametrize("bad", ["playlist:p", ("playlist", "p"), None, 3])
def test_a_scope_that_is_not_a_scope_is_a_type_error_and_writes_nothing(sessions, bad):
    with sessions() as session:
        before = (changes.current(session), changes.latest_id(session))
        with pytest.raises(TypeError, match="Scope objects"):
            changes.bump(session, Scope("playlist", "ok"), bad)
        session.commit()
        assert (changes.current(session), changes.latest_id(session)) == before


def test_a_scope_is_checked_when_made():
    with pytest.raises(ValueError, match="unknown change scope"):
        Scope("playlists", "p")
    with pytest.raises(TypeError, match="string"):
        Scope("schedule", 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at most 200"):
        Scope("media", "x" * 201)
    assert str(Scope("media", "ab")) == "media:ab" and str(EVERYTHING) == "all"


def test_a_rolled_back_bump_leaves_nothing(sessions):
    with sessions() as session:
        before = changes.latest_id(session)
        changes.bump(session, Scope("site", "gone"))
        session.rollback()
        assert changes.since(session, before) == (before, [])


def test_more_entries_than_the_bound_are_everything(sessions):
    # A committed entry first: on an empty PostgreSQL log after a rolled-back bump (an
    # earlier test's), the first ids are gone and the log reads as pruned past 0.
    bump(sessions, Scope("site", "before"))
    with sessions() as session:
        start = changes.latest_id(session)
        changes.bump(session, *(Scope("screen", f"s{i}") for i in range(12)))
        session.commit()
        last, scopes = changes.since(session, start, limit=10)
        assert scopes == [EVERYTHING] and last == changes.latest_id(session)
        assert len(changes.since(session, start, limit=12)[1]) == 12


def test_a_pruned_gap_is_everything_and_pruning_keeps_the_newest(sessions):
    with sessions() as session:
        start = changes.latest_id(session)
    for i in range(5):
        bump(sessions, Scope("playlist", f"p{i}"))
    with sessions() as session:
        newest = changes.latest_id(session)
        assert changes.prune(session, keep_rows=2) >= 3
        session.commit()
        assert session.scalar(select(func.count()).select_from(ChangeLogEntry)) == 2
        assert changes.since(session, start) == (newest, [EVERYTHING])  # a gap
        assert changes.since(session, newest - 1) == (newest, [Scope("playlist", "p4")])
        # Old entries go by age too, but never the newest one.
        assert changes.prune(session, now=utcnow() + timedelta(days=2)) == 1
        session.commit()
        assert changes.latest_id(session) == newest
        assert changes.since(session, newest) == (newest, [])


def test_an_unreadable_entry_is_everything_not_a_crash(sessions):
    with sessions() as session:
        start = changes.latest_id(session)
        changes.bump(session, Scope("playlist", "p"))
        session.execute(insert(ChangeLogEntry).values(kind="hologram", key="h1",
                                                      at=utcnow()))
        session.commit()
        assert changes.since(session, start)[1] == [EVERYTHING]


def test_a_log_behind_the_reader_means_a_replaced_database(sessions):
    with sessions() as session:
        newest = changes.latest_id(session)
        assert changes.since(session, newest + 1000) == (newest, [EVERYTHING])


def test_on_postgresql_a_second_writer_waits_so_ids_follow_commits(pg_module_sessions):
    """Sequence numbers are handed out at insert time; were two writers to interleave, a
    reader could see id 11 committed before id 10 and skip 10 for ever. The counter row
    bumped first holds the second writer until the first commits."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    with pg_module_sessions() as first, pg_module_sessions() as second:
        changes.bump(first, Scope("playlist", "first"))  # not committed yet
        second.execute(text("SET LOCAL lock_timeout = '300ms'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            changes.bump(second, Scope("playlist", "second"))
        second.rollback()
        first.commit()
        changes.bump(second, Scope("playlist", "second"))
        second.commit()
        rows = logged(second)
    assert rows[-2:] == [("playlist", "first"), ("playlist", "second")]
