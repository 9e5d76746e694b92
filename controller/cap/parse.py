"""Read a CAP 1.2 document, or an Atom/RSS feed carrying CAP alerts, into
:class:`~controller.cap.message.Alert` values. Pure: bytes in, values and refusals out.

XML is parsed with defusedxml, which refuses a DTD outright (so entity expansion such as
"billion laughs" and external entities never run). The caller bounds the size of the
bytes (the data-sources layer reads at most its limit; :data:`MAX_BYTES` again here);
this module bounds what is in them: elements, alerts, infos, areas, points, text lengths.
A document that is not CAP is refused whole; in a feed, one bad alert is refused with
its sentence and the others are read. Entries that only *link* to an alert (Atom
``<link href>``, RSS ``<link>``) are returned as :class:`Link` values (at most
:data:`MAX_LINKS`; the rest are counted): the caller fetches them
(:mod:`controller.cap.linked`) and reads each with :func:`read_alert`, which accepts one
``<alert>`` only, under the same XML rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from controller.cap.message import (
    CERTAINTIES,
    MSG_TYPES,
    SEVERITIES,
    STATUSES,
    URGENCIES,
    Alert,
    Area,
    Circle,
    Info,
    Point,
    alert_key,
)
from controller.refusals import Refusal, refusal

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
MAX_BYTES = 4 * 1024 * 1024
MAX_ELEMENTS = 50_000
MAX_ALERTS = 100  # in one feed
MAX_LINKS = 20  # entries linking to an alert, fetched from one feed
MAX_INFOS = 10  # in one alert
MAX_AREAS = 50  # in one info
MAX_SHAPES = 50  # polygons, circles or geocodes in one area
MAX_POINTS = 5_000  # in one polygon
MAX_ID = 230  # identifier, sender, one reference (a key stays under 500)
MAX_TEXT = 20_000  # description, instruction (trimmed later to the emergency limits)
MAX_SHORT = 500  # headline, event, areaDesc, web, language…


class CapRefused(ValueError):
    """A document or an alert Pano will not read; ``str()`` says why."""


@dataclass(frozen=True)
class Link:
    """An entry that links to an alert: its address and what the entry says of its
    version (Atom ``updated``, RSS ``pubDate`` or ``guid``), the fetched copy's key."""

    url: str
    stamp: str = ""


@dataclass
class FeedContents:
    alerts: list[Alert] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)  # one sentence per bad alert
    linked: int = 0  # entries linking to an alert, not fetched (over MAX_LINKS)
    links: list[Link] = field(default_factory=list)  # the links to fetch


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ns(tag: Any) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def read_feed(body: bytes, languages: Iterable[str]) -> FeedContents:
    """The alerts in ``body``; ``languages`` are Pano's language codes (an info in
    another language is kept with ``lang=None``). Raises CapRefused for a document
    that is not XML, not CAP, or over a limit."""
    root = _root(body)
    codes = tuple(languages)
    name = _local(root.tag)
    if name == "alert":
        return FeedContents(alerts=[parse_alert(root, codes)])
    if (name == "feed" and _ns(root.tag) == ATOM_NS) or (name == "rss" and not _ns(root.tag)):
        return _entries(root, codes)
    raise CapRefused(refusal("this is not CAP: the document is <%(tag)s>, expected a CAP "
                             "1.2 <alert> or an Atom or RSS feed of alerts.",
                             tag=name[:40] or "?"))


def read_alert(body: bytes, languages: Iterable[str]) -> Alert:
    """The one alert of a document an entry linked to: a CAP ``<alert>``, under the
    same XML rules and bounds as a feed (no DTD, no entity). Raises CapRefused."""
    root = _root(body)
    if _local(root.tag) != "alert":
        raise CapRefused(refusal("a linked document must be one CAP <alert>, not "
                                 "<%(tag)s>.", tag=_local(root.tag)[:40] or "?"))
    return parse_alert(root, tuple(languages))


def _root(body: bytes) -> Element:
    if len(body) > MAX_BYTES:
        raise CapRefused(refusal("the feed is %(size)d bytes; the limit is %(limit)d: ask "
                                 "the publisher for a smaller feed or a single alert.",
                                 size=len(body), limit=MAX_BYTES))
    try:
        root = fromstring(body, forbid_dtd=True)
    except DefusedXmlException:
        raise CapRefused(refusal("the feed declares a DTD or entities, which Pano refuses "
                                 "(they can expand without bound or read other files); a "
                                 "CAP feed needs neither.")) from None
    except ParseError as exc:
        raise CapRefused(refusal("the feed is not well-formed XML (%(why)s).",
                                 why=str(exc)[:200])) from None
    for count, _ in enumerate(root.iter(), start=1):
        if count > MAX_ELEMENTS:
            raise CapRefused(refusal("the feed has more than %(limit)d XML elements.",
                                     limit=MAX_ELEMENTS))
    return root


def _entries(root: Element, codes: tuple[str, ...]) -> FeedContents:
    found = FeedContents()
    if _local(root.tag) == "feed":
        entries = root.findall(f"{{{ATOM_NS}}}entry")
    else:
        entries = [item for channel in root.findall("channel")
                   for item in channel.findall("item")]
    for entry in entries:
        alerts = [e for e in entry.iter() if _local(e.tag) == "alert"]
        if not alerts:
            link = _link(entry)
            if link is not None and link.url not in {k.url for k in found.links}:
                if len(found.links) < MAX_LINKS:
                    found.links.append(link)
                else:
                    found.linked += 1
            continue
        for element in alerts:
            if len(found.alerts) + len(found.refused) >= MAX_ALERTS:
                raise CapRefused(refusal("the feed carries more than %(limit)d alerts.",
                                         limit=MAX_ALERTS))
            try:
                found.alerts.append(parse_alert(element, codes))
            except CapRefused as exc:
                found.refused.append(exc.args[0])
    return found


def _link(entry: Element) -> Link | None:
    """The alert an Atom entry or RSS item links to: an Atom ``<link>`` of a CAP
    type first, else its ``alternate`` (or untyped) one; an RSS ``<link>``'s text."""
    links = [e for e in entry if _local(e.tag) == "link"]
    url = ""
    if _local(entry.tag) == "entry":
        typed = [e for e in links if "cap" in (e.get("type") or "").lower()]
        plain = [e for e in links if (e.get("rel") or "alternate") == "alternate"]
        chosen = (typed or plain or [None])[0]
        url = (chosen.get("href") or "") if chosen is not None else ""
    elif links:
        url = links[0].text or ""
    url = url.strip()
    if not url or len(url) > 2000:
        return None
    stamp = next(((e.text or "").strip() for e in entry
                  if _local(e.tag) in ("updated", "pubDate", "guid") and e.text), "")
    return Link(url, stamp[:100])


def _text(parent: Element, name: str, limit: int = MAX_SHORT, *,
          required: bool = False, what: str = "") -> str:
    element = parent.find(f"{{{CAP_NS}}}{name}")
    value = (element.text or "").strip() if element is not None else ""
    if required and not value:
        raise CapRefused(refusal("%(what)s has no <%(name)s>.", what=what or "the alert",
                                 name=name))
    if len(value) > limit:
        raise CapRefused(refusal("%(what)s: <%(name)s> is %(length)d characters; the limit "
                                 "is %(limit)d.", what=what or "the alert", name=name,
                                 length=len(value), limit=limit))
    return value


def _time(value: str, name: str, what: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise CapRefused(refusal("%(what)s: <%(name)s> %(value)r is not a CAP time such as "
                                 "2026-10-28T08:00:00+07:00.", what=what, name=name,
                                 value=value[:40]))
    return moment


def parse_alert(element: Element, codes: tuple[str, ...]) -> Alert:
    """One ``<alert>`` element; raises CapRefused naming the alert when it cannot act."""
    if _ns(element.tag) != CAP_NS:
        raise CapRefused(refusal(
            "an <alert> in namespace %(ns)r is not CAP 1.2 (expected %(cap)r); Pano reads "
            "CAP 1.2 only.", ns=_ns(element.tag)[:80] or "(none)", cap=CAP_NS))
    identifier = _text(element, "identifier", MAX_ID)
    if not identifier:
        raise CapRefused(refusal("an alert has no <identifier>: Pano cannot tell it from "
                                 "the others, nor apply its updates."))
    what = refusal("alert %(identifier)r", identifier=identifier[:80])
    sender = _text(element, "sender", MAX_ID, required=True, what=what)
    sent = _time(_text(element, "sent", 64, required=True, what=what), "sent", what)
    status = _text(element, "status", 32, required=True, what=what)
    msg_type = _text(element, "msgType", 32, required=True, what=what)
    for name, value, allowed in (("status", status, STATUSES), ("msgType", msg_type,
                                                                 MSG_TYPES)):
        if value not in allowed:
            raise CapRefused(refusal("%(what)s: <%(name)s> %(value)r is not one of "
                                     "%(allowed)s.", what=what, name=name, value=value[:40],
                                     allowed=", ".join(allowed)))
    references = _references(_text(element, "references", 20 * MAX_ID), what)
    infos = element.findall(f"{{{CAP_NS}}}info")
    if len(infos) > MAX_INFOS:
        raise CapRefused(refusal("%(what)s has %(count)d <info> blocks; the limit is "
                                 "%(limit)d.", what=what, count=len(infos), limit=MAX_INFOS))
    alert = Alert(identifier=identifier, sender=sender, sent=sent,  # type: ignore[arg-type]
                  status=status, msg_type=msg_type, scope=_text(element, "scope", 32),
                  references=references,
                  infos=tuple(_info(info, codes, what) for info in infos))
    if msg_type in ("Alert", "Update") and not any(info.areas for info in alert.infos):
        raise CapRefused(refusal("%(what)s has no <area>: Pano cannot tell which sites it "
                                 "covers.", what=what))
    return alert


def _references(value: str, what: str) -> tuple[str, ...]:
    keys = []
    for triple in value.split():
        parts = triple.split(",")
        if len(parts) != 3 or not all(parts):
            raise CapRefused(refusal("%(what)s: <references> entry %(entry)r is not "
                                     "sender,identifier,sent.", what=what, entry=triple[:80]))
        keys.append(alert_key(parts[0], parts[1],
                              _time(parts[2], "references", what)))  # type: ignore[arg-type]
    return tuple(keys)


def _choice(info: Element, name: str, allowed: tuple[str, ...], what: str) -> str:
    value = _text(info, name, 32, required=True, what=what)
    if value not in allowed:
        raise CapRefused(refusal("%(what)s: <%(name)s> %(value)r is not one of %(allowed)s.",
                                 what=what, name=name, value=value[:40],
                                 allowed=", ".join(allowed)))
    return value


def pano_language(language: str, codes: tuple[str, ...]) -> str | None:
    """CAP's RFC 3066 language (``vi-VN``, ``en-US``, ``lo``) as Pano's code, or None."""
    primary = language.split("-", 1)[0].strip().lower()
    return primary if primary in codes else None


def _info(info: Element, codes: tuple[str, ...], what: str) -> Info:
    language = _text(info, "language", 35) or "en-US"  # CAP's default
    areas = info.findall(f"{{{CAP_NS}}}area")
    if len(areas) > MAX_AREAS:
        raise CapRefused(refusal("%(what)s: an <info> has %(count)d areas; the limit is "
                                 "%(limit)d.", what=what, count=len(areas), limit=MAX_AREAS))
    times = {name: _time(_text(info, name, 64), name, what)
             for name in ("effective", "onset", "expires")}
    return Info(language=language, lang=pano_language(language, codes),
                event=_text(info, "event", required=True, what=what),
                urgency=_choice(info, "urgency", URGENCIES, what),
                severity=_choice(info, "severity", SEVERITIES, what),
                certainty=_choice(info, "certainty", CERTAINTIES, what),
                effective=times["effective"], onset=times["onset"],
                expires=times["expires"],
                headline=_text(info, "headline", what=what),
                description=_text(info, "description", MAX_TEXT, what=what),
                instruction=_text(info, "instruction", MAX_TEXT, what=what),
                web=_text(info, "web", 2000, what=what) or None,
                areas=tuple(_area(area, what) for area in areas))


def _number(text: str, low: float, high: float, what: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # also refuses NaN
        raise CapRefused(refusal("%(what)s: a <%(name)s> holds %(value)r, not a number from "
                                 "%(low)s to %(high)s.", what=what, name=name,
                                 value=text[:30], low=format(low, "g"),
                                 high=format(high, "g")))
    return value


def _point(pair: str, what: str, name: str) -> Point:
    parts = pair.split(",")
    if len(parts) != 2:
        raise CapRefused(refusal("%(what)s: a <%(name)s> point %(value)r is not lat,lon.",
                                 what=what, name=name, value=pair[:40]))
    return (_number(parts[0], -90, 90, what, name), _number(parts[1], -180, 180, what, name))


def _area(area: Element, what: str) -> Area:
    desc = _text(area, "areaDesc", what=what)
    shapes = [e for e in area if _local(e.tag) in ("polygon", "circle", "geocode")]
    if len(shapes) > MAX_SHAPES:
        raise CapRefused(refusal("%(what)s: an <area> has %(count)d shapes; the limit is "
                                 "%(limit)d.", what=what, count=len(shapes),
                                 limit=MAX_SHAPES))
    polygons, circles, geocodes = [], [], []
    for polygon in area.findall(f"{{{CAP_NS}}}polygon"):
        pairs = (polygon.text or "").split()
        if len(pairs) > MAX_POINTS:
            raise CapRefused(refusal("%(what)s: a <polygon> has %(count)d points; the limit "
                                     "is %(limit)d.", what=what, count=len(pairs),
                                     limit=MAX_POINTS))
        points = tuple(_point(pair, what, "polygon") for pair in pairs)
        if len(set(points)) < 3:
            raise CapRefused(refusal("%(what)s: a <polygon> needs at least 3 distinct "
                                     "points.", what=what))
        polygons.append(points)
    for circle in area.findall(f"{{{CAP_NS}}}circle"):
        parts = (circle.text or "").split()
        if len(parts) != 2:
            raise CapRefused(refusal("%(what)s: a <circle> %(value)r is not 'lat,lon "
                                     "radius_km'.", what=what,
                                     value=(circle.text or "")[:60]))
        lat, lon = _point(parts[0], what, "circle")
        circles.append(Circle(lat, lon, _number(parts[1], 0, 20_000, what, "circle")))
    for geocode in area.findall(f"{{{CAP_NS}}}geocode"):
        name = _text(geocode, "valueName", 100, required=True, what=what)
        geocodes.append((name, _text(geocode, "value", 100, required=True, what=what)))
    return Area(desc, tuple(polygons), tuple(circles), tuple(geocodes))
