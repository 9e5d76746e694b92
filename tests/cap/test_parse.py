"""Reading CAP 1.2: a bare alert, an Atom feed embedding alerts (and linking to one),
an RSS feed; and every refusal: not CAP, the wrong namespace, no area, no identifier,
entity expansion, malformed XML, over the element and alert limits. Also the texts
an alert gives an emergency (trimmed to the emergency limits)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cap.feeds import DATA, feed

from controller.cap import parse
from controller.cap.parse import CAP_NS, CapRefused, read_feed
from controller.cap.texts import message_of, messages_of
from controller.emergencies.request import MAX_BODY, MAX_TITLE

NOW = datetime(2026, 10, 28, 1, 0, tzinfo=UTC)
CODES = ("vi", "en", "fr", "lo")


def test_a_bare_alert_is_read_whole():
    contents = read_feed(feed("typhoon-hue.xml", NOW), CODES)
    (alert,) = contents.alerts
    assert (alert.identifier, alert.sender, alert.status, alert.msg_type) == (
        "VN-NCHMF-2026-TY06-001", "canhbao@nchmf.gov.vn", "Actual", "Alert")
    assert alert.sent.utcoffset().total_seconds() == 7 * 3600
    assert alert.key.endswith("2026-10-28T00:30:00+00:00")  # the key is in UTC
    vi, en = alert.infos
    assert (vi.language, vi.lang, en.lang) == ("vi-VN", "vi", "en")
    assert (vi.event, vi.urgency, vi.severity, vi.certainty) == ("Bão", "Expected", "Severe",
                                                                "Likely")
    assert vi.headline == "Bão số 6 đổ bộ Thừa Thiên Huế"
    assert vi.web == "https://hue.gov.vn/canh-bao-bao"
    (area,) = vi.areas
    assert area.desc == "Tỉnh Thừa Thiên Huế"
    assert area.polygons[0][0] == (16.0, 107.1) and len(area.polygons[0]) == 5


def test_an_atom_feed_embeds_alerts_and_its_links_are_given_to_fetch():
    contents = read_feed(feed("geocode-feed.xml", NOW), CODES)
    (alert,) = contents.alerts
    assert [link.url for link in contents.links] == ["https://nchmf.gov.vn/cap/0312.xml"]
    assert contents.linked == 0 and not contents.refused
    assert [(i.language, i.lang) for i in alert.infos] == [("vi", "vi"), ("lo-LA", "lo"),
                                                          ("ja-JP", None)]
    assert alert.infos[0].areas[0].geocodes == (("ISO3166-2", "VN-26"),)


def test_an_rss_item_embedding_an_alert_is_read():
    alert = (DATA / "circle-chan-may.xml").read_text("utf-8").split("?>", 1)[1]
    body = f"<rss version='2.0'><channel><title>x</title><item><title>a</title>{alert}" \
           "</item></channel></rss>"
    body = body.replace("@SENT@", "2026-10-28T08:00:00+07:00").replace(
        "@EXPIRES@", "2026-10-28T20:00:00+07:00")
    (read,) = read_feed(body.encode(), CODES).alerts
    assert read.infos[0].areas[0].circles[0].radius_km == 3


@pytest.mark.parametrize("name, fragment", [
    ("not-cap.xml", "this is not CAP: the document is <flights>"),
    ("billion-laughs.xml", "declares a DTD or entities"),
])
def test_documents_refused_whole(name, fragment):
    with pytest.raises(CapRefused, match=fragment):
        read_feed((DATA / name).read_bytes(), CODES)


def test_malformed_xml_is_refused_with_where():
    with pytest.raises(CapRefused, match="not well-formed XML"):
        read_feed(b"<alert xmlns='" + CAP_NS.encode() + b"'><identifier>x</alert>", CODES)


def test_an_external_entity_is_refused():
    body = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>' \
           b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&x;</identifier>' \
           b'</alert>'
    with pytest.raises(CapRefused, match="DTD"):
        read_feed(body, CODES)


def _bare(**changes: str) -> bytes:
    text = feed("typhoon-hue.xml", NOW).decode()
    for old, new in changes.items():
        text = text.replace(old, new)
    return text.encode()


def test_the_wrong_namespace_says_cap_12_only():
    body = _bare(**{CAP_NS: "urn:oasis:names:tc:emergency:cap:1.1"})
    with pytest.raises(CapRefused, match="not CAP 1.2.*CAP 1.2 only"):
        read_feed(body, CODES)


def test_an_alert_without_identifier_or_area_is_refused():
    with pytest.raises(CapRefused, match="has no <identifier>"):
        read_feed(_bare(**{"<identifier>VN-NCHMF-2026-TY06-001</identifier>": ""}), CODES)
    with pytest.raises(CapRefused, match="has no <area>: Pano cannot tell which sites"):
        read_feed(feed("no-area.xml", NOW), CODES)


@pytest.mark.parametrize("old, new, fragment", [
    ("<severity>Severe</severity>", "<severity>Awful</severity>", "<severity> 'Awful'"),
    ("<sent>", "<sent>yesterday", "is not a CAP time"),
    ("16.00,107.10 16.80", "96.00,107.10 16.80", "not a number from -90 to 90"),
    ("<msgType>Alert</msgType>", "", "has no <msgType>"),
])
def test_bad_fields_are_named(old, new, fragment):
    with pytest.raises(CapRefused, match=fragment):
        read_feed(_bare(**{old: new}), CODES)


def test_in_a_feed_one_bad_alert_is_refused_and_the_others_read():
    good = feed("typhoon-hue.xml", NOW).decode().split("?>", 1)[1]
    bad = feed("no-area.xml", NOW).decode().split("?>", 1)[1]
    body = f"<feed xmlns='http://www.w3.org/2005/Atom'><entry>{good}</entry>" \
           f"<entry>{bad}</entry></feed>"
    contents = read_feed(body.encode(), CODES)
    assert len(contents.alerts) == 1
    assert "has no <area>" in contents.refused[0]


def test_limits_on_elements_and_bytes(monkeypatch):
    monkeypatch.setattr(parse, "MAX_ELEMENTS", 20)
    with pytest.raises(CapRefused, match="more than 20 XML elements"):
        read_feed(feed("typhoon-hue.xml", NOW), CODES)
    monkeypatch.setattr(parse, "MAX_BYTES", 100)
    with pytest.raises(CapRefused, match="the limit is 100"):
        read_feed(feed("typhoon-hue.xml", NOW), CODES)


def test_texts_become_emergency_messages_within_the_limits():
    (alert,) = read_feed(feed("typhoon-hue.xml", NOW), CODES).alerts
    messages = messages_of(alert.infos)
    assert messages["vi"] == {"title": "Bão số 6 đổ bộ Thừa Thiên Huế",
                              "body": "Bão số 6 gây gió mạnh cấp 10, mưa rất to.\n\n"
                                      "Hạn chế ra ngoài, làm theo hướng dẫn của chính quyền."}
    long = alert.infos[1].__class__(**{**alert.infos[1].__dict__,
                                       "headline": "", "event": "Storm " * 100,
                                       "description": "word\u202e " * 400})
    message = message_of(long)
    assert len(message["title"]) <= MAX_TITLE and message["title"].endswith("…")
    assert len(message["body"]) <= MAX_BODY and message["body"].endswith("…")
    assert "\u202e" not in message["body"]  # the text rule's refused characters dropped
