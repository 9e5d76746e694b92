"""The play journal on disk (player/journal.py, docs/protocol.md section 5 ``journal``):
the hash chain and its canonical form, fsync and a torn last line, a damaged line in the
middle, the disk budget and its loss records, restarts, acks."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

import pytest

from player.journal import Journal
from player.journal_record import GENESIS, BadLine, iso_ms, line_of, read_line, seal
from player.journal_segments import read_data, scan
from player.play_recorder import PlayRecorder

T = 1795626000.0


def fields(i: int, **extra) -> dict:
    return {"kind": "item", "start": iso_ms(T + 10 * i), "end": iso_ms(T + 10 * i + 10),
            "ended": "duration", "source": "headless", "playlist": "welcome-hue",
            "version": 3, "item": f"item-{i}", "languages": ["vi", "en"],
            "media": [hashlib.sha256(str(i).encode()).hexdigest()], "emergency": None,
            "timeline_version": 7, **extra}


def lines(journal: Journal) -> list[dict]:
    """Every record on disk, compressed segments or not."""
    out = []
    for segment in scan(journal.directory):
        out += [json.loads(line) for line in read_data(segment).splitlines()]
    return out


def damage(path: Path, line: int) -> int:
    """Change one byte of a line of a (compressed) segment; the seq it had."""
    packed = path.name.endswith(".gz")
    data = path.read_bytes()
    rows = (gzip.decompress(data) if packed else data).split(b"\n")
    seq = json.loads(rows[line])["seq"]
    rows[line] = rows[line].replace(b'"item-', b'"itex-')  # a bad SD card
    data = b"\n".join(rows)
    path.write_bytes(gzip.compress(data) if packed else data)
    return seq


def all_pending(journal: Journal) -> list[dict]:
    records = []
    while batch := journal.batch(100, 10**9):
        records += batch
        journal.stored(batch[-1]["seq"])
    return records


def assert_chain(records: list[dict]) -> None:
    prev = (records[0]["seq"] - 1, records[0]["prev"])
    for record in records:
        assert record["seq"] == prev[0] + 1 and record["prev"] == prev[1], record["seq"]
        prev = (record["seq"], record["hash"])


def test_records_form_a_chain_hashed_as_protocol_md_says(tmp_path):
    journal = Journal(tmp_path)
    written = [journal.append(fields(i)) for i in range(5)]
    journal.close()
    assert written[0]["seq"] == 1 and written[0]["prev"] == GENESIS
    assert_chain(written)
    for record in written:
        # docs/protocol.md: SHA-256 of the record without hash, keys sorted, no spaces.
        body = {k: v for k, v in record.items() if k != "hash"}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False)
        assert record["hash"] == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert lines(journal) == written
    assert written[0]["start"] == "2026-11-25T17:00:00.000Z"


def test_a_tampered_line_fails_its_check():
    sealed = seal(fields(1), 1, GENESIS)
    good = line_of(sealed)
    assert read_line(good)["seq"] == 1
    with pytest.raises(BadLine, match="hash does not match"):
        read_line(good.replace(b"item-1", b"item-9"))
    with pytest.raises(BadLine, match="does not follow"):
        read_line(good, after=(5, "ab" * 32))


def test_appends_are_fsynced_in_batches_and_on_close(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    journal = Journal(tmp_path)
    before = len(synced)
    for i in range(50):
        journal.append(fields(i))
    assert len(synced) == before  # no fsync per record...
    journal.flush()
    assert len(synced) == before + 1  # ...one for the batch
    journal.flush()
    assert len(synced) == before + 1  # nothing new: nothing to sync
    journal.append(fields(50))
    journal.close()
    assert len(synced) == before + 2


def test_a_torn_last_line_is_dropped_and_the_chain_goes_on(tmp_path):
    journal = Journal(tmp_path)
    for i in range(3):
        journal.append(fields(i))
    journal.close()
    segment = scan(journal.directory)[-1].path
    with open(segment, "ab") as f:
        f.write(b'{"emergency":null,"end":"2026-11-2')  # a power cut mid-write
    again = Journal(tmp_path)
    assert again.last_seq == 3 and again.journal_id == journal.journal_id
    record = again.append(fields(3))
    again.close()
    assert record["seq"] == 4
    assert_chain(lines(again))
    assert len(lines(again)) == 4


def test_a_damaged_line_in_the_middle_ends_that_segment_and_is_declared_lost_once(tmp_path):
    journal = Journal(tmp_path, max_bytes=64 * 16 * 1024)  # 16 KiB segments
    written = [journal.append(fields(i)) for i in range(120)]
    journal.close()
    segments = scan(journal.directory)
    assert len(segments) >= 3 and segments[0].compressed and not segments[-1].compressed
    damaged_seq = damage(segments[0].path, 5)
    next_first = segments[1].first

    again = Journal(tmp_path, max_bytes=64 * 16 * 1024)
    sent = all_pending(again)
    seqs = [r["seq"] for r in sent]
    # Read up to the damage, then on from the next segment; the loss is declared last.
    assert seqs[:damaged_seq - 1] == list(range(1, damaged_seq))
    assert damaged_seq not in seqs and next_first in seqs
    loss = sent[-1]
    assert loss["kind"] == "loss" and loss["ended"] == "loss"
    assert (loss["lost_from"], loss["lost_to"]) == (damaged_seq, next_first - 1)
    assert loss["lost_last_hash"] == written[next_first - 2]["hash"]
    # The time the lost records covered, from the lines that still check.
    assert loss["start"] == written[damaged_seq]["start"]
    assert loss["end"] == written[next_first - 2]["end"]
    assert loss["prev"] == written[-1]["hash"]  # the chain goes on from the newest
    assert again.status()["losses"] == 1
    again.close()
    # Declared once: a restart reading the same segment again writes no second loss.
    third = Journal(tmp_path, max_bytes=64 * 16 * 1024)
    third.stored(0)
    assert [r for r in all_pending(third) if r["kind"] == "loss"] == []
    assert third.status()["losses"] == 1


def test_over_its_budget_the_oldest_unsent_go_and_a_loss_record_says_so(tmp_path):
    budget = 128 * 1024  # in 16 KiB segments, compressed to about 2 KiB each when full
    journal = Journal(tmp_path, max_bytes=budget)
    written = [journal.append(fields(i)) for i in range(6000)]
    assert journal.bytes_on_disk() <= budget
    status = journal.status()
    assert status["losses"] >= 1 and status["lost_records"] > 0
    records = all_pending(journal)
    losses = [r for r in records if r["kind"] == "loss"]
    assert losses
    by_seq = {r["seq"]: r for r in written + records}
    for loss in losses:  # each names the hash of its last lost record, and its time
        assert loss["lost_last_hash"] == by_seq[loss["lost_to"] + 1]["prev"]
        assert loss["start"] == by_seq[loss["lost_from"]]["start"]
        last = by_seq.get(loss["lost_to"])  # unknown here if it was itself a loss record
        assert last is None or (loss["lost_last_hash"] == last["hash"]
                                and loss["end"] >= last["end"])
    # A loss record dropped in its turn is declared again by the next one, so the
    # oldest records stay declared.
    assert min(loss["lost_from"] for loss in losses) == 1
    assert status["lost_records"] == max(loss["lost_to"] for loss in losses)
    # What is left is whole: every record not declared lost is there, chained.
    declared = set()
    for loss in losses:
        declared |= set(range(loss["lost_from"], loss["lost_to"] + 1))
    items = [r["seq"] for r in records if r["kind"] == "item"]
    assert set(items) | declared >= {r["seq"] for r in written}
    assert not set(items) & declared
    journal.close()


def test_acks_drop_what_the_controller_stored_and_survive_a_restart(tmp_path):
    journal = Journal(tmp_path, max_bytes=64 * 16 * 1024)
    for i in range(300):
        journal.append(fields(i))
    segments_before = journal.status()["segments"]
    batch = journal.batch(100, 10**9)
    assert [r["seq"] for r in batch] == list(range(1, 101))
    journal.stored(60)  # the controller stored part of it
    again = journal.batch(100, 10**9)
    assert again[0]["seq"] == 61  # the rest is sent again
    journal.stored(again[-1]["seq"])
    assert journal.status()["pending"] == 300 - 160
    assert journal.status()["segments"] < segments_before  # stored segments deleted
    journal.close()
    restarted = Journal(tmp_path, max_bytes=64 * 16 * 1024)
    assert restarted.stored_through == 160
    assert restarted.batch(100, 10**9)[0]["seq"] == 161
    assert restarted.status()["oldest_pending"] == fields(160)["start"]


def test_a_restart_continues_the_chain_and_closes_the_open_record(tmp_path):
    clock = type("C", (), {"offset": 0.0, "now": lambda self: T})()
    journal = Journal(tmp_path)
    recorder = PlayRecorder(journal, clock)
    from player.on_screen import OnScreen
    shown = OnScreen("item", "k1", "headless", ("vi",), (), "welcome", 1, "a",
                     planned_end=T + 10)
    recorder.observe(shown, T)
    recorder.observe(shown, T + 4)
    recorder.observe(OnScreen("item", "k2", "headless", ("en",), (), "welcome", 1, "b",
                              planned_end=T + 20), T + 10)
    recorder.observe(OnScreen("item", "k2", "headless", ("en",), (), "welcome", 1, "b",
                              planned_end=T + 20), T + 16)
    journal.close()  # a crash: the open record was never ended
    again = Journal(tmp_path)
    PlayRecorder(again, clock).resume()
    again.close()
    records = lines(again)
    assert [(r["item"], r["ended"]) for r in records] == [("a", "duration"), ("b", "restart")]
    assert records[1]["end"] == iso_ms(T + 16)  # the last moment it was known shown
    assert_chain(records)


def test_a_lost_journal_id_starts_a_new_journal_at_seq_1(tmp_path):
    journal = Journal(tmp_path)
    journal.append(fields(1))
    journal.close()
    (journal.directory / "journal.json").write_text("{broken")
    fresh = Journal(tmp_path)
    assert fresh.journal_id != journal.journal_id
    assert fresh.append(fields(2))["seq"] == 1


def test_full_segments_are_compressed_and_a_damaged_one_is_declared_lost(tmp_path):
    journal = Journal(tmp_path, max_bytes=64 * 16 * 1024)
    for i in range(200):
        journal.append(fields(i))
    journal.close()
    segments = scan(journal.directory)
    packed = [s for s in segments if s.compressed]
    assert len(packed) >= 4 and sum(s.size for s in packed) * 4 < 16 * 1024 * len(packed)
    # A compression cut short leaves a .tmp (dropped) or both copies (the plain one goes).
    victim = packed[1]
    (journal.directory / (victim.path.name + ".tmp")).write_bytes(b"half")
    plain = journal.directory / f"seg-{victim.first:012d}.jsonl"
    plain.write_bytes(read_data(victim))
    # And a flipped byte in the middle of another compressed file.
    raw = bytearray(packed[2].path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    packed[2].path.write_bytes(bytes(raw))
    again = Journal(tmp_path, max_bytes=64 * 16 * 1024)
    assert not plain.exists() and not list(journal.directory.glob("*.tmp"))
    sent = all_pending(again)
    loss = [r for r in sent if r["kind"] == "loss"]
    assert len(loss) == 1 and loss[0]["lost_to"] == packed[3].first - 1
    assert packed[2].first <= loss[0]["lost_from"] <= loss[0]["lost_to"]
    kept = {r["seq"] for r in sent}
    assert set(range(1, 201)) <= kept | set(range(loss[0]["lost_from"], loss[0]["lost_to"] + 1))
