"""One play-journal record (docs/protocol.md section 5, ``journal``): its fields, its
canonical form and hash, and the check of a line read back from disk.

Pure and without I/O, like ``player.timeline``: the journal's files
(``player.journal``), the recorder (``player.play_recorder``), the sender and the tests
all use these rules, so the hash the player writes is the one the controller recomputes.
A line read from disk is trusted only if it parses, its ``hash`` is the hash of the rest
and, where the previous record is known, it follows it (``seq`` + 1, ``prev``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

GENESIS = "0" * 64  # ``prev`` of seq 1
KINDS = ("item", "emergency", "identify", "idle", "loss")
ENDED = ("duration", "emergency", "identify", "schedule", "restart", "stop", "loss")
SOURCES = ("kiosk", "headless")
MAX_RECORD = 2048  # bytes, the protocol's limit for one record
MAX_SPAN = 24 * 3600.0  # seconds between start and end at most
MAX_LIST = 8  # languages, media
MAX_NAME = 64  # playlist and item ids


class BadLine(ValueError):
    """A line of a journal file that cannot be trusted; the message says why."""


def iso_ms(ts: float) -> str:
    """Epoch seconds → ``2026-11-26T07:00:10.120Z`` (UTC, milliseconds)."""
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> float:
    """``2026-11-26T07:00:10.120Z`` → epoch seconds."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def canonical(record: dict) -> bytes:
    """The bytes hashed: the record without ``hash``, keys sorted, no spaces, UTF-8."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def record_hash(record: dict) -> str:
    """SHA-256 (hex) of the record's canonical form."""
    return hashlib.sha256(canonical(record)).hexdigest()


def seal(fields: dict, seq: int, prev: str) -> dict:
    """A complete record: ``fields`` with ``seq``, ``prev`` and its ``hash``."""
    record = dict(fields, seq=seq, prev=prev)
    record["hash"] = record_hash(record)
    return record


def line_of(record: dict) -> bytes:
    """A record as one line of a journal file (the canonical form plus its hash)."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8") + b"\n"


def wire_size(record: dict) -> int:
    """Bytes the record takes in a batch as Socket.IO serialises it (ASCII escapes)."""
    return len(json.dumps(record, separators=(",", ":")))


def read_line(line: bytes, after: tuple[int, str] | None = None) -> dict:
    """The record on ``line`` (with or without its newline), or ``BadLine``. ``after``:
    the ``(seq, hash)`` of the record before it, when known, which it must follow."""
    try:
        record = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadLine(f"not JSON ({exc.__class__.__name__})") from None
    if not isinstance(record, dict):
        raise BadLine("not a JSON object")
    seq, digest = record.get("seq"), record.get("hash")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise BadLine(f"seq {seq!r} is not an integer ≥ 1")
    if not isinstance(digest, str) or record_hash(record) != digest:
        raise BadLine(f"record {seq}: its hash does not match its content")
    if after is not None and (seq != after[0] + 1 or record.get("prev") != after[1]):
        raise BadLine(f"record {seq} does not follow record {after[0]} (seq or prev)")
    return record


def bounded(fields: dict) -> dict:
    """``fields`` cut to the protocol's limits (names ≤ 64, lists ≤ 8), so that a
    record is never refused for its size."""
    out = dict(fields)
    for key in ("playlist", "item"):
        if isinstance(out.get(key), str):
            out[key] = out[key][:MAX_NAME]
    for key in ("languages", "media"):
        out[key] = [str(x)[:64] for x in (out.get(key) or [])][:MAX_LIST]
    return out
