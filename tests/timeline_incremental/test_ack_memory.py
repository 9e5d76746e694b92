"""``check_ack`` answers from what this process's publisher stored, without a database
statement, and goes to the database for anything else — a version stored by another
process, a process that just started — which alone refuses a version never sent. The
statements are counted on the real SQLite engine (SQLAlchemy's cursor events)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from timeline_incremental import edits
from timeline_incremental.conftest import Clock

from controller.db import make_engine, make_session_factory
from controller.players.payloads import Ack, PayloadRefused
from controller.players.status import check_ack
from controller.timeline.publisher import TimelinePublisher

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


class Statements:
    """Counts the statements an engine executes."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.count = 0
        event.listen(sessions.kw["bind"], "before_cursor_execute", self._seen)

    def _seen(self, *args: object) -> None:
        self.count += 1


def _ack(sessions: sessionmaker[Session], statements: Statements, screen: str,
         version: int) -> int:
    """Check an ack as the handler does; return how many statements it took."""
    before = statements.count
    with sessions() as session:
        check_ack(session, screen, Ack(version=version, missing=[]))
    return statements.count - before


def test_acks_of_stored_versions_need_no_database_and_others_still_refused(
        fleet) -> None:  # noqa: ANN001
    here = fleet()
    statements = Statements(here)
    with here() as session:
        TimelinePublisher(None, 15, clock=Clock(NOW)).rebuild(session)
    assert _ack(here, statements, "x-00", 1) == 0  # the version it stored: from memory
    assert _ack(here, statements, "x-00", 0) == 0
    with pytest.raises(PayloadRefused, match="was sent versions up to 1"):
        _ack(here, statements, "x-00", 2)  # never stored: the database refuses
    with pytest.raises(PayloadRefused, match="no timeline yet"):
        _ack(here, statements, "no-such-screen", 1)

    # Another process (its own engine on the same database) stores version 2.
    engine = make_engine(here.kw["bind"].url.render_as_string(hide_password=False))
    other = make_session_factory(engine)
    with other() as session:
        edits.set_default(session, "x-00", "invest-hue")
        session.commit()
        assert TimelinePublisher(None, 15, clock=Clock(NOW)).rebuild(
            session, ["x-00"]) == ["x-00"]
    assert _ack(here, statements, "x-00", 2) == 1  # unknown here: one read, accepted
    with pytest.raises(PayloadRefused, match="was sent versions up to 2"):
        _ack(here, statements, "x-00", 3)
    # The other process knew its own version without asking; and a process that has
    # not rebuilt (just restarted) reads the database, then accepts.
    counted = Statements(other)
    assert _ack(other, counted, "x-00", 2) == 0
    assert _ack(other, counted, "x-01", 1) == 1
    engine.dispose()
