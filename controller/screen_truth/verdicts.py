"""The stored verdicts on a screen's periodic captures (``controller.screen_truth``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def latest_verdict(session: Session, screen_id: str) -> dict[str, Any] | None:
    """The newest verdict on a periodic capture of ``screen_id``:
    ``{"verdict": "ok"|"black"|"frozen"|"wrong"|"unknown", "at": datetime (UTC, aware),
    "reason": str}``, or None when the screen has none yet."""
    return None
