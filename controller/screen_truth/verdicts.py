"""The stored verdicts on a screen's periodic captures (``controller.screen_truth``).

No table of their own (no schema change): a periodic capture is a ``screen_commands``
row — ``command`` :data:`CAPTURE`, ``requested_by`` :data:`PERIODIC`, ``args``
``{"periodic": true, "item", "languages"}`` — finished at once, whose ``result`` holds
the capture's facts, its file (under ``<media_dir>/captures/<screen>/``), its hash and
its verdict. A technician's ``screenshot`` command is untouched: its rows and its file
(``<media_dir>/screenshots/<screen>/``) are apart, and nothing sends a ``capture``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.models import ScreenCommand
from controller.screen_truth.judge import Previous

# Who "requested" a periodic capture: never a user name (those cannot hold parentheses).
PERIODIC = "(periodic capture)"
CAPTURE = "capture"  # its ``command``: not "screenshot", which is a technician's
VERDICTS = ("ok", "black", "frozen", "wrong", "unknown")


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def latest_capture(session: Session, screen_id: str) -> ScreenCommand | None:
    """The newest periodic capture of ``screen_id`` that was judged."""
    return session.scalars(
        select(ScreenCommand)
        .where(ScreenCommand.screen_id == screen_id, ScreenCommand.command == CAPTURE,
               ScreenCommand.requested_by == PERIODIC, ScreenCommand.status == "done")
        .order_by(ScreenCommand.finished_at.desc(), ScreenCommand.created_at.desc())
        .limit(1)).first()


def previous_of(row: ScreenCommand | None) -> Previous | None:
    result = (row.result or {}) if row is not None else {}
    try:
        shot = int(str(result["dhash"]), 16)
    except (KeyError, ValueError):
        return None
    expected = result.get("expected_dhash")
    try:
        expected_hash = int(str(expected), 16) if expected else None
    except ValueError:
        expected_hash = None
    item = result.get("item")
    return Previous(shot, item if isinstance(item, str) else None, expected_hash)


def verdict_of(row: ScreenCommand) -> dict[str, Any] | None:
    result = row.result or {}
    verdict = result.get("verdict")
    if verdict not in VERDICTS or row.finished_at is None:
        return None
    return {"verdict": verdict, "at": _aware(row.finished_at),
            "reason": str(result.get("reason") or "")}


def latest_verdict(session: Session, screen_id: str) -> dict[str, Any] | None:
    """The newest verdict on a periodic capture of ``screen_id``:
    ``{"verdict": "ok"|"black"|"frozen"|"wrong"|"unknown", "at": datetime (UTC, aware),
    "reason": str}``, or None when the screen has none yet."""
    row = latest_capture(session, screen_id)
    return None if row is None else verdict_of(row)


def latest_verdicts(session: Session, since: datetime) -> dict[str, dict[str, Any]]:
    """:func:`latest_verdict` of every screen whose newest judged capture finished at
    ``since`` or later, in one query (the alerts read every screen at once)."""
    out: dict[str, dict[str, Any]] = {}
    for row in session.scalars(
            select(ScreenCommand)
            .where(ScreenCommand.command == CAPTURE, ScreenCommand.requested_by == PERIODIC,
                   ScreenCommand.status == "done", ScreenCommand.finished_at >= since)
            .order_by(ScreenCommand.finished_at.desc(), ScreenCommand.created_at.desc())):
        if row.screen_id not in out:
            verdict = verdict_of(row)
            if verdict is not None:
                out[row.screen_id] = verdict
    return out
