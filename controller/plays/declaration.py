"""The ``journal`` message (docs/protocol.md section 5), declared once: the batch's and the
record's limits and every field of a record with its type and range.

``controller.plays.batch`` validates with this declaration and nothing else, and
``tests/plays/test_declaration_doc.py`` checks that protocol.md's field table and limits
say what is declared here. Change a field or a number here, then the document.

The limits follow from what a correct player sends: a record is a few hundred bytes
(two SHA-256s, a few ids), so 2 KiB leaves room; 100 of them fit 60 KiB, which fits the
transport's 64 KiB message with room for the envelope. Times are checked against the
controller's clock: a player's corrected clock is within seconds of it, so a record more
than 5 minutes ahead is a wrong clock, and one older than 400 days (a year's report plus
a month of slack) cannot belong to any report still to be written.
"""

from __future__ import annotations

from dataclasses import dataclass

from controller.edge.limits import KIB, Limit

GENESIS = "0" * 64  # ``prev`` of seq 1
MAX_SEQ = 2**31 - 1  # the column is a 32-bit integer on PostgreSQL

MAX_RECORDS = Limit("journal_records", 100, "records", "Records in one batch.")
MAX_BATCH = Limit(
    "journal_batch", 60 * KIB, "bytes",
    "A batch as compact JSON with non-ASCII characters escaped (as Socket.IO sends it).")
MAX_RECORD = Limit(
    "journal_record", 2 * KIB, "bytes", "One record, measured as the batch is.")
MAX_SPAN = Limit(
    "journal_span", 24 * 3600, "s",
    "Longest record (end − start), except a `loss`, which covers what was dropped.")
MAX_AHEAD = Limit(
    "journal_ahead", 5 * 60, "s", "How far a record may end after the controller's now.")
MAX_AGE = Limit(
    "journal_age", 400 * 86400, "s", "How long before the controller's now it may start.")

BATCH_LIMITS = (MAX_RECORDS, MAX_BATCH, MAX_RECORD)
TIME_LIMITS = (MAX_SPAN, MAX_AHEAD, MAX_AGE)

MAX_NAME = 64  # playlist and item ids, media digests
MAX_LIST = 8  # languages, media
MAX_CODE = 8  # a language code ("vi", "en", "lo")
MAX_TIME_TEXT = 40  # an ISO 8601 time's characters
JOURNAL_ID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

KINDS = ("item", "emergency", "identify", "idle", "loss")
ENDED = ("duration", "emergency", "identify", "schedule", "restart", "stop", "loss")
SOURCES = ("kiosk", "headless")


@dataclass(frozen=True)
class RecordField:
    """One field of a record. ``shape`` names the rule ``batch`` applies:

    - ``seq``: an integer 1…``MAX_SEQ``;
    - ``digest``: 64 lowercase hex digits (a SHA-256);
    - ``choice``: one of ``choices``;
    - ``time``: ISO 8601 with a zone (UTC with ``Z`` is what players send);
    - ``name``: a string of 1…``MAX_NAME`` characters;
    - ``count``: an integer 0…``MAX_SEQ``;
    - ``codes``: at most ``MAX_LIST`` strings of 1…``MAX_CODE`` characters;
    - ``names``: at most ``MAX_LIST`` strings of 1…``MAX_NAME`` characters.

    ``required``: must be present and not null. ``needed_by``: the record kinds for
    which it must be present and not null (it may be null for the others).
    """

    name: str
    shape: str
    required: bool = False
    choices: tuple[str, ...] = ()
    needed_by: tuple[str, ...] = ()


RECORD_FIELDS = (
    RecordField("seq", "seq", required=True),
    RecordField("prev", "digest", required=True),
    RecordField("kind", "choice", required=True, choices=KINDS),
    RecordField("start", "time", required=True),
    RecordField("end", "time", required=True),
    RecordField("ended", "choice", required=True, choices=ENDED),
    RecordField("source", "choice", required=True, choices=SOURCES),
    RecordField("playlist", "name", needed_by=("item",)),
    RecordField("version", "count"),
    RecordField("item", "name", needed_by=("item",)),
    RecordField("languages", "codes"),
    RecordField("media", "names"),
    RecordField("emergency", "count", needed_by=("emergency",)),
    RecordField("timeline_version", "count"),
    RecordField("lost_from", "seq", needed_by=("loss",)),
    RecordField("lost_to", "seq", needed_by=("loss",)),
    RecordField("lost_last_hash", "digest", needed_by=("loss",)),
    RecordField("hash", "digest", required=True),
)
FIELDS_BY_NAME = {f.name: f for f in RECORD_FIELDS}
