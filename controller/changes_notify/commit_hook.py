"""The sending side: a session that bumped the change log wakes the watcher when it
commits (in-process wakers, the local datagram, Redis), and on PostgreSQL sends
``NOTIFY`` inside the transaction. A failure here is logged, never raised: the change is
committed and the watcher's poll finds it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from controller.changes_notify import CHANNEL, local

log = logging.getLogger("pano.changes")

_BUMPED = "pano_changes_bumped"
_NOTIFIED = "pano_changes_notified"
_lock = threading.Lock()
_wakers: list[Callable[[], None]] = []
_publishers: list[Callable[[], None]] = []


def add_waker(wake: Callable[[], None]) -> None:
    """Call ``wake`` after every commit that bumped, in this process (a watcher)."""
    with _lock:
        _wakers.append(wake)


def remove_waker(wake: Callable[[], None]) -> None:
    with _lock:
        if wake in _wakers:
            _wakers.remove(wake)


def add_publisher(publish: Callable[[], None]) -> None:
    """Call ``publish`` after every commit that bumped (e.g. a Redis PUBLISH)."""
    with _lock:
        _publishers.append(publish)


def remove_publisher(publish: Callable[[], None]) -> None:
    with _lock:
        if publish in _publishers:
            _publishers.remove(publish)


def mark_bumped(session: Session) -> None:
    """Called by ``changes.bump``: remember to wake the watcher at commit; on PostgreSQL
    send the notification now (delivered by the server at commit, dropped on rollback)."""
    session.info[_BUMPED] = True
    if session.info.get(_NOTIFIED):
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
        session.info[_NOTIFIED] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_NOTIFIED, None)
    if not session.info.pop(_BUMPED, False):
        return
    with _lock:
        calls = [*_wakers, *_publishers]
    for call in calls:
        try:
            call()
        except Exception:  # noqa: BLE001 - the poll is the safety net
            log.exception("waking the change watcher after a commit")
    try:
        bind = session.get_bind()  # an Engine, or a Connection a test bound it to
        address = local.address_for(getattr(bind, "url", None) or bind.engine.url)
        if address is not None:
            local.send(address)
    except Exception:  # noqa: BLE001
        log.exception("waking the change watcher of this database")


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: Any) -> None:
    """Whatever ended the outermost transaction (a commit, handled above, a rollback, a
    close), the next one starts unmarked."""
    if transaction.parent is None:
        session.info.pop(_BUMPED, None)
        session.info.pop(_NOTIFIED, None)


def waker_count() -> int:
    """How many watchers of this process are woken (for tests and the log)."""
    with _lock:
        return len(_wakers)


__all__: list[Any] = ["add_waker", "remove_waker", "add_publisher", "remove_publisher",
                      "mark_bumped", "waker_count"]
