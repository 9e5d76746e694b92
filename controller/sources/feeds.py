"""RSS 2.0 and Atom feeds into records, through ``defusedxml``: a document declaring
entities (the "billion laughs" and its cousins) or referring to external ones is
refused before anything is expanded, and the parser never reads a file or the network.

Each item/entry becomes ``{title, link, summary, published, id}`` (``published`` as ISO
8601 in UTC; ``summary`` as plain text: an HTML description loses its tags); the feed's
own update time (``lastBuildDate``, ``updated``) is the snapshot's
``source_updated_at``. Either kind reads either format: a tourism office that moves
from RSS to Atom keeps working."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from controller.refusals import refusal
from controller.sources.records import (
    DEFAULT_RECORDS,
    ParseFailed,
    Record,
    Snapshot,
    left_out,
    parse_time,
    text_value,
)

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_xml(body: bytes) -> Element:
    """The root element; :class:`ParseFailed` for entities, external references or
    XML that is not well-formed."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(body, forbid_dtd=False, forbid_entities=True,
                          forbid_external=True)
    except DefusedXmlException:
        raise ParseFailed(refusal("the feed's XML declares entities or refers to external "
                                  "ones, which are refused (entity expansion attacks)")
                          ) from None
    except ParseError as exc:
        raise ParseFailed(refusal("the feed is not well-formed XML (%(why)s)",
                                  why=str(exc))) from None


def parse_feed(body: bytes, options: dict[str, Any], now: datetime) -> Snapshot:
    del now
    root = parse_xml(body)
    most = int(options.get("max_records") or DEFAULT_RECORDS)
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise ParseFailed(refusal("the RSS feed has no <channel>"))
        items = channel.findall("item")
        records = [_rss_item(item) for item in items[:most]]
        updated = _rfc822(channel.findtext("lastBuildDate")) or \
            _rfc822(channel.findtext("pubDate"))
    elif root.tag == f"{ATOM}feed":
        items = root.findall(f"{ATOM}entry")
        records = [_atom_entry(entry) for entry in items[:most]]
        updated = parse_time(root.findtext(f"{ATOM}updated"))
    else:
        raise ParseFailed(refusal("the XML is neither an RSS 2.0 nor an Atom feed (its root "
                                  "element is %(root)s)", root=root.tag[:100]))
    snapshot = Snapshot(records, updated.astimezone(UTC) if updated else None)
    if len(items) > most:
        snapshot.note = left_out(most, len(items))
    return snapshot


def _rss_item(item: Element) -> Record:
    published = _rfc822(item.findtext("pubDate"))
    return {"title": text_value(item.findtext("title") or ""),
            "link": text_value(item.findtext("link") or ""),
            "summary": plain_text(item.findtext("description") or ""),
            "published": published.astimezone(UTC).isoformat() if published else "",
            "id": text_value(item.findtext("guid") or item.findtext("link") or "")}


def _atom_entry(entry: Element) -> Record:
    link = ""
    for candidate in entry.findall(f"{ATOM}link"):
        if candidate.get("rel", "alternate") == "alternate":
            link = candidate.get("href", "")
            break
    published = parse_time(entry.findtext(f"{ATOM}published")) or \
        parse_time(entry.findtext(f"{ATOM}updated"))
    summary = entry.findtext(f"{ATOM}summary") or entry.findtext(f"{ATOM}content") or ""
    return {"title": text_value(entry.findtext(f"{ATOM}title") or ""),
            "link": text_value(link),
            "summary": plain_text(summary),
            "published": published.astimezone(UTC).isoformat() if published else "",
            "id": text_value(entry.findtext(f"{ATOM}id") or "")}


def _rfc822(value: str | None) -> datetime | None:
    if not value or len(value) > 64:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The text of an HTML fragment (a feed's description), whitespace collapsed."""
    reader = _Text()
    reader.feed(html[:200_000])
    reader.close()
    return text_value(" ".join("".join(reader.parts).split()))
