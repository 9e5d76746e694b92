"""Each kind's parser on the fixture feeds and on bad input: the records a template
will read, and refusals with a sentence (entity bombs, external entities, malformed
CSV and JSON, a JSON without the list it should have)."""

from __future__ import annotations

import pytest
from sources.conftest import T0
from sources.feed_server import ATOM, BILLION_LAUGHS, BOARD, CALLS, CROSSING, EXTERNAL, RSS

from controller.sources.parsing import parse
from controller.sources.records import ParseFailed


def _refused(kind: str, body: bytes, **options) -> str:
    with pytest.raises(ParseFailed) as failed:
        parse(kind, body, options, T0)
    return str(failed.value)


def test_a_flight_board_becomes_flat_records():
    snap = parse("json", BOARD.encode(), {"records": "arrivals", "updated": "updated"}, T0)
    assert snap.records[0] == {"flight": "VN1541", "from.vi": "Hà Nội", "from.en": "Hanoi",
                               "scheduled": "10:35", "status": "Đã hạ cánh", "gate": 2,
                               "codeshare": "QH, BL"}
    assert snap.records[1]["delay"] == "" and snap.records[1]["from.en"] == "Ho Chi Minh City"
    assert snap.source_updated_at.isoformat() == "2026-12-06T09:30:00+07:00"
    assert snap.note is None


def test_json_limits_and_mistakes():
    snap = parse("json", BOARD.encode(), {"records": "arrivals", "max_records": 1}, T0)
    assert len(snap.records) == 1
    assert snap.note == "only the first 1 of 2 records were kept (max_records)"
    assert _refused("json", BOARD.encode(), records="departures") == (
        "the JSON has no list of records at 'departures' (the source's records: option)")
    assert "say where the list is" in _refused("json", BOARD.encode())
    assert _refused("json", b'{"a": [1, 2').startswith("the feed is not acceptable JSON: ")
    deep = b"[" * 500 + b"]" * 500
    assert "500 levels deep" in _refused("json", deep)
    assert _refused("json", b"  \n") == "the feed is empty"


def test_a_csv_with_a_byte_order_mark():
    snap = parse("csv", CROSSING.encode(), {}, T0)
    assert snap.records == [
        {"service": "Cửa khẩu A Đớt", "opens": "07:00", "closes": "19:00",
         "note": "Mở cả thứ Bảy, Chủ nhật"},
        {"service": "Tỷ giá LAK/VND", "opens": "", "closes": "", "note": "1 LAK = 1.17 VND"},
    ]


def test_csv_refusals():
    assert _refused("csv", "giờ,giá\n".encode("utf-16")).startswith(
        "the CSV is not UTF-8 text (byte 0xff at offset 0)")
    assert _refused("csv", b"a,a\n1,2\n") == "the CSV header names 'a' twice"
    assert _refused("csv", b"a,,c\n") == "column 2 of the CSV header has no name"
    wide = ",".join(["x"] * 80).encode()
    assert _refused("csv", b"a\n" + wide + b"\n") == (
        "CSV line 2 has 80 columns; at most 60 are read")
    assert _refused("csv", b'a,b\n"open,1\n').startswith("the CSV is malformed at line")
    many = b"n\n" + b"".join(b"%d\n" % i for i in range(50))
    snap = parse("csv", many, {"max_records": 10}, T0)
    assert [r["n"] for r in snap.records] == [str(i) for i in range(10)]
    assert snap.note == "only the first 10 records were kept (max_records)"


def test_rss_items_and_atom_entries():
    snap = parse("rss", RSS.encode(), {}, T0)
    assert snap.records[0] == {"title": "Lễ hội Áo dài", "link": "https://tourism.pano.example/a",
                               "summary": "Khai mạc tối nay tại Kinh thành",
                               "published": "2026-12-05T11:00:00+00:00", "id": "news-1"}
    assert snap.records[1]["published"] == "" and snap.records[1]["id"].endswith("/b")
    assert snap.source_updated_at.isoformat() == "2026-12-06T01:00:00+00:00"
    atom = parse("atom", ATOM.encode(), {}, T0)
    assert atom.records == [{"title": "Tàu Queen Mary 2 cập cảng",
                             "link": "https://port.pano.example/calls/1",
                             "summary": "Sáng mai, 07:00",
                             "published": "2026-12-06T00:30:00+00:00", "id": "urn:call:1"}]
    assert parse("rss", ATOM.encode(), {}, T0).records == atom.records  # either format


def test_entity_bombs_and_external_entities_are_refused():
    said = ("the feed's XML declares entities or refers to external ones, which are refused "
            "(entity expansion attacks)")
    assert _refused("rss", BILLION_LAUGHS.encode()) == said
    assert _refused("rss", EXTERNAL.encode()) == said


def test_xml_that_is_not_a_feed():
    assert _refused("atom", b"<rss><channel>").startswith("the feed is not well-formed XML")
    assert _refused("rss", b"<html/>") == (
        "the XML is neither an RSS 2.0 nor an Atom feed (its root element is html)")


def test_calendar_events_in_the_window_in_their_time_zones():
    snap = parse("ical", CALLS.encode(), {"window_days": 14}, T0)
    assert [r["uid"] for r in snap.records] == ["call-spectrum@port", "call-qm2@port",
                                               "festival@port"]
    spectrum, qm2, festival = snap.records
    assert qm2["start"] == "2026-12-08T07:00:00+07:00"
    assert qm2["start_utc"] == "2026-12-08T00:00:00+00:00"
    assert qm2["end"] == "2026-12-08T18:00:00+07:00"
    assert qm2["location"] == "Cảng Chân Mây" and qm2["all_day"] == 0
    assert spectrum["end"] == "2026-12-07T10:00:00+00:00"
    assert festival == {"uid": "festival@port", "summary": "Ngày hội cảng", "location": "",
                        "description": "", "start": "2026-12-10", "end": "2026-12-11",
                        "start_utc": "2026-12-09T17:00:00+00:00", "all_day": 1}
    wider = parse("ical", CALLS.encode(), {"window_days": 120}, T0)
    assert wider.records[-1]["uid"] == "far-ahead@port"


def test_a_repeating_event_is_expanded_in_the_window():
    weekly = CALLS.replace("UID:call-qm2@port\r\n", "UID:call-qm2@port\r\nRRULE:FREQ=WEEKLY\r\n")
    snap = parse("ical", weekly.encode(), {"window_days": 14}, T0)
    starts = [r["start"] for r in snap.records if r["uid"] == "call-qm2@port"]
    assert starts == ["2026-12-08T07:00:00+07:00", "2026-12-15T07:00:00+07:00"]


def test_not_a_calendar():
    assert _refused("ical", b"BEGIN:VCALENDAR\r\nnonsense").startswith(
        "the calendar cannot be read as iCalendar")
