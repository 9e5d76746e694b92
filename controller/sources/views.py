"""Sources as the API (and later the panel) show them: declaration, status, age and
whether the data are stale (docs/sources.md "Statuses")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.models import DataSource, DataSourceState
from controller.sources.polling import aware
from controller.sources.snapshots import error_text


def _when(value: datetime | None) -> str | None:
    value = aware(value)
    return value.isoformat() if value is not None else None


def age_of(state: DataSourceState | None, now: datetime) -> float | None:
    """Seconds since the data were last confirmed current (a 200 or a 304); None when
    the source never answered well."""
    checked = aware(state.checked_at) if state is not None else None
    if checked is None:
        return None
    return max((now - checked).total_seconds(), 0.0)


def is_stale(source: DataSource, state: DataSourceState | None, now: datetime) -> bool:
    """Data older than ``stale_after`` (or none at all) must not be shown as current."""
    age = age_of(state, now)
    return age is None or age > source.stale_after_s


def describe(source: DataSource, state: DataSourceState | None, now: datetime,
             language: str) -> dict[str, Any]:
    age = age_of(state, now)
    options = dict(source.options or {})
    return {
        "id": source.id, "kind": source.kind, "names": dict(source.names or {}),
        "url": source.url, "every": source.every_s, "timeout": source.timeout_s,
        "deadline": options.pop("deadline", None), "max_bytes": source.max_bytes,
        "stale_after": source.stale_after_s, "options": options,
        "status": state.status if state is not None else "pending",
        "stale": is_stale(source, state, now),
        "age": round(age, 1) if age is not None else None,
        "last_attempt_at": _when(state.last_attempt_at) if state else None,
        "last_success_at": _when(state.checked_at) if state else None,
        "fetched_at": _when(state.fetched_at) if state else None,
        "source_updated_at": _when(state.source_updated_at) if state else None,
        "record_count": state.record_count if state else None,
        "bytes": state.bytes if state else None,
        "failures": state.failures if state else 0,
        "last_error": error_text(state.last_error, language) if state else None,
        "last_error_at": _when(state.last_error_at) if state else None,
        "note": error_text(state.note, language) if state else None,
    }


def listing(session: Session, now: datetime, language: str) -> list[dict[str, Any]]:
    """Every source in the file's order."""
    rows = session.execute(
        select(DataSource, DataSourceState)
        .outerjoin(DataSourceState, DataSourceState.source_id == DataSource.id)
        .order_by(DataSource.position, DataSource.id)).all()
    return [describe(source, state, now, language) for source, state in rows]


def one(session: Session, source_id: str, now: datetime, language: str
        ) -> dict[str, Any] | None:
    source = session.get(DataSource, source_id)
    if source is None:
        return None
    return describe(source, session.get(DataSourceState, source_id), now, language)
