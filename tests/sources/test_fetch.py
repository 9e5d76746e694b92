"""One fetch against a real HTTP server: what comes back, and every way it is refused
with a sentence (timeouts, a trickle past the deadline, HTTP errors, a body over
max_bytes stopped early, a redirect to a host that is not allowed, a web page)."""

from __future__ import annotations

import socket

import pytest
from sources.conftest import ALLOWED
from sources.feed_server import BOARD, HUGE

from controller.sources.allowlist import check_url
from controller.sources.fetch import FetchFailed, fetch


def _get(feeds, path: str, **limits):
    options = {"timeout": 1.0, "deadline": 3.0, "max_bytes": 2 * 1024 * 1024, **limits}
    return fetch(feeds.url(path), domains=ALLOWED, **options)


def _refused(feeds, path: str, **limits) -> str:
    with pytest.raises(FetchFailed) as failed:
        _get(feeds, path, **limits)
    return str(failed.value)


def test_a_good_answer_comes_with_its_validators_and_a_304_after(feeds):
    got = _get(feeds, "/board.json")
    assert got.body == BOARD.encode() and not got.not_modified
    assert got.etag == '"board.json-0"' and got.content_type == "application/json"
    again = _get(feeds, "/board.json", etag=got.etag)
    assert again.not_modified and again.body == b""


def test_a_redirect_on_an_allowed_host_is_followed(feeds):
    got = _get(feeds, "/redirect-home")
    assert got.body == BOARD.encode() and got.url.endswith("/board.json")


def test_a_redirect_to_a_host_not_allowed_is_not_asked(feeds):
    said = _refused(feeds, "/redirect-away")
    assert "http://evil.example/feed.json is not fetched" in said
    assert "evil.example is not an allowed host" in said


def test_an_address_not_allowed_is_not_asked(feeds):
    hits = dict(feeds.hits)
    with pytest.raises(FetchFailed) as failed:
        fetch(feeds.url("/board.json"), domains=["*.gov.vn"], timeout=1, deadline=2,
              max_bytes=1024)
    assert "127.0.0.1 is not an allowed host" in str(failed.value)
    assert feeds.hits == hits  # nothing was sent


def test_a_server_slower_than_the_timeout(feeds):
    said = _refused(feeds, "/slow", timeout=1.0)
    assert said == "127.0.0.1 did not answer within 1 s", said


def test_a_trickle_is_cut_at_the_deadline(feeds):
    said = _refused(feeds, "/trickle", timeout=1.0, deadline=1.5)
    assert said == "the download took longer than 1.5 s (its deadline): the source is too slow"


def test_http_errors_are_named(feeds):
    assert _refused(feeds, "/error") == "127.0.0.1 answered HTTP 500 Internal Server Error"
    assert _refused(feeds, "/nothing-here") == "127.0.0.1 answered HTTP 404 Not Found"


def test_a_web_page_is_not_a_feed(feeds):
    said = _refused(feeds, "/page")
    assert "answered with a web page (text/html), not a feed" in said


def test_a_100_mb_stream_is_stopped_at_max_bytes(feeds):
    feeds.sent = 0
    feeds.huge_done.clear()
    said = _refused(feeds, "/huge", max_bytes=1024 * 1024, deadline=30.0)
    assert said.startswith("the feed is larger than 1048576 bytes (max_bytes)")
    assert feeds.huge_done.wait(10), "the server kept sending: the client did not hang up"
    assert feeds.sent < HUGE // 5, f"{feeds.sent} bytes were sent before the client left"


def test_a_declared_length_over_max_bytes_is_refused_before_reading(feeds):
    feeds.sent = 0
    said = _refused(feeds, "/huge-declared", max_bytes=1024 * 1024)
    assert said.startswith("the feed is larger than 1048576 bytes (max_bytes)")


def test_nobody_listening():
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchFailed) as failed:
        fetch(f"http://127.0.0.1:{port}/x.json", domains=ALLOWED, timeout=1, deadline=2,
              max_bytes=1024)
    assert str(failed.value).startswith("could not connect to 127.0.0.1 (")


def test_a_redirect_loop_ends(feeds):
    assert _refused(feeds, "/loop") == (
        "more than 5 redirects; give the feed's final address in config/sources.yaml")


def test_a_compressed_bomb_counts_what_it_inflates_to(feeds):
    said = _refused(feeds, "/gzip-bomb", max_bytes=1024 * 1024)
    assert said.startswith("the feed is larger than 1048576 bytes (max_bytes)")


@pytest.mark.parametrize("url, allowed", [
    ("https://feeds.hue.gov.vn:8443/a.json", True),
    ("https://hue.gov.vn.evil.com/a.json", False),
    ("https://evilhue.gov.vn/a.json", True),  # a subdomain of gov.vn: "*.gov.vn" says so
    ("https://gov.vn/a.json", False),
    ("http://10.20.0.5/rate.csv", True),
    ("http://10.20.0.6/rate.csv", False),
    ("ftp://hue.gov.vn/a.json", False),
    ("https://user:pw@feeds.hue.gov.vn/a.json", False),
])
def test_the_allowlist(url, allowed):
    assert (check_url(url, ["*.gov.vn", "10.20.0.5"]) is None) is allowed
