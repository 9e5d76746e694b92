"""The hash-chain check of one batch (pure: no database, no clock of its own).

Given what is stored of the journal around the batch's seqs, it decides for each record:
stored, duplicate (same seq, same hash: counted, not stored again), or not stored with a
finding (``conflict``: same seq, another hash; ``refused``: wrong hash, or times outside
the declared limits). It also notes what it sees in the chain of what is stored: a
``break`` (``prev`` is not the hash of the record before), a ``gap`` (seqs that never
arrived) or a ``declared_loss`` (a hole the player declared with a ``loss`` record, whose
``lost_last_hash`` then continues the chain). Records with a break or after a gap are
stored all the same: the journal is evidence, and a report states the findings beside it.

A gap is reported once, when the first record after it arrives; a record that later
fills part of a reported hole is stored without a new finding. A ``loss`` record that
arrives after the hole it declares (it is written after the records it follows) adds
its ``declared_loss`` finding then: a report reads the two together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from controller.plays.batch import JournalRecord
from controller.plays.declaration import GENESIS, MAX_AGE, MAX_AHEAD, MAX_SPAN


@dataclass(frozen=True)
class Finding:
    kind: str  # gap | break | conflict | new_journal | declared_loss | refused
    detail: str
    seq_from: int | None = None
    seq_to: int | None = None
    about_at: datetime | None = None

    def answer(self) -> dict[str, object]:
        """As the ack lists it (docs/protocol.md)."""
        return {"kind": self.kind, "from": self.seq_from, "to": self.seq_to,
                "message": self.detail}


@dataclass(frozen=True)
class Loss:
    """What a ``loss`` record declares: seqs ``lost_from``…``lost_to`` were dropped and
    the last of them had ``last_hash``."""

    lost_from: int
    lost_to: int
    last_hash: str
    seq: int

    @classmethod
    def of(cls, record: JournalRecord) -> Loss:
        return cls(record.get("lost_from"), record.get("lost_to"),
                   record.get("lost_last_hash"), record.seq)


@dataclass
class Verdict:
    store: list[JournalRecord] = field(default_factory=list)
    duplicates: int = 0
    findings: list[Finding] = field(default_factory=list)
    stored_through: int = 0
    last_hash: str | None = None


def time_problem(record: JournalRecord, now: datetime) -> str | None:
    """Why the record's times are outside the declared limits, or None."""
    if record.end < record.start:
        return "it ends before it starts"
    span = record.seconds
    if record.kind != "loss" and span > MAX_SPAN.value:
        return (f"it lasts {span / 3600:.1f} h; a record may last at most "
                f"{MAX_SPAN.value / 3600:g} h")
    ahead = (record.end - now).total_seconds()
    if ahead > MAX_AHEAD.value:
        return (f"it ends {ahead:.0f} s after the controller's now; at most "
                f"{MAX_AHEAD.value:g} s is allowed (is the player's clock offset right?)")
    if record.start < now - timedelta(seconds=MAX_AGE.value):
        return (f"it starts more than {MAX_AGE.value / 86400:g} days before the "
                "controller's now")
    return None


def check_batch(records: list[JournalRecord], stored: dict[int, str],
                stored_through: int, stored_losses: list[Loss],
                now: datetime, stored_prevs: dict[int, str] | None = None,
                refused_before: set[int] | None = None) -> Verdict:
    """``stored``: seq → hash of the journal's stored records, at least those of the
    batch's seqs and each seq − 1. ``stored_through``: the highest stored seq.
    ``stored_prevs``: seq → ``prev`` of the stored records that follow the holes the
    batch's ``loss`` records declare (``lost_to`` + 1), to follow the chain across.
    ``refused_before``: seqs of the batch's neighbours refused in an earlier batch (the
    hole they leave was reported as refused, not as a gap)."""
    verdict = Verdict(stored_through=stored_through,
                      last_hash=stored.get(stored_through))
    known = dict(stored)  # grows with what this batch stores
    refused_with_hash: dict[int, str] = {}  # refused for its times: its hash is genuine
    refused = set(refused_before or ())  # every refused seq: a finding says so, no gap
    losses = list(stored_losses) + [Loss.of(r) for r in records
                                    if r.kind == "loss" and r.hash_matches]
    prevs = {**(stored_prevs or {}), **{r.seq: r.prev for r in records}}
    note = verdict.findings.append
    for record in records:
        seq = record.seq
        if seq in stored:
            if stored[seq] == record.hash:
                verdict.duplicates += 1
            else:
                note(Finding("conflict", f"Record {seq} was stored before with hash "
                             f"{stored[seq][:12]}…; this one has {record.hash[:12]}… and "
                             "was not stored.", seq, seq, record.start))
            continue
        if not record.hash_matches:
            refused.add(seq)
            note(Finding("refused", f"Record {seq} was refused: its hash does not match "
                         "its content (the SHA-256 of its canonical form).", seq, seq,
                         record.start))
            continue
        problem = time_problem(record, now)
        if problem is not None:
            refused_with_hash[seq] = record.hash
            refused.add(seq)
            note(Finding("refused", f"Record {seq} was refused: {problem}.", seq, seq,
                         record.start))
            continue
        if seq - 1 not in refused or seq - 1 in refused_with_hash:
            _check_link(record, known, refused_with_hash, verdict, losses)
        if record.kind == "loss":
            _declared(Loss.of(record), record, verdict, prevs)
        verdict.store.append(record)
        known[seq] = record.hash
        if seq > verdict.stored_through:
            verdict.stored_through, verdict.last_hash = seq, record.hash
    return verdict


def _check_link(record: JournalRecord, known: dict[int, str],
                refused_with_hash: dict[int, str], verdict: Verdict,
                losses: list[Loss]) -> None:
    """Findings about the link from record ``seq − 1`` to this record."""
    seq = record.seq
    before = seq - 1
    expected = GENESIS if seq == 1 else known.get(before, refused_with_hash.get(before))
    if expected is None and seq > verdict.stored_through + 1:
        hole_from = verdict.stored_through + 1
        loss = next((x for x in losses if x.lost_to == before and x.lost_from <= before), None)
        if loss is None:
            verdict.findings.append(Finding(
                "gap", f"{_records(hole_from, before)} never arrived: record {seq} "
                f"follows record {verdict.stored_through or 'none'}.",
                hole_from, before, record.start))
            return
        if loss.lost_from > hole_from:
            verdict.findings.append(Finding(
                "gap", f"{_records(hole_from, loss.lost_from - 1)} never arrived (the "
                f"player declared {loss.lost_from}–{loss.lost_to} lost, in record "
                f"{loss.seq}).", hole_from, loss.lost_from - 1, record.start))
        expected = loss.last_hash
    if expected is not None and record.prev != expected:
        what = ("the start of a journal (64 zeros)" if seq == 1 else
                f"the hash of record {before} ({expected[:12]}…)")
        verdict.findings.append(Finding(
            "break", f"The chain is broken before record {seq}: its prev "
            f"({record.prev[:12]}…) is not {what}.", before, seq, record.start))


def _records(first: int, last: int) -> str:
    return f"Record {first}" if first == last else f"Records {first}–{last}"


def _declared(loss: Loss, record: JournalRecord, verdict: Verdict,
              prevs: dict[int, str]) -> None:
    """The ``declared_loss`` finding of a ``loss`` record, and a ``break`` if the record
    after the hole does not continue from the hash the loss names."""
    dropped = _records(loss.lost_from, loss.lost_to).lower()
    verdict.findings.append(Finding(
        "declared_loss", f"The player dropped {dropped} (its disk budget was reached "
        f"offline, or they were damaged on disk) and declared it in record {record.seq}.",
        loss.lost_from, loss.lost_to, record.start))
    after = loss.lost_to + 1
    if after in prevs and after != record.seq and prevs[after] != loss.last_hash:
        verdict.findings.append(Finding(
            "break", f"The chain is broken across the loss declared in record "
            f"{record.seq}: record {after}'s prev ({prevs[after][:12]}…) is not the "
            f"lost_last_hash ({loss.last_hash[:12]}…).", loss.lost_to, after,
            record.start))
