"""Storing one ``journal`` batch: one transaction per batch, the same answer for the
socket event and the HTTP route (docs/protocol.md section 5, ``journal``).

Ordering rule: the batch's first statement is the write that creates (or finds) the
journal's row, and the row is then locked (``FOR UPDATE`` on PostgreSQL; on SQLite the
write takes the database's write lock). So two batches of one journal — a player that
resent one, or two connections of one screen — are stored one after the other, and the
second sees what the first stored: its records are duplicates, not stored twice. Should
two transactions still collide (the unique constraint on ``(journal_id, seq)`` is the
last word), the batch is checked again from the start, and the records the other one
stored count as duplicates: a race ends as an answer, never as an error.

A record is stored with the screen's site and its playlist's agency *now*, so a report
for last year still says where the screen stood and who paid for the item then.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from controller.db_upsert import upsert_insert
from controller.metrics.registry import JOURNAL_BATCHES, JOURNAL_RECORDS
from controller.models import PlayFinding, PlayJournal, Playlist, PlayRecord, Screen
from controller.plays.batch import JournalBatch, JournalRecord
from controller.plays.chain import Finding, Loss, Verdict, check_batch
from controller.plays.daily import add_to_daily, daily_rows

log = logging.getLogger("pano.plays")

ATTEMPTS = 3
JOURNALS = PlayJournal.__table__
RECORDS = PlayRecord.__table__


def ingest(session: Session, screen_id: str, batch: JournalBatch,
           now: datetime | None = None) -> dict[str, Any]:
    """Store ``batch`` for ``screen_id`` and commit; returns the acknowledgement."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            answer, stored = _ingest_once(session, screen_id, batch, now or datetime.now(UTC))
            session.commit()
            JOURNAL_BATCHES.inc()
            JOURNAL_RECORDS.inc(stored)
            return answer
        except IntegrityError:
            session.rollback()
            if attempt == ATTEMPTS:
                raise
            log.info("screen %s journal %s: a concurrent batch stored the same records; "
                     "checking again", screen_id, batch.journal)
    raise AssertionError("unreachable")


def _journal_row(session: Session, screen_id: str, journal: str,
                 now: datetime) -> tuple[PlayJournal, bool]:
    """The journal's row, locked; True if this call created it."""
    upsert = upsert_insert(session)
    created = session.execute(
        upsert(JOURNALS).values(screen_id=screen_id, journal=journal, created_at=now,
                                stored_through=0).on_conflict_do_nothing()
        .returning(JOURNALS.c.id)).first() is not None
    row = session.scalars(select(PlayJournal).where(PlayJournal.screen_id == screen_id,
                                                    PlayJournal.journal == journal)
                          .with_for_update().execution_options(populate_existing=True)
                          ).one()
    return row, created


def _stored_around(session: Session, journal_id: int,
                   records: list[JournalRecord]) -> dict[int, str]:
    seqs = {r.seq for r in records} | {r.seq - 1 for r in records}
    return dict(session.execute(select(RECORDS.c.seq, RECORDS.c.hash).where(
        RECORDS.c.journal_id == journal_id, RECORDS.c.seq.in_(sorted(seqs)))).all())


def _stored_losses(session: Session, journal_id: int, records: list[JournalRecord],
                   stored: dict[int, str]) -> list[Loss]:
    """The journal's stored ``loss`` records, read only when the batch has a hole."""
    in_batch = {r.seq for r in records}
    if all(r.seq == 1 or r.seq - 1 in stored or r.seq - 1 in in_batch for r in records):
        return []
    bodies = session.scalars(select(RECORDS.c.body).where(
        RECORDS.c.journal_id == journal_id, RECORDS.c.kind == "loss")).all()
    return [Loss(b["lost_from"], b["lost_to"], b["lost_last_hash"], b["seq"])
            for b in bodies]


def _stored_after_losses(session: Session, journal_id: int,
                         records: list[JournalRecord]) -> dict[int, str]:
    """seq → prev of the stored records right after the holes this batch's ``loss``
    records declare (the chain is followed across each hole)."""
    after = sorted({r.get("lost_to") + 1 for r in records if r.kind == "loss"})
    if not after:
        return {}
    return dict(session.execute(select(RECORDS.c.seq, RECORDS.c.prev_hash).where(
        RECORDS.c.journal_id == journal_id, RECORDS.c.seq.in_(after))).all())


def _refused_before(session: Session, screen_id: str, batch: JournalBatch,
                    stored: dict[int, str]) -> set[int]:
    """The seqs right before the batch's records that an earlier batch sent and the
    controller refused (read only when such a seq is neither stored nor in the batch)."""
    in_batch = {r.seq for r in batch.records}
    missing = sorted({r.seq - 1 for r in batch.records} - in_batch - set(stored) - {0})
    if not missing:
        return set()
    return set(session.scalars(select(PlayFinding.seq_from).where(
        PlayFinding.screen_id == screen_id, PlayFinding.journal == batch.journal,
        PlayFinding.kind == "refused", PlayFinding.seq_from.in_(missing))))


def _new_journal_finding(session: Session, screen_id: str, journal: str,
                         now: datetime) -> Finding | None:
    others = session.scalar(select(func.count()).select_from(JOURNALS).where(
        JOURNALS.c.screen_id == screen_id, JOURNALS.c.journal != journal))
    if not others:
        return None
    return Finding("new_journal", f"Screen {screen_id} started a new journal {journal} "
                   f"(it had {others} before): a new SD card or a cleared cache; what "
                   "the old journal had not sent is lost.", about_at=now)


def _ingest_once(session: Session, screen_id: str, batch: JournalBatch,
                 now: datetime) -> tuple[dict[str, Any], int]:
    """The acknowledgement and how many records were newly stored (not committed)."""
    journal, created = _journal_row(session, screen_id, batch.journal, now)
    stored = _stored_around(session, journal.id, batch.records)
    losses = _stored_losses(session, journal.id, batch.records, stored)
    verdict = check_batch(batch.records, stored, journal.stored_through, losses, now,
                          _stored_after_losses(session, journal.id, batch.records),
                          _refused_before(session, screen_id, batch, stored))
    if created:
        finding = _new_journal_finding(session, screen_id, batch.journal, now)
        if finding is not None:
            verdict.findings.insert(0, finding)
    _store(session, screen_id, journal, verdict, now)
    if verdict.findings:
        log.warning("screen %s journal %s: %s", screen_id, batch.journal,
                    "; ".join(f.detail for f in verdict.findings[:5]))
    return {"ok": True, "stored_through": verdict.stored_through,
            "duplicates": verdict.duplicates,
            "findings": [f.answer() for f in verdict.findings]}, len(verdict.store)


def _store(session: Session, screen_id: str, journal: PlayJournal, verdict: Verdict,
           now: datetime) -> None:
    records = verdict.store
    if records:
        site_id = session.scalar(select(Screen.site_id).where(Screen.id == screen_id))
        playlists = {r.get("playlist") for r in records if r.get("playlist")}
        agencies: dict[str, str | None] = dict(session.execute(
            select(Playlist.id, Playlist.agency_id).where(Playlist.id.in_(playlists))
        ).all()) if playlists else {}
        session.execute(insert(RECORDS), [
            _record_row(r, journal.id, screen_id, site_id, agencies, now) for r in records])
        add_to_daily(session, daily_rows(records, screen_id, site_id, agencies))
    if verdict.findings:
        session.execute(insert(PlayFinding.__table__), [
            {"screen_id": screen_id, "journal": journal.journal, "kind": f.kind,
             "seq_from": f.seq_from, "seq_to": f.seq_to, "about_at": f.about_at,
             "detail": f.detail, "found_at": now} for f in verdict.findings])
    if records or verdict.duplicates:
        session.execute(update(JOURNALS).where(JOURNALS.c.id == journal.id).values(
            stored_through=verdict.stored_through, last_hash=verdict.last_hash,
            last_received_at=now))


def _record_row(record: JournalRecord, journal_id: int, screen_id: str,
                site_id: str | None, agencies: dict[str, str | None],
                now: datetime) -> dict[str, Any]:
    playlist = record.get("playlist")
    return {
        "journal_id": journal_id, "screen_id": screen_id, "site_id": site_id,
        "agency_id": agencies.get(playlist) if playlist else None,
        "seq": record.seq, "prev_hash": record.prev, "hash": record.hash,
        "kind": record.kind, "start_at": record.start, "end_at": record.end,
        "seconds": record.seconds, "ended": record.get("ended"),
        "source": record.get("source"), "playlist_id": playlist,
        "version": record.get("version"), "item_id": record.get("item"),
        "languages": record.get("languages") or [], "media": record.get("media") or [],
        "emergency_id": record.get("emergency"),
        "timeline_version": record.get("timeline_version"),
        "body": record.body, "received_at": now,
    }
