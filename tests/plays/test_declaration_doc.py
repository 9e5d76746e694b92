"""docs/protocol.md section 5 ``journal`` prints what controller/plays/declaration.py
declares: every record field is a row of its table (and every row a declared field), the
kinds, reasons and sources are the declared ones, and the limits are the declared
numbers. Change the declaration, then the document."""

from __future__ import annotations

import re
from pathlib import Path

from controller.plays.declaration import (
    ENDED,
    KINDS,
    MAX_AGE,
    MAX_AHEAD,
    MAX_BATCH,
    MAX_CODE,
    MAX_LIST,
    MAX_NAME,
    MAX_RECORD,
    MAX_RECORDS,
    MAX_SEQ,
    MAX_SPAN,
    RECORD_FIELDS,
    SOURCES,
)

PROTOCOL = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
SECTION = PROTOCOL[PROTOCOL.index("### `journal`"):PROTOCOL.index("## 6.")]
TEXT = " ".join(SECTION.split())


def _table_rows() -> dict[str, str]:
    """field name → its row's text, for the record table (``| `a`, `b` | … |``)."""
    table = SECTION[SECTION.index("| field | type / range |"):]
    table = table[:table.index("\n\n")]
    rows = {}
    for line in table.splitlines()[2:]:
        names, rest = line.split(" | ", 1)
        for name in re.findall(r"`(\w+)`", names):
            rows[name] = rest
    return rows


def test_every_declared_field_is_a_row_and_every_row_declared():
    rows = _table_rows()
    assert set(rows) == {f.name for f in RECORD_FIELDS}


def test_the_choices_are_the_declared_ones():
    rows = _table_rows()
    for field, choices in (("kind", KINDS), ("ended", ENDED), ("source", SOURCES)):
        assert set(re.findall(r"`(\w+)`", rows[field])) >= set(choices), field
    assert MAX_SEQ == 2**31 - 1 and "1 … 2³¹ − 1" in rows["seq"]


def test_the_limits_are_the_declared_numbers():
    rows = _table_rows()
    assert f"at most {MAX_SPAN.value // 3600:g} h apart" in rows["start"]
    assert f"≤ {MAX_LIST}, each 1–{MAX_CODE} characters" in rows["languages"]
    assert f"1–{MAX_NAME} characters" in rows["playlist"]
    assert f"≤ {int(MAX_RECORD.value) // 1024} KiB" in TEXT
    assert (f"at most {MAX_RECORDS.value:g} records and {int(MAX_BATCH.value) // 1024} KiB "
            "a batch") in TEXT
    assert f"more than {MAX_AHEAD.value // 60:g} minutes after the controller's clock" in TEXT
    assert f"more than {MAX_AGE.value // 86400:g} days before it" in TEXT
