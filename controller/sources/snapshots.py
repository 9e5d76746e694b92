"""Writing a source's outcome into its one ``data_source_states`` row (docs/sources.md
"Statuses"). The rules, each in one function:

- a success (200) replaces the snapshot and the validators; when the records differ
  from the stored ones (by digest) the change is recorded as ``source:<id>``
  (``controller.changes``), in the same transaction, so timelines built on the source
  can be rebuilt;
- a 304 keeps the snapshot and only says it was confirmed (``checked_at``);
- a failure keeps the snapshot and the validators, and records the sentence.

The error sentence is stored as its refusal (template and parameters, JSON) so that the
API says it in the reader's language (``error_text``)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from controller import changes
from controller.models import DataSource, DataSourceState
from controller.refusals import Refusal, from_json, say
from controller.sources.records import Snapshot


def state_of(session: Session, source: DataSource) -> DataSourceState:
    state = session.get(DataSourceState, source.id)
    if state is None:
        state = DataSourceState(source_id=source.id, status="pending", failures=0)
        session.add(state)
    return state


def digest(records: list[Any]) -> str:
    canonical = json.dumps(records, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _succeeded(state: DataSourceState, now: datetime) -> None:
    state.status, state.last_attempt_at, state.checked_at = "ok", now, now
    state.failures = 0


def store_snapshot(session: Session, source: DataSource, snapshot: Snapshot, *, now: datetime,
                   size: int, etag: str | None, last_modified: str | None) -> bool:
    """A new snapshot; returns whether its records changed (and the change was bumped)."""
    state = state_of(session, source)
    new_digest = digest(snapshot.records)
    changed = new_digest != state.digest
    _succeeded(state, now)
    state.fetched_at, state.source_updated_at = now, snapshot.source_updated_at
    state.etag, state.last_modified = (etag or None), (last_modified or None)
    state.bytes, state.record_count = size, len(snapshot.records)
    state.records, state.digest = snapshot.records, new_digest
    state.note = encode(snapshot.note) if snapshot.note else None
    if changed:
        changes.bump(session, changes.Scope("source", source.id))
    return changed


def store_confirmed(session: Session, source: DataSource, now: datetime,
                    etag: str | None, last_modified: str | None) -> None:
    """A 304: the stored snapshot is still the source's."""
    state = state_of(session, source)
    _succeeded(state, now)
    state.etag = etag or state.etag
    state.last_modified = last_modified or state.last_modified


def store_ingested(session: Session, source: DataSource, now: datetime, size: int,
                   note: Refusal | str, etag: str | None, last_modified: str | None) -> None:
    """A CAP feed handed to the CAP ingestion: its result sentence is the status note."""
    state = state_of(session, source)
    _succeeded(state, now)
    state.fetched_at, state.bytes, state.note = now, size, encode(note)
    state.etag, state.last_modified = (etag or None), (last_modified or None)


def store_failure(session: Session, source: DataSource, now: datetime,
                  message: Refusal | str) -> None:
    """A failed attempt: the last good snapshot stays."""
    state = state_of(session, source)
    state.status, state.last_attempt_at = "error", now
    state.last_error, state.last_error_at = encode(message), now
    state.failures = (state.failures or 0) + 1


def encode(message: Refusal | str) -> str:
    if isinstance(message, Refusal):
        return json.dumps(message.as_json(), ensure_ascii=False, default=str)
    return str(message)


def error_text(stored: str | None, language: str) -> str | None:
    """A stored sentence (``encode``) said in ``language``."""
    if not stored:
        return None
    if stored.startswith("{"):
        try:
            return say(from_json(json.loads(stored)), language)
        except (ValueError, TypeError, KeyError):
            return stored
    return stored
