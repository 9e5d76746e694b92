"""Storing journal batches (controller/plays/ingest.py) on real SQLite and PostgreSQL:
the chain findings of docs/protocol.md section 5 ``journal``, each with what is stored
and what is not, idempotence (a replay, two concurrent sends), the daily sums, and the
append-only triggers."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from plays.journal_helpers import batch, chain, iso, seal
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError

from controller.models import PlayDaily, PlayFinding, PlayJournal, PlayRecord
from controller.plays.batch import validate_batch
from controller.plays.ingest import ingest

SCREEN, OTHER = "phu-bai-arrivals", "a-dot-entry-hall"


def send(sessions, payload, screen=SCREEN, now=None):
    with sessions() as session:
        return ingest(session, screen, validate_batch(payload), now)


def count(sessions, model, *where):
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def findings(answer, kind=None):
    return [f for f in answer["findings"] if kind is None or f["kind"] == kind]


def test_a_chain_is_stored_with_site_agency_and_daily_sums(sessions):
    start = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 09:00 in Huế
    answer = send(sessions, batch(chain(5, start=start)))
    assert answer == {"ok": True, "stored_through": 5, "duplicates": 0, "findings": []}
    with sessions() as session:
        rows = session.scalars(select(PlayRecord).order_by(PlayRecord.seq)).all()
        assert [(r.seq, r.site_id, r.agency_id, r.seconds) for r in rows] == [
            (s, "phu-bai", "tourism", 10.0) for s in range(1, 6)]
        daily = {d.language: (d.day, d.plays, d.seconds, d.site_id, d.agency_id)
                 for d in session.scalars(select(PlayDaily))}
        day = date(2026, 11, 26)
        assert daily == {lang: (day, 5, 50.0, "phu-bai", "tourism")
                         for lang in ("*", "vi", "en")}
        journal = session.scalars(select(PlayJournal)).one()
        assert (journal.stored_through, journal.last_hash) == (5, rows[-1].hash)


def daily_plays(session) -> int:
    """Every day's plays: the records start two hours ago (``chain``), so at times of
    day they cross a local midnight and are summed on two days."""
    return session.scalar(select(func.sum(PlayDaily.plays)).where(PlayDaily.language == "*"))


def test_a_replayed_batch_is_stored_once(sessions):
    payload = batch(chain(5))
    send(sessions, payload)
    again = send(sessions, payload)
    assert again == {"ok": True, "stored_through": 5, "duplicates": 5, "findings": []}
    assert count(sessions, PlayRecord) == 5
    with sessions() as session:
        assert daily_plays(session) == 5


def test_two_concurrent_sends_of_one_batch_store_it_once(sessions):
    payload = batch(chain(50))
    answers: list = []
    barrier = threading.Barrier(4)

    def one() -> None:
        barrier.wait()
        answers.append(send(sessions, payload))

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 4 and all(a["ok"] and a["stored_through"] == 50 for a in answers)
    assert sorted(a["duplicates"] for a in answers) == [0, 50, 50, 50]
    assert count(sessions, PlayRecord) == 50
    with sessions() as session:
        assert daily_plays(session) == 50


def test_a_wrong_hash_is_refused_and_the_rest_stored(sessions):
    records = chain(3)
    records[1] = {**records[1], "item": "tampered"}  # content changed, hash kept
    answer = send(sessions, batch(records))
    [refused] = findings(answer)
    assert refused["kind"] == "refused" and refused["from"] == 2
    assert "hash does not match" in refused["message"]
    assert answer["stored_through"] == 3
    with sessions() as session:
        assert session.scalars(select(PlayRecord.seq).order_by(PlayRecord.seq)).all() == [1, 3]
        assert session.scalar(select(PlayFinding.kind)) == "refused"


def test_a_broken_chain_is_a_finding_and_stored(sessions):
    records = chain(4)
    records[2] = seal({**records[2], "prev": "ab" * 32})
    answer = send(sessions, batch(records))
    # Record 3 was rewritten with another prev (and sealed again): it does not follow 2,
    # and 4 (whose prev is the original 3's hash) does not follow it.
    assert [(f["kind"], f["from"], f["to"]) for f in answer["findings"]] == [
        ("break", 2, 3), ("break", 3, 4)]
    assert "chain is broken before record 3" in answer["findings"][0]["message"]
    assert count(sessions, PlayRecord) == 4 and answer["stored_through"] == 4


def test_missing_records_are_a_gap(sessions):
    records = chain(8)
    journal = batch([])["journal"]
    send(sessions, batch(records[:3], journal))
    answer = send(sessions, batch(records[5:], journal))
    [gap] = findings(answer)
    assert (gap["kind"], gap["from"], gap["to"]) == ("gap", 4, 5)
    assert gap["message"] == "Records 4–5 never arrived: record 6 follows record 3."
    assert answer["stored_through"] == 8
    late = send(sessions, batch(records[3:5], journal))  # the hole filled later
    assert late == {"ok": True, "stored_through": 8, "duplicates": 0, "findings": []}
    assert count(sessions, PlayRecord) == 8


def _twelve_and_a_loss_of_4_to_9() -> tuple[list[dict], dict]:
    """Twelve chained records and the loss record (seq 13) declaring 4–9 lost."""
    records = chain(12)
    loss = seal({"seq": 13, "prev": records[11]["hash"], "kind": "loss",
                 "start": records[3]["start"], "end": records[8]["end"], "ended": "loss",
                 "source": "headless", "lost_from": 4, "lost_to": 9,
                 "lost_last_hash": records[8]["hash"]})
    return records, loss


def test_a_declared_loss_is_not_a_gap(sessions):
    records, loss = _twelve_and_a_loss_of_4_to_9()
    journal = batch([])["journal"]
    send(sessions, batch(records[:3], journal))
    answer = send(sessions, batch(records[9:] + [loss], journal))
    assert [(f["kind"], f["from"], f["to"]) for f in answer["findings"]] == [
        ("declared_loss", 4, 9)]
    assert answer["stored_through"] == 13
    with sessions() as session:  # a loss is not airtime
        assert daily_plays(session) == 6


def test_the_same_seq_with_another_hash_is_a_conflict_not_stored(sessions):
    records = chain(3)
    journal = batch([])["journal"]
    send(sessions, batch(records, journal))
    other = seal({**records[1], "item": "another"})
    answer = send(sessions, batch([other], journal))
    [conflict] = findings(answer)
    assert conflict["kind"] == "conflict" and conflict["from"] == 2
    assert answer["stored_through"] == 3
    with sessions() as session:
        assert session.scalar(select(PlayRecord.item_id).where(PlayRecord.seq == 2)) == "citadel"


@pytest.mark.parametrize("start, seconds, why", [
    (timedelta(minutes=10), 10, "after the controller's now"),
    (-timedelta(days=401), 10, "more than 400 days before"),
    (-timedelta(hours=30), 25 * 3600, "lasts 25.0 h"),
    (-timedelta(hours=1), -60, "ends before it starts"),
])
def test_records_outside_the_time_limits_are_refused(sessions, start, seconds, why):
    now = datetime.now(UTC)
    good = chain(1, start=now - timedelta(hours=3))
    odd = chain(1, first_seq=2, prev=good[0]["hash"], start=now + start, seconds=seconds)
    answer = send(sessions, batch(good + odd), now=now)
    [refused] = findings(answer)
    assert refused["kind"] == "refused" and refused["from"] == 2 and why in refused["message"]
    assert count(sessions, PlayRecord) == 1 and answer["stored_through"] == 1


def test_a_new_journal_of_a_screen_is_a_finding(sessions):
    send(sessions, batch(chain(2)))
    answer = send(sessions, batch(chain(2)))
    assert [f["kind"] for f in answer["findings"]] == ["new_journal"]
    assert count(sessions, PlayJournal) == 2 and count(sessions, PlayRecord) == 4


def test_a_screen_cannot_write_into_another_screens_journal(sessions):
    records = chain(3)
    payload = batch(records)
    send(sessions, payload, screen=SCREEN)
    # The other screen sends the same journal id and the same records: they are its own
    # journal's, stored for it; the first screen's journal is untouched.
    answer = send(sessions, payload, screen=OTHER)
    assert answer == {"ok": True, "stored_through": 3, "duplicates": 0, "findings": []}
    tampered = seal({**records[1], "item": "forged"})
    send(sessions, batch([tampered], payload["journal"]), screen=OTHER)
    with sessions() as session:
        mine = session.scalars(select(PlayRecord).where(PlayRecord.screen_id == SCREEN)
                               .order_by(PlayRecord.seq)).all()
        assert [(r.seq, r.item_id, r.site_id) for r in mine] == [
            (1, "citadel", "phu-bai"), (2, "citadel", "phu-bai"), (3, "citadel", "phu-bai")]
        assert session.scalar(select(func.count()).select_from(PlayRecord).where(
            PlayRecord.screen_id == OTHER, PlayRecord.site_id == "a-dot")) == 3
        assert session.scalar(select(func.count()).select_from(PlayFinding).where(
            PlayFinding.screen_id == SCREEN)) == 0


def test_a_record_over_midnight_splits_its_seconds_and_counts_on_its_start_day(sessions):
    start = datetime(2026, 11, 25, 16, 59, 50, tzinfo=UTC)  # 23:59:50 in Huế
    send(sessions, batch(chain(1, start=start, seconds=30, languages=["vi"])))
    with sessions() as session:
        rows = session.execute(select(PlayDaily.day, PlayDaily.language, PlayDaily.plays,
                                      PlayDaily.seconds).order_by(PlayDaily.day,
                                                                  PlayDaily.language)).all()
    assert [tuple(r) for r in rows] == [
        (date(2026, 11, 25), "*", 1, 10.0), (date(2026, 11, 25), "vi", 1, 10.0),
        (date(2026, 11, 26), "*", 0, 20.0), (date(2026, 11, 26), "vi", 0, 20.0)]


def test_records_and_findings_are_append_only(sessions):
    records = chain(2)
    records[1] = {**records[1], "item": "tampered"}
    send(sessions, batch(records))
    for table, model in (("play_records", PlayRecord), ("play_findings", PlayFinding)):
        for statement in (f"UPDATE {table} SET screen_id = 'x'", f"DELETE FROM {table}"):
            with sessions() as session, pytest.raises(DatabaseError, match="append-only"):
                session.execute(text(statement))
                session.commit()
        with sessions() as session:  # through the ORM, as any code (or an admin) would
            row = session.scalars(select(model)).first()
            row.screen_id = "elsewhere"
            with pytest.raises(DatabaseError, match="append-only"):
                session.commit()
        for statement in (update(model).values(screen_id="x"), delete(model)):
            with sessions() as session, pytest.raises(DatabaseError, match="append-only"):
                session.execute(statement)
                session.commit()
    assert count(sessions, PlayRecord) == 1 and count(sessions, PlayFinding) == 1
    if sessions.kw["bind"].dialect.name == "postgresql":
        for table in ("play_records", "play_findings"):
            with sessions() as session, pytest.raises(DatabaseError, match="append-only"):
                session.execute(text(f"TRUNCATE {table} CASCADE"))
                session.commit()


def test_iso_helper_matches_the_protocol_example():
    assert iso(datetime(2026, 11, 26, 7, 0, 10, 120000, tzinfo=UTC)) == \
        "2026-11-26T07:00:10.120Z"


def test_a_loss_declared_after_its_hole_follows_the_chain_across_it(sessions):
    records, loss = _twelve_and_a_loss_of_4_to_9()
    journal = batch([])["journal"]
    send(sessions, batch(records[:3], journal))
    first = send(sessions, batch(records[9:], journal))  # the hole, seen first: a gap
    assert [(f["kind"], f["from"], f["to"]) for f in first["findings"]] == [("gap", 4, 9)]
    then = send(sessions, batch([loss], journal))
    assert [(f["kind"], f["from"], f["to"]) for f in then["findings"]] == [
        ("declared_loss", 4, 9)]
    assert then["findings"][0]["message"].startswith("The player dropped records 4–9")
    forged = seal({**loss, "seq": 14, "prev": loss["hash"], "lost_last_hash": "cd" * 32})
    answer = send(sessions, batch([forged], journal))
    assert [(f["kind"], f["from"], f["to"]) for f in answer["findings"]] == [
        ("declared_loss", 4, 9), ("break", 9, 10)]


def test_a_record_refused_earlier_leaves_no_gap_behind(sessions):
    now = datetime.now(UTC)
    records = chain(3, start=now - timedelta(hours=1))
    ahead = chain(1, first_seq=4, prev=records[2]["hash"], start=now + timedelta(hours=1))
    after = chain(2, first_seq=5, prev=ahead[0]["hash"], start=now - timedelta(minutes=30))
    journal = batch([])["journal"]
    first = send(sessions, batch(records + ahead, journal), now=now)
    assert [f["kind"] for f in first["findings"]] == ["refused"]
    assert first["stored_through"] == 3
    then = send(sessions, batch(after, journal), now=now)
    assert then == {"ok": True, "stored_through": 6, "duplicates": 0, "findings": []}
