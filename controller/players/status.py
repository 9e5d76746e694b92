"""Writes to ``ScreenStatus``: connects, disconnects, heartbeats and acks. Each function
commits its own small transaction. Acks and heartbeats that come over a socket go
through ``controller.players.recorder`` instead, which writes them in batches; these
functions serve the HTTP routes and connects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from controller.db import in_chunks
from controller.metrics.registry import HEARTBEATS
from controller.models import ScreenStatus, ScreenTimeline
from controller.players.payloads import Ack, PayloadRefused
from controller.plays.presence_log import keep_open
from controller.timeline.stored_versions import KNOWN


def _now() -> datetime:
    return datetime.now(UTC)


def _row(session: Session, screen_id: str) -> ScreenStatus:
    row = session.get(ScreenStatus, screen_id)
    if row is None:
        row = ScreenStatus(screen_id=screen_id, connected=False, missing_media=[], facts={},
                           remote_addr="")
        session.add(row)
    return row


def mark_connected(session: Session, screen_id: str, remote_addr: str,
                   software: str | None, commit: bool = True,
                   connection: str | None = None) -> None:
    """The screen is connected now, by ``connection`` (its Socket.IO session id; commits
    unless ``commit`` is False)."""
    row = _row(session, screen_id)
    row.connected = True
    row.connection = connection[:64] if connection else None
    row.last_seen = _now()
    row.remote_addr = remote_addr[:64]
    if software:
        row.facts = {**(row.facts or {}), "software": software}
    if commit:
        session.commit()


def mark_disconnected(session: Session, screen_id: str, connection: str,
                      heir: str | None = None) -> bool:
    """``connection`` of the screen has ended. If the status still names it, the status
    passes to ``heir`` (another connection of the screen still open in this process) or
    the screen is not connected; if a later connect (in this process or another) has
    named its own connection since, nothing changes — a player that reconnected at once
    stays connected whichever disconnect comes last. Commits; whether the row changed."""
    marked = session.execute(
        update(ScreenStatus)
        .where(ScreenStatus.screen_id == screen_id,
               ScreenStatus.connection == connection[:64])
        .values(connected=heir is not None, connection=heir[:64] if heir else None)
        .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return bool(marked)


def mark_all_disconnected(session: Session, connections: list[str]) -> None:
    """These connections (Socket.IO session ids: a stopping controller's) have ended:
    their screens are not connected unless another connection of theirs has come since
    (one statement per IN_CHUNK). Does not commit."""
    for chunk in in_chunks(sorted({c[:64] for c in connections})):
        session.execute(update(ScreenStatus).where(ScreenStatus.connection.in_(chunk))
                        .values(connected=False, connection=None)
                        .execution_options(synchronize_session=False))


def clear_connections(session: Session) -> None:
    """At start-up: nobody is connected to a process that just started."""
    session.execute(update(ScreenStatus).values(connected=False))
    session.commit()


def record_heartbeat(session: Session, screen_id: str, facts: dict[str, Any],
                     remote_addr: str) -> None:
    row = _row(session, screen_id)
    row.facts = {**(row.facts or {}), **facts}
    if "last_error" in facts:
        row.last_error = facts["last_error"]
    row.last_seen = _now()
    row.remote_addr = remote_addr[:64]
    keep_open(session, {screen_id: facts.get("transport", "http")}, row.last_seen)
    session.commit()
    HEARTBEATS.labels("http").inc()


def ack_known(bind: Any, screen_id: str, ack: Ack) -> bool:
    """Whether this process's publisher stored ``ack``'s version (or a newer one) for
    the screen in ``bind``'s database: then the ack is valid, and no session is needed
    to say so (the socket path answers most acks this way)."""
    return KNOWN.covers(bind, screen_id, ack.version)


def check_ack(session: Session, screen_id: str, ack: Ack) -> None:
    """PayloadRefused unless ``ack`` names a version this screen was sent: every version
    up to the one stored for it (a player never holds a newer one: the timeline is
    written before it is pushed), 0 when it has none. Answered from what this process's
    publisher stored (``controller.timeline.stored_versions``) when that covers it;
    otherwise one primary-key read, which alone refuses."""
    if ack_known(session.get_bind(), screen_id, ack):
        return
    stored = session.scalar(select(ScreenTimeline.version)
                            .where(ScreenTimeline.screen_id == screen_id)) or 0
    session.rollback()
    if ack.version > stored:
        sent = f"versions up to {stored}" if stored else "no timeline yet"
        raise PayloadRefused(f"ack names timeline version {ack.version}, but screen "
                             f"{screen_id} was sent {sent}: acknowledge a version it "
                             "received. Nothing was recorded.")


def record_ack(session: Session, screen_id: str, ack: Ack) -> None:
    row = _row(session, screen_id)
    row.acked_version = ack.version
    row.missing_media = ack.missing
    session.commit()
