"""Fetched bytes into a :class:`~controller.sources.records.Snapshot`, one parser per kind
of source, each through a well-kept reader with its own bounds (docs/sources.md "Kinds"):

- JSON: ``controller.api.json_body`` (the API's strict reader: UTF-8, nesting measured
  before parsing, no NaN, no lone surrogates); ``records`` names where the list is;
- CSV: the ``csv`` module, UTF-8 with or without a byte-order mark, a header row, at most
  ``MAX_COLUMNS`` columns, rows read only up to ``max_records``;
- RSS 2.0 / Atom: ``defusedxml`` (a DTD's entities and external references are refused:
  no "billion laughs", no file or network reads by the parser);
- iCalendar: ``icalendar``, events overlapping the window ``[now - 1 day, now +
  window_days]``, times in their own time zone (TZID), floating times in ``timezone``.

CAP feeds are not parsed here: ``controller.sources.polling`` hands their bytes to the
CAP ingestion."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

from controller.api.json_body import JsonBodyRefused, parse_json_body
from controller.refusals import refusal
from controller.sources.feeds import parse_feed
from controller.sources.ical import parse_ical
from controller.sources.records import (
    DEFAULT_RECORDS,
    MAX_FIELDS,
    MAX_KEY,
    ParseFailed,
    Record,
    Snapshot,
    flatten,
    left_out,
    parse_time,
    text_value,
)

MAX_COLUMNS = MAX_FIELDS


def parse(kind: str, body: bytes, options: dict[str, Any], now: datetime) -> Snapshot:
    """The snapshot of ``body`` for a source of ``kind``; :class:`ParseFailed` when the
    body is not what the kind says."""
    parsers: dict[str, Callable[[bytes, dict[str, Any], datetime], Snapshot]] = {
        "json": parse_json, "csv": parse_csv, "rss": parse_feed, "atom": parse_feed,
        "ical": parse_ical}
    if kind not in parsers:
        raise ValueError(f"no parser for sources of kind {kind!r}")
    if not body.strip():
        raise ParseFailed(refusal("the feed is empty"))
    return parsers[kind](body, options, now)


def _max_records(options: dict[str, Any]) -> int:
    return int(options.get("max_records") or DEFAULT_RECORDS)


# --------------------------------------------------------------------------- JSON

def _at(doc: Any, path: str | None) -> Any:
    """The value at a dotted ``path`` (``data.arrivals``; a number picks a list item)."""
    value = doc
    for part in (path.split(".") if path else []):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def parse_json(body: bytes, options: dict[str, Any], now: datetime) -> Snapshot:
    del now
    try:
        doc = parse_json_body(body.removeprefix(b"\xef\xbb\xbf"))
    except JsonBodyRefused as exc:
        raise ParseFailed(refusal("the feed is not acceptable JSON: %(why)s",
                                  why=str(exc))) from None
    path = options.get("records")
    items = _at(doc, path)
    if not isinstance(items, list):
        if path:
            raise ParseFailed(refusal("the JSON has no list of records at %(path)r (the "
                                      "source's records: option)", path=path))
        raise ParseFailed(refusal("the JSON is not a list of records: say where the list "
                                  "is with the source's records: option (e.g. "
                                  "records: data.arrivals)"))
    most = _max_records(options)
    snapshot = Snapshot([flatten(item) for item in items[:most]])
    if len(items) > most:
        snapshot.note = left_out(most, len(items))
    if options.get("updated"):
        snapshot.source_updated_at = parse_time(_at(doc, options["updated"]))
    return snapshot


# --------------------------------------------------------------------------- CSV

def parse_csv(body: bytes, options: dict[str, Any], now: datetime) -> Snapshot:
    del now
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseFailed(refusal("the CSV is not UTF-8 text (byte 0x%(byte)02x at offset "
                                  "%(offset)d): ask for it as UTF-8", byte=body[exc.start],
                                  offset=exc.start)) from None
    reader = csv.reader(io.StringIO(text, newline=""),
                        delimiter=str(options.get("delimiter") or ","), strict=True)
    most = _max_records(options)
    records: list[Record] = []
    try:
        header = _header(next(reader, None))
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise ParseFailed(refusal("CSV line %(line)d has %(count)d columns; at most "
                                          "%(most)d are read", line=reader.line_num,
                                          count=len(row), most=MAX_COLUMNS))
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            if len(records) == most:
                return Snapshot(records, note=left_out(most, None))
            records.append({name: text_value(cell) for name, cell in zip(header, row,
                                                                         strict=False)})
    except csv.Error as exc:
        raise ParseFailed(refusal("the CSV is malformed at line %(line)d (%(why)s)",
                                  line=reader.line_num, why=str(exc))) from None
    return Snapshot(records)


def _header(row: list[str] | None) -> list[str]:
    if not row or not any(cell.strip() for cell in row):
        raise ParseFailed(refusal("the CSV has no header row (the first line must name "
                                  "the columns)"))
    if len(row) > MAX_COLUMNS:
        raise ParseFailed(refusal("the CSV has %(count)d columns; at most %(most)d are read",
                                  count=len(row), most=MAX_COLUMNS))
    names = [text_value(cell)[:MAX_KEY] for cell in row]
    for i, name in enumerate(names):
        if not name:
            raise ParseFailed(refusal("column %(number)d of the CSV header has no name",
                                      number=i + 1))
        if name in names[:i]:
            raise ParseFailed(refusal("the CSV header names %(name)r twice", name=name))
    return names
