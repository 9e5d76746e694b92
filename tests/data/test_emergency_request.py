"""The emergency request check (pure): times relative to a given ``now``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from controller.emergencies.request import EmergencyRefused, parse_request

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
BASE = {"messages": {"vi": {"title": "Bão"}, "en": {"title": "Storm", "body": None}},
        "targets": {"sites": ["a-dot-border-gate", "a-dot-border-gate"]}}


def test_a_good_request_is_cleaned():
    req = parse_request({**BASE, "ends_at": "2026-11-26T16:30:00+07:00",
                         "url": " https://hue.gov.vn/ "}, NOW)
    assert req.starts_at == NOW
    assert req.ends_at == datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    assert req.messages == {"vi": {"title": "Bão", "body": ""},
                            "en": {"title": "Storm", "body": ""}}
    assert req.sites == ("a-dot-border-gate",) and req.screens == ()
    assert req.url == "https://hue.gov.vn/"


def test_a_later_start_counts_the_duration_from_it():
    req = parse_request({**BASE, "starts_at": "2026-11-26T10:00:00Z",
                         "duration_minutes": 15}, NOW)
    assert req.ends_at - req.starts_at == timedelta(minutes=15)


@pytest.mark.parametrize("extra, words", [
    ({"starts_at": "2026-11-26T07:00:00Z", "duration_minutes": 5}, "starts_at is in the past"),
    ({"starts_at": "2026-12-10T07:00:00Z", "duration_minutes": 5}, "more than 7 days"),
    ({"starts_at": "2026-11-26T10:00:00Z", "ends_at": "2026-11-26T09:00:00Z"},
     "after starts_at"),
    ({"duration_minutes": True}, "duration_minutes must be a number"),
    ({"duration_minutes": 5, "url": "ftp://x"}, "http:// or https://"),
])
def test_refusals(extra, words):
    with pytest.raises(EmergencyRefused, match=words):
        parse_request({**BASE, **extra}, NOW)
