"""A CAP feed whose entries only link to each alert's XML (as many agencies publish),
through the real data-sources layer and a real HTTP server on 127.0.0.1: the linked
alerts are fetched and acted on (a typhoon warning becomes a draft, its Update changes
it in place, its Cancel ends it, whatever order the feed lists them in), fetched once
while their entries do not change, and a link that is an entity bomb, too big, answers
500, or points at a host not allowed is a refusal in the status while the feed's other
alerts are read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from cap.feeds import DATA, feed, seeded
from sources.feed_server import HUGE, FeedServer
from sqlalchemy import select

from controller.cap import linked
from controller.cap.linked import fetch_linked, links_in
from controller.cap.parse import read_feed
from controller.models import CapAlertSeen, EmergencyDraft
from controller.sources.declarations import import_sources
from controller.sources.polling import refresh
from controller.sources.views import one

ALLOWED = ["127.0.0.1"]
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Any, Any, FeedServer]]:
    linked.CACHE.clear()
    server = FeedServer().start()
    settings, engine, sessions = seeded(tmp_path, source_allowed_domains=ALLOWED)
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [{
        "id": "nchmf", "kind": "cap", "url": server.url("/alerts.atom"), "every": 60,
        "max_bytes": 200_000, "timeout": 2,
        "name": {"vi": "Cảnh báo", "en": "Warnings"}}]}), "utf-8")
    with sessions() as session:
        import_sources(session, path, tuple(ALLOWED))
        session.commit()
    for name in ("typhoon-hue.xml", "update.xml", "cancel.xml", "no-area.xml",
                 "expired.xml"):
        server.set_file(f"/cap/{name}", feed(name, NOW), "application/cap+xml")
    server.set_file("/cap/bomb.xml", (DATA / "billion-laughs.xml").read_bytes(),
                    "application/cap+xml")
    yield settings, sessions, server
    server.stop()
    engine.dispose()
    linked.CACHE.clear()


def atom(server: FeedServer, *entries: tuple[str, str]) -> bytes:
    """An Atom feed whose entries link to (path, relative address or address, entry
    version) each."""
    body = "".join(
        f'<entry><id>urn:{i}</id><title>Cảnh báo {i}</title><updated>{stamp}</updated>'
        f'<link rel="alternate" type="application/cap+xml" '
        f'href="{server.url(href) if href.startswith("/") else href}"/></entry>'
        for i, (href, stamp) in enumerate(entries))
    return ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>NCHMF</title><id>urn:nchmf</id><updated>2026-12-06T00:00:00Z</updated>'
            f'{body}</feed>').encode()


def poll(settings, sessions, server, *entries: tuple[str, str]) -> dict[str, Any]:
    server.set_file("/alerts.atom", atom(server, *entries), "application/atom+xml")
    refresh(settings, sessions, "nchmf", lambda: datetime.now(UTC))
    with sessions() as session:
        return one(session, "nchmf", datetime.now(UTC), "en")


def drafts(sessions) -> list[tuple[str, str]]:
    with sessions() as session:
        return [(d.status, d.alert_key.split(",")[1]) for d in session.scalars(
            select(EmergencyDraft).order_by(EmergencyDraft.id))]


def test_linked_alerts_are_fetched_and_their_update_and_cancel_followed(world):
    settings, sessions, server = world
    # A relative link is read against the feed's address.
    view = poll(settings, sessions, server, ("cap/typhoon-hue.xml", "v1"))
    assert view["status"] == "ok", view
    assert view["note"] == "CAP feed: 1 alert(s) read, 1 draft(s) made or updated.", view
    assert drafts(sessions) == [("waiting", "VN-NCHMF-2026-TY06-001")]

    # The newest entry first, as feeds list them: the update is still applied after
    # the alert it updates (already seen, and not fetched again: its entry is unchanged).
    view = poll(settings, sessions, server, ("/cap/update.xml", "v2"),
                ("cap/typhoon-hue.xml", "v1"))
    assert "1 already seen" in view["note"] and "1 draft(s) made or updated" in view["note"]
    assert server.hits["/cap/typhoon-hue.xml"] == 1
    with sessions() as session:
        (draft,) = session.scalars(select(EmergencyDraft))
        assert draft.status == "waiting" and "002" in draft.alert_key  # updated in place

    view = poll(settings, sessions, server, ("/cap/cancel.xml", "v3"),
                ("/cap/update.xml", "v2"), ("cap/typhoon-hue.xml", "v1"))
    assert "1 draft(s) or broadcast(s) ended" in view["note"], view
    assert [status for status, _ in drafts(sessions)] == ["cancelled"]
    assert server.hits["/cap/typhoon-hue.xml"] == 1 and server.hits["/cap/update.xml"] == 1


def test_bad_links_are_refusals_and_the_other_alerts_are_read(world):
    settings, sessions, server = world
    view = poll(settings, sessions, server, ("/cap/bomb.xml", "a"), ("/huge", "b"),
                ("/error", "c"), ("http://evil.example/cap/1.xml", "d"),
                ("/cap/no-area.xml", "e"), ("/cap/expired.xml", "f"),
                ("/cap/typhoon-hue.xml", "g"))
    assert view["status"] == "ok", view
    note = view["note"]
    # bomb, 100 MB, 500, host not allowed, no area (read, refused) and expired (read)
    assert "2 alert(s) read, 1 draft(s) made or updated" in note and "6 refused" in note, note
    assert drafts(sessions) == [("waiting", "VN-NCHMF-2026-TY06-001")]
    assert server.huge_done.wait(10), "the server kept sending: nobody hung up"
    assert server.sent < HUGE // 5  # the bound was enforced while reading
    with sessions() as session:
        outcomes = {row.key.split(",")[1]: row.outcome
                    for row in session.scalars(select(CapAlertSeen))}
    assert "expired at" in outcomes["VN-NCHMF-2026-TY05-009"]  # recorded, not acted on
    # What each refusal says (the status names the first):
    body = atom(server, ("/cap/bomb.xml", "a"), ("/huge", "b"), ("/error", "c"),
                ("http://evil.example/cap/1.xml", "d"), ("/cap/no-area.xml", "e"))
    links, _ = links_in(body)
    docs = fetch_linked(links, source_id="x", domains=ALLOWED, timeout=2, deadline=20,
                        max_bytes=200_000)
    said = [str(d.error) if d.error else "" for d in docs]
    assert "larger than 200000 bytes" in said[1], said
    assert "HTTP 500" in said[2] and "not fetched" in said[3], said
    assert docs[0].body is not None and docs[4].body is not None  # fetched; refused when read
    assert read_feed(body, ("vi", "en")).links == links
