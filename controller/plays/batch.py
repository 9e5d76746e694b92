"""Validation (pure) of a ``journal`` batch against ``controller.plays.declaration``.

What this refuses is refused whole (``PayloadRefused``, ``bad_request``): a batch that is
not of the declared shape or over its limits is not a batch a correct player sends, and
storing part of it would only make the chain findings harder to read. Each refusal is a
sentence naming the record, the field and the limit. What is left to judge per record
(its hash, its times against the controller's clock) is ``controller.plays.chain``'s:
those records become findings, the rest of the batch is stored.

A record's hash is recomputed here from its canonical form (docs/protocol.md): the
record as sent without ``hash``, keys sorted, no spaces, UTF-8 — the bytes the player
hashed, whatever other fields it sent.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from controller.players.payloads import PayloadRefused
from controller.plays.declaration import (
    FIELDS_BY_NAME,
    JOURNAL_ID_PATTERN,
    MAX_BATCH,
    MAX_CODE,
    MAX_LIST,
    MAX_NAME,
    MAX_RECORD,
    MAX_RECORDS,
    MAX_SEQ,
    MAX_TIME_TEXT,
    RECORD_FIELDS,
    RecordField,
)

_DIGEST = re.compile(r"[0-9a-f]{64}")
_JOURNAL_ID = re.compile(JOURNAL_ID_PATTERN)
MAX_COUNT = MAX_SEQ  # versions and ids are 32-bit columns on PostgreSQL
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class JournalRecord:
    """One record as sent (``body``), with what the checks need already parsed."""

    seq: int
    prev: str
    hash: str
    kind: str
    start: datetime
    end: datetime
    body: dict[str, Any]

    @property
    def hash_matches(self) -> bool:
        return record_hash(self.body) == self.hash

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def get(self, name: str) -> Any:
        return self.body.get(name)


@dataclass(frozen=True)
class JournalBatch:
    journal: str
    records: list[JournalRecord]


def wire_size(value: Any) -> int:
    """Bytes of ``value`` as compact JSON with non-ASCII escaped: what Socket.IO sends,
    and the measure of the batch and record limits."""
    return len(json.dumps(value, separators=(",", ":")))


def canonical(record: Mapping[str, Any]) -> bytes:
    """The bytes a record's hash is over (docs/protocol.md section 5, ``journal``)."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def record_hash(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "…"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any, longest: int) -> bool:
    """A string of 1…``longest`` characters without control characters (PostgreSQL
    cannot store NUL, and no id or code has one)."""
    return isinstance(value, str) and 0 < len(value) <= longest and not _CONTROL.search(value)


def _strings(value: Any, longest: int) -> bool:
    return (isinstance(value, list) and len(value) <= MAX_LIST
            and all(_text(v, longest) for v in value))


def _rule_broken(field: RecordField, value: Any) -> str | None:
    """What is wrong with a present, non-null ``value`` of ``field``, or None."""
    shape = field.shape
    if shape == "seq" and not (_is_int(value) and 1 <= value <= MAX_SEQ):
        return f"an integer 1…{MAX_SEQ}"
    if shape == "count" and not (_is_int(value) and 0 <= value <= MAX_COUNT):
        return f"an integer 0…{MAX_COUNT}"
    if shape == "digest" and not (isinstance(value, str) and _DIGEST.fullmatch(value)):
        return "a SHA-256 (64 lowercase hex digits)"
    if shape == "choice" and value not in field.choices:
        return "one of " + ", ".join(field.choices)
    if shape == "name" and not _text(value, MAX_NAME):
        return f"a string of 1…{MAX_NAME} characters (no control characters)"
    if shape == "codes" and not _strings(value, MAX_CODE):
        return f"a list of at most {MAX_LIST} language codes of 1…{MAX_CODE} characters"
    if shape == "names" and not _strings(value, MAX_NAME):
        return f"a list of at most {MAX_LIST} strings of 1…{MAX_NAME} characters"
    if shape == "time" and _time(value) is None:
        return "an ISO 8601 time with a zone, e.g. 2026-11-26T07:00:10.120Z"
    return None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > MAX_TIME_TEXT:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else None


def _record(index: int, raw: Any) -> JournalRecord:
    where = f"records[{index}]"
    if not isinstance(raw, Mapping):
        raise PayloadRefused(f"{where} must be a JSON object (a journal record), got "
                             f"{_shown(raw)}.")
    size = wire_size(raw)
    if size > MAX_RECORD.value:
        raise PayloadRefused(f"{where} (seq {_shown(raw.get('seq'))}) is {size} bytes; a "
                             f"record may be at most {int(MAX_RECORD.value)} bytes.")
    kind = raw.get("kind")
    for field in RECORD_FIELDS:
        value = raw.get(field.name)
        if value is None:
            if field.required or kind in field.needed_by:
                needed = "every record" if field.required else f"a {kind!r} record"
                raise PayloadRefused(f"{where} (seq {_shown(raw.get('seq'))}) has no "
                                     f"{field.name!r}, which {needed} needs.")
            continue
        broken = _rule_broken(field, value)
        if broken is not None:
            raise PayloadRefused(f"{where} (seq {_shown(raw.get('seq'))}): {field.name} "
                                 f"must be {broken}, got {_shown(value)}.")
    start, end = _time(raw["start"]), _time(raw["end"])
    assert start is not None and end is not None  # checked above
    return JournalRecord(seq=raw["seq"], prev=raw["prev"], hash=raw["hash"], kind=kind,
                         start=start, end=end, body=dict(raw))


def validate_batch(payload: Any) -> JournalBatch:
    """The batch, or ``PayloadRefused`` saying why it is refused whole."""
    if not isinstance(payload, Mapping):
        raise PayloadRefused("journal must be a JSON object {\"journal\": \"<journal "
                             "id>\", \"records\": [...]} (docs/protocol.md, section 5).")
    size = wire_size(payload)
    if size > MAX_BATCH.value:
        raise PayloadRefused(f"The journal batch is {size} bytes; the limit is "
                             f"{int(MAX_BATCH.value) // 1024} KiB. Send fewer records "
                             "at a time.")
    journal = payload.get("journal")
    if not isinstance(journal, str) or not _JOURNAL_ID.fullmatch(journal):
        raise PayloadRefused(f"journal must be the journal's id (a UUID), got "
                             f"{_shown(journal)}.")
    records = payload.get("records")
    if not isinstance(records, list):
        raise PayloadRefused(f"records must be a list of journal records, got "
                             f"{_shown(records)}.")
    if len(records) > MAX_RECORDS.value:
        raise PayloadRefused(f"The batch has {len(records)} records; the limit is "
                             f"{int(MAX_RECORDS.value)}.")
    unknown = sorted(set(payload) - {"journal", "records"})
    if unknown:
        raise PayloadRefused(f"A journal batch has only 'journal' and 'records'; it also "
                             f"had {', '.join(repr(str(k)[:40]) for k in unknown[:5])}.")
    parsed = [_record(i, r) for i, r in enumerate(records)]
    for before, after in zip(parsed, parsed[1:], strict=False):
        if after.seq <= before.seq:
            raise PayloadRefused(f"Records must be in increasing seq order: seq "
                                 f"{after.seq} follows seq {before.seq}.")
    return JournalBatch(journal=journal.lower(), records=parsed)


__all__ = ["FIELDS_BY_NAME", "JournalBatch", "JournalRecord", "PayloadRefused",
           "canonical", "record_hash", "validate_batch", "wire_size"]
