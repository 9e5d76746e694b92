"""The play journal's files (``player.journal``): one segment per file, named for the seq
of its first record, ``seg-<first>.jsonl`` while it is written, then compressed as
``seg-<first>-<last>.jsonl.gz`` once full.

Why compressed: records are alike (the same playlists, items and files, a day after
day), so a closed segment shrinks about eight times, and the disk budget holds months of
records instead of weeks (docs/operations.md 2.5). Only closed segments are compressed;
the one being appended to stays plain, so a power cut tears at most its last line.
Compression is write, fsync, rename, then delete the plain file: a cut in between leaves
both (the compressed one complete, so the plain one is dropped at start) or a ``.tmp``
(dropped).

Nothing here trusts what it reads: a name's ``<last>`` and a compressed file's content
are only checked when read (``player.journal_record.read_line``); a compressed file that
does not decompress whole gives what it could, and the reader finds the rest missing.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from player.journal_record import GENESIS, BadLine, read_line
from player.store import fsync_dir

log = logging.getLogger("pano.player.journal")

SEGMENT_RE = re.compile(r"^seg-(\d{12})(?:-(\d{12}))?\.jsonl(\.gz)?$")
TAIL_READ = 8192  # bytes read from a plain segment's end to find its last line
TMP_SUFFIX = ".tmp"


@dataclass
class Segment:
    first: int  # seq of its first record (its name)
    path: Path
    size: int  # bytes on disk
    last: int = 0  # seq of its last record (0: not known yet)
    last_hash: str | None = None
    appendable: bool = True  # False: found damaged at start, new records go elsewhere
    compressed: bool = False


def segment_path(directory: Path, first: int) -> Path:
    return directory / f"seg-{first:012d}.jsonl"


def lines_of(data: bytes) -> list[tuple[int, bytes]]:
    """``(offset, line)`` of each complete line of ``data`` (newline excluded)."""
    out, offset = [], 0
    while offset < len(data):
        end = data.find(b"\n", offset)
        if end < 0:
            break
        out.append((offset, data[offset:end]))
        offset = end + 1
    return out


def trusted(line: bytes) -> dict | None:
    """The record on ``line`` if it checks by itself, else None."""
    try:
        return read_line(line)
    except BadLine:
        return None


def scan(directory: Path) -> list[Segment]:
    """The segments in ``directory``, oldest first, after removing what a cut during
    compression left (a ``.tmp``; a plain file whose compressed copy is complete)."""
    for tmp in directory.glob(f"seg-*{TMP_SUFFIX}"):
        tmp.unlink(missing_ok=True)
    found: dict[int, Segment] = {}
    for path in sorted(directory.iterdir()):
        match = SEGMENT_RE.match(path.name)
        if not match:
            continue
        first = int(match.group(1))
        segment = Segment(first, path, path.stat().st_size,
                          last=int(match.group(2) or 0), compressed=bool(match.group(3)))
        other = found.get(first)
        if other is not None:  # compressed and plain: the compressed one is complete
            plain = segment if not segment.compressed else other
            plain.path.unlink(missing_ok=True)
            segment = segment if segment.compressed else other
        found[first] = segment
    return [found[first] for first in sorted(found)]


def read_data(segment: Segment) -> bytes:
    """A segment's lines as bytes (decompressed; as much as decompresses)."""
    raw = segment.path.read_bytes()
    if not segment.compressed:
        return raw
    decompressor = zlib.decompressobj(wbits=31)  # gzip
    out = []
    try:  # in pieces, so that what came before a damaged byte is kept
        for at in range(0, len(raw), 16 * 1024):
            out.append(decompressor.decompress(raw[at:at + 16 * 1024]))
    except zlib.error as exc:
        log.error("journal %s does not decompress whole (%s)", segment.path.name, exc)
    return b"".join(out)


def learn_last(segment: Segment) -> None:
    """A closed segment's last record (``last``, ``last_hash``), from its last line."""
    line = last_line(segment)
    record = trusted(line) if line is not None else None
    if record is not None:
        segment.last, segment.last_hash = record["seq"], record["hash"]


def last_line(segment: Segment) -> bytes | None:
    """The last complete line of a segment, or None."""
    if segment.compressed:
        data = read_data(segment)
    else:
        with open(segment.path, "rb") as f:
            f.seek(max(0, segment.size - TAIL_READ))
            data = f.read()
    lines = lines_of(data)
    return lines[-1][1] if lines else None


def recover_tail(segment: Segment) -> tuple[int, str] | None:
    """Read the segment being appended to when the player stopped, whole, checking
    every line and the chain: a torn last line (a power cut mid-write) is cut off; a
    damaged line before the last makes the segment closed (``appendable`` False), and
    the chain goes on from the last line after the damage that checks by itself (the
    records between are declared lost when the sender reaches them), else from the last
    good line. Sets the segment's ``last``; returns the chain's tail ``(seq, hash)``, or
    None if nothing in it is usable."""
    data = segment.path.read_bytes()
    lines = lines_of(data)
    after: tuple[int, str] | None = None
    good_end = 0  # offset after the last good line
    bad_at: int | None = None
    for index, (offset, line) in enumerate(lines):
        try:
            record = read_line(line, after)
        except BadLine as exc:
            if index == len(lines) - 1:
                log.warning("journal %s: last line dropped (%s), torn by a stop or a "
                            "power cut", segment.path.name, exc)
            else:
                bad_at = index
                log.error("journal %s: line %d damaged (%s)", segment.path.name,
                          index + 1, exc)
            break
        after = (record["seq"], record["hash"])
        good_end = offset + len(line) + 1
    if bad_at is None:
        if good_end < len(data):
            with open(segment.path, "r+b") as f:
                f.truncate(good_end)
                os.fsync(f.fileno())
            segment.size = good_end
        if after is not None:
            segment.last, segment.last_hash = after
        return after
    tail = after or (segment.first - 1, GENESIS)
    for _, line in reversed(lines[bad_at + 1:]):
        record = trusted(line)
        if record is not None and record["seq"] > tail[0]:
            tail = (record["seq"], record["hash"])
            break
    segment.last, segment.last_hash = tail
    segment.appendable = False
    return tail


def compress(directory: Path, segment: Segment) -> None:
    """Replace a full, fsynced plain segment by its compressed copy (best effort: on an
    error the plain file stays, as good)."""
    target = directory / f"seg-{segment.first:012d}-{segment.last:012d}.jsonl.gz"
    tmp = target.with_name(target.name + TMP_SUFFIX)
    try:
        packed = gzip.compress(segment.path.read_bytes(), compresslevel=6, mtime=0)
        with open(tmp, "wb") as f:
            f.write(packed)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        fsync_dir(directory)
        segment.path.unlink()
    except OSError as exc:
        log.error("cannot compress journal %s (kept as it is): %s", segment.path.name, exc)
        tmp.unlink(missing_ok=True)
        return
    segment.path, segment.size, segment.compressed = target, len(packed), True


def span(data: bytes, from_seq: int) -> tuple[int | None, str | None, str | None]:
    """What the records from ``from_seq`` on in a segment's data cover, from every line
    that checks by itself (a damaged one is skipped): the first seq (a ``loss`` record
    counts from its ``lost_from``, so a loss dropped with its segment stays declared),
    the first ``start`` and the last ``end``."""
    first, start, end = None, None, None
    for _, line in lines_of(data):
        record = trusted(line)
        if record is None or record["seq"] < from_seq:
            continue
        begins = record["seq"]
        if record.get("kind") == "loss" and isinstance(record.get("lost_from"), int):
            begins = min(begins, record["lost_from"])
        first = begins if first is None else min(first, begins)
        if isinstance(record.get("start"), str):
            start = record["start"] if start is None else min(start, record["start"])
        end = record.get("end") or end
    return first, start, end
