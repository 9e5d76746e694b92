"""The play journal on disk (docs/protocol.md section 5, ``journal``, "On disk"): what
was really on screen, kept through power cuts, restarts and weeks offline until the
controller says it has stored it.

Layout, in ``<cache_dir>/journal/``: ``journal.json`` (the journal's id, made once),
``state.json`` (``stored_through`` and the losses so far), ``open.json`` (the record on
screen now, not finished: ``player.play_recorder``), and segments of one record per line
(``player.journal_record``), 1/64 of the budget each before they are compressed
(``player.journal_segments``).

Promises:

- Append-only. Lines are written whole and ``fsync``ed at least every ``FSYNC_EVERY``
  seconds (``run``); a power cut loses at most those seconds. A torn last line is
  dropped at start.
- Nothing is trusted because it is on disk. At start the last segment is read and
  checked whole (every hash, the chain); older segments are checked as they are read for
  sending. A line that fails in the middle ends the reading of its segment: the records
  from it to the end of that segment are lost, and a ``loss`` record says so (once: the
  declaration is remembered in ``state.json``). A later segment starts where the damaged
  one ends, so the chain goes on from there.
- Bounded: past ``max_bytes`` the oldest segment is deleted; if it held records the
  controller had not stored, a ``loss`` record (``lost_from``, ``lost_to``,
  ``lost_last_hash``, the time they covered) takes their place in the chain. Deleting a
  whole file is cheap, which is why the journal is in segments.
- Records stay until the controller's ``stored_through`` passes them.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from pathlib import Path

from player.journal_record import GENESIS, BadLine, line_of, read_line, seal, wire_size
from player.journal_segments import (
    Segment,
    compress,
    learn_last,
    read_data,
    recover_tail,
    scan,
    segment_path,
    span,
    trusted,
)
from player.store import fsync_dir, write_json_atomic

log = logging.getLogger("pano.player.journal")

DIRECTORY = "journal"
META_FILE = "journal.json"
STATE_FILE = "state.json"
FSYNC_EVERY = 1.0  # seconds; the protocol asks for at least every 2 s
SEGMENTS_IN_BUDGET = 64  # plain; compressed, the budget holds some 500
SEGMENT_MIN, SEGMENT_MAX = 16 * 1024, 1024 * 1024


class Journal:
    """Thread-safe: the recorder appends, the sender reads batches and acks, ``/status``
    reads the counters, ``run`` fsyncs."""

    def __init__(self, cache_dir: Path | str, max_bytes: int = 64 * 1024 * 1024,
                 source: str = "headless") -> None:
        self.directory = Path(cache_dir) / DIRECTORY
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.segment_bytes = min(max(max_bytes // SEGMENTS_IN_BUDGET, SEGMENT_MIN),
                                 SEGMENT_MAX)
        self.source = source
        self._lock = threading.RLock()
        self._segments: list[Segment] = []
        self._file = None  # the segment being appended to, opened unbuffered
        self._dirty = False
        self._tail: tuple[int, str] = (0, GENESIS)
        # Where the sender reads next: (index of a segment, offset, the record before).
        self._cursor: tuple[int, int, tuple[int, str] | None] | None = None
        self._pending_line: tuple[int, int, dict] | None = None  # read, not yet taken
        self._data: tuple[Path, bytes] | None = None  # a closed segment being read
        self._closed_bytes = 0  # on disk, but for the segment being appended to
        self._oldest: tuple[int, str | None] | None = None  # (stored_through, start)
        self.stored_through = 0
        self.losses = 0
        self.lost_records = 0
        self._lost_through = 0  # the highest seq declared lost so far
        self._declared: list[int] = []  # segments whose damage a loss record declared
        self.journal_id = self._load_meta()
        self._load_state()
        self._load_segments()
        self._drop_stored()

    # --- start-up ------------------------------------------------------------------

    def _load_meta(self) -> str:
        path = self.directory / META_FILE
        try:
            value = json.loads(path.read_text(encoding="utf-8"))["journal"]
            return str(uuid.UUID(str(value)))
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("journal id in %s unusable (%s): starting a new journal", path, exc)
        for old in self.directory.glob("*"):  # records of an unknown journal: unusable
            if old.name != META_FILE:
                old.unlink(missing_ok=True)
        journal_id = str(uuid.uuid4())
        write_json_atomic(path, {"journal": journal_id})
        log.info("new play journal %s", journal_id)
        return journal_id

    def _load_state(self) -> None:
        try:
            data = json.loads((self.directory / STATE_FILE).read_text(encoding="utf-8"))
            self.stored_through = max(0, int(data.get("stored_through", 0)))
            self.losses = max(0, int(data.get("losses", 0)))
            self.lost_records = max(0, int(data.get("lost_records", 0)))
            self._lost_through = max(0, int(data.get("lost_through", 0)))
            self._declared = [int(x) for x in data.get("declared", [])][-SEGMENTS_IN_BUDGET:]
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            log.error("journal state unusable (%s): every record on disk counts as unsent",
                      exc)

    def _save_state(self) -> None:
        write_json_atomic(self.directory / STATE_FILE, {
            "stored_through": self.stored_through, "losses": self.losses,
            "lost_records": self.lost_records, "lost_through": self._lost_through,
            "declared": self._declared})

    def _load_segments(self) -> None:
        self._segments = scan(self.directory)
        for segment, following in zip(self._segments, self._segments[1:], strict=False):
            segment.last = following.first - 1  # checked when read
        if self._segments and self._segments[-1].compressed:  # cut before the next began
            self._segments[-1].appendable = False
            learn_last(self._segments[-1])
            self._tail = (self._segments[-1].last, self._segments[-1].last_hash or GENESIS)
        elif self._segments:
            self._recover_tail(self._segments[-1])
        if self.stored_through > self._tail[0]:
            log.error("the controller stored up to record %d, the journal on disk ends at "
                      "%d: going on from %d (its chain cannot be followed)",
                      self.stored_through, self._tail[0], self.stored_through + 1)
            self._tail = (self.stored_through, GENESIS)
        self._open_segment(self._tail[0] + 1)

    def _recover_tail(self, segment: Segment) -> None:
        """The chain goes on from the last segment's last good record (a torn last line
        dropped; a damaged one: a new segment for what comes next)."""
        tail = recover_tail(segment)
        if tail is None:  # nothing usable in it: an empty, just-rolled segment
            segment.path.unlink()
            self._segments.pop()
            if self._segments:
                prev = self._segments[-1]
                learn_last(prev)
                self._tail = (prev.last, prev.last_hash or GENESIS)
            return
        self._tail = tail

    def _open_segment(self, first: int, fresh: bool = False) -> None:
        """Append from now on to a segment starting at ``first``: a new file if
        ``fresh``, else the last one if it ends just before ``first`` and has room."""
        if self._file is not None:
            self._file.close()
        last = self._segments[-1] if self._segments else None
        if fresh or last is None or last.last != first - 1 or last.compressed \
                or last.size >= self.segment_bytes or not last.appendable:
            last = Segment(first, segment_path(self.directory, first), 0)
            self._segments.append(last)
        self._file = open(last.path, "ab", buffering=0)  # noqa: SIM115 - kept open
        fsync_dir(self.directory)
        self._recount()

    def _recount(self) -> None:
        """After the list of segments or a closed one's size changed."""
        self._closed_bytes = sum(s.size for s in self._segments[:-1])

    def _pop_oldest(self) -> Segment:
        """Forget the oldest segment (the caller deletes its file); the cursor follows."""
        if self._cursor is not None:
            index, offset, after = self._cursor
            self._cursor = (index - 1, offset, after) if index > 0 else None
        dropped = self._segments.pop(0)
        self._recount()
        return dropped

    def _drop_stored(self) -> None:
        """Delete the segments the controller has stored whole (never the open one)."""
        while len(self._segments) > 1 and self._segments[0].last <= self.stored_through:
            self._pop_oldest().path.unlink(missing_ok=True)

    # --- appending -----------------------------------------------------------------

    @property
    def last_seq(self) -> int:
        with self._lock:
            return self._tail[0]

    def append(self, fields: dict) -> dict:
        """Seal ``fields`` as the next record, write its line (fsynced by ``flush``);
        then keep the journal within its budget."""
        with self._lock:
            record = self._write(fields)
            self._enforce_budget()
            return record

    def _write(self, fields: dict) -> dict:
        seq, prev = self._tail
        record = seal(fields, seq + 1, prev)
        line = line_of(record)
        current = self._segments[-1]
        if current.size and current.size + len(line) > self.segment_bytes:
            self._flush_locked()
            self._open_segment(record["seq"], fresh=True)  # the new file, then the old packed
            compress(self.directory, current)
            self._recount()
            current = self._segments[-1]
        self._file.write(line)
        current.size += len(line)
        current.last, current.last_hash = record["seq"], record["hash"]
        self._tail = (record["seq"], record["hash"])
        self._dirty = True
        return record

    def _enforce_budget(self) -> None:
        while self.bytes_on_disk() > self.max_bytes and len(self._segments) > 1:
            dropped = self._pop_oldest()
            if dropped.last > self.stored_through:
                covered, start, end = span(read_data(dropped), self.stored_through + 1)
                lost_from = max(min(covered or dropped.first, dropped.first),
                                self.stored_through + 1)
                log.error("journal over its budget (%d MiB): records %d–%d deleted unsent",
                          self.max_bytes // 2**20, lost_from, dropped.last)
                self._declare(lost_from, dropped.last, start, end)
            dropped.path.unlink(missing_ok=True)
            self._data = None

    def _declare(self, lost_from: int, lost_to: int, start: str | None,
                 end: str | None) -> None:
        """Write the ``loss`` record for records ``lost_from``–``lost_to``."""
        following = self._first_of(lost_to + 1)
        last_hash = self._tail[1] if lost_to == self._tail[0] else \
            (following or {}).get("prev") or GENESIS
        when = start or end or (following or {}).get("start") or "1970-01-01T00:00:00.000Z"
        self._write({
            "kind": "loss", "start": when, "end": max(end or when, when), "ended": "loss",
            "source": self.source, "playlist": None, "version": None, "item": None,
            "languages": [], "media": [], "emergency": None, "timeline_version": None,
            "lost_from": lost_from, "lost_to": lost_to,
            "lost_last_hash": last_hash})
        self.losses += 1
        self.lost_records += max(0, lost_to - max(lost_from - 1, self._lost_through))
        self._lost_through = max(self._lost_through, lost_to)
        self._save_state()

    def _first_of(self, seq: int) -> dict | None:
        """The record ``seq`` if it is the first of a segment on disk."""
        for index, segment in enumerate(self._segments):
            if segment.first == seq:
                return trusted(self._line_at(index, 0).rstrip(b"\n"))
        return None

    def _line_at(self, index: int, offset: int) -> bytes:
        """The line of segment ``index`` from ``offset`` (with its newline if whole)."""
        segment = self._segments[index]
        if not segment.compressed and index == len(self._segments) - 1:
            with open(segment.path, "rb") as f:  # growing: read it where it is
                f.seek(offset)
                return f.readline()
        if self._data is None or self._data[0] != segment.path:
            self._data = (segment.path, read_data(segment))
        data = self._data[1]
        end = data.find(b"\n", offset)
        return data[offset:] if end < 0 else data[offset:end + 1]

    def flush(self) -> None:
        """fsync what was written since the last flush."""
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if self._dirty and self._file is not None:
            os.fsync(self._file.fileno())
            self._dirty = False

    def run(self, stop: threading.Event) -> None:
        """fsync every ``FSYNC_EVERY`` seconds until ``stop``."""
        while not stop.wait(FSYNC_EVERY):
            try:
                self.flush()
            except OSError as exc:
                log.error("cannot fsync the play journal: %s", exc)

    def close(self) -> None:
        with self._lock:
            self._flush_locked()
            if self._file is not None:
                self._file.close()
                self._file = None

    # --- sending (player/journal_sender.py) ----------------------------------------

    def batch(self, max_records: int, max_bytes: int) -> list[dict]:
        """The next records to send, oldest first: at most ``max_records`` taking at most
        ``max_bytes`` as sent (``wire_size`` each, plus a comma). A damaged line found on
        the way is declared lost."""
        with self._lock:
            self._flush_locked()  # never send what a power cut could still undo
            records: list[dict] = []
            size = 0
            while len(records) < max_records:
                record = self._next_record()
                if record is None:
                    break
                size += wire_size(record) + 1
                if records and size > max_bytes:
                    break
                records.append(record)
                self._advance()
            if records and self._oldest is None:
                self._oldest = (self.stored_through, records[0].get("start"))
            return records

    def _position(self) -> tuple[int, int, tuple[int, str] | None] | None:
        """The cursor: (index of a segment, offset, the record before), at the first
        record after ``stored_through`` unless a batch moved it."""
        if self._cursor is None:
            for index, segment in enumerate(self._segments):
                if segment.last > self.stored_through:
                    self._cursor = (index, 0, None)
                    break
        return self._cursor

    def _next_record(self) -> dict | None:
        while True:
            position = self._position()
            if position is None:
                return None
            index, offset, after = position
            segment = self._segments[index]
            line = self._line_at(index, offset)
            last = index + 1 >= len(self._segments)
            if last and not line.endswith(b"\n"):
                return None  # the end of the journal
            if not line:
                reached = after[0] if after else max(segment.first - 1, self.stored_through)
                if reached < segment.last:  # a file cut short, or that does not unpack
                    self._damaged(index, after, f"it ends before record {reached + 1}")
                else:
                    self._cursor = (index + 1, 0, after)
                continue
            try:
                record = read_line(line.rstrip(b"\n"), after)
            except BadLine as exc:
                self._damaged(index, after, str(exc))
                continue
            self._pending_line = (index, offset + len(line), record)
            if record["seq"] <= self.stored_through:
                self._advance()
                continue
            return record

    def _advance(self) -> None:
        index, offset, record = self._pending_line
        self._cursor = (index, offset, (record["seq"], record["hash"]))

    def _damaged(self, index: int, after: tuple[int, str] | None, why: str) -> None:
        """A line of segment ``index`` failed: skip the rest of the segment and declare
        its records lost (once)."""
        segment = self._segments[index]
        if index + 1 >= len(self._segments):  # the segment being appended to
            self._flush_locked()
            self._open_segment(self._tail[0] + 1, fresh=True)
        lost_from = max(after[0] + 1 if after else segment.first, self.stored_through + 1)
        lost_to = self._segments[index + 1].first - 1
        self._cursor = (index + 1, 0, None)
        if segment.first in self._declared or lost_from > lost_to:
            return
        log.error("journal %s damaged (%s): records %d–%d lost", segment.path.name, why,
                  lost_from, lost_to)
        self._declared = (self._declared + [segment.first])[-SEGMENTS_IN_BUDGET:]
        _, start, end = span(read_data(segment), lost_from)
        self._declare(lost_from, lost_to, start, end)

    def stored(self, stored_through: int) -> None:
        """The controller's answer: every record up to ``stored_through`` is stored."""
        with self._lock:
            stored_through = min(int(stored_through), self._tail[0])
            if stored_through > self.stored_through:
                self.stored_through = stored_through
                self._save_state()
            cursor = self._cursor
            if cursor is not None and (cursor[2] is None or cursor[2][0] > stored_through):
                self._cursor = None  # sent but not stored: read again from there
            self._drop_stored()
            self._oldest = None

    # --- what /status shows --------------------------------------------------------

    def bytes_on_disk(self) -> int:
        with self._lock:
            return self._closed_bytes + (self._segments[-1].size if self._segments else 0)

    def pending(self) -> int:
        with self._lock:
            return sum(s.last - max(s.first - 1, self.stored_through)
                       for s in self._segments if s.last > self.stored_through)

    def status(self) -> dict:
        with self._lock:
            pending = self.pending()
            if pending and (self._oldest is None or self._oldest[0] != self.stored_through):
                cursor = self._cursor
                self._cursor = None
                record = self._next_record()
                self._cursor = cursor
                self._oldest = (self.stored_through, record and record.get("start"))
            return {"id": self.journal_id, "last_seq": self._tail[0],
                    "stored_through": self.stored_through, "pending": pending,
                    "oldest_pending": self._oldest[1] if pending and self._oldest else None,
                    "bytes": self.bytes_on_disk(), "max_bytes": self.max_bytes,
                    "segments": len(self._segments), "losses": self.losses,
                    "lost_records": self.lost_records}

