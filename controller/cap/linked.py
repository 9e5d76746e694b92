"""Alerts an Atom or RSS entry only links to, fetched (docs/cap.md "What is read").

Many agencies publish a feed whose entries link to each alert's own XML document rather
than embed it. The sources poller hands such a feed's links (``controller.cap.parse``
gives at most ``MAX_LINKS``) to :func:`fetch_linked` in its fetcher thread, before the
ingestion's transaction, and the ingestion reads each document with ``read_alert``:

- **bounded**: at most ``MAX_LINKS`` links a reading (the rest are counted in the
  status), each fetched by ``controller.sources.fetch`` with the source's timeout and
  at most the source's ``max_bytes`` (the CAP parser's 4 MiB at most), read in pieces
  and stopped as soon as it is over; all of them within the source's deadline (what is
  left when it is spent is counted, not fetched);
- **allowlisted**: the same domain allowlist as the feeds (``source_allowed_domains``),
  redirects included; a link elsewhere is refused with its sentence;
- **cached**: a document fetched once is kept (in this process, up to ``CACHE_ENTRIES``
  documents and ``CACHE_BYTES`` in all, least recently used out) under its address and
  what the entry says of its version (Atom ``updated``, RSS ``pubDate``/``guid``), so a
  feed polled every minute does not fetch its alerts again until an entry changes;
- **XML safety**: each document goes through the same defusedxml parser, DTDs and
  entities refused (``read_alert``).

A failed fetch is the sentence ``linked alert <url>: <why>`` in the status's refusals;
the feed's other alerts are still read."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from controller.cap.parse import MAX_BYTES, CapRefused, Link, read_feed
from controller.refusals import Refusal, refusal
from controller.sources.fetch import FetchFailed, fetch

CACHE_ENTRIES = 256
CACHE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class LinkedDoc:
    """One linked document: its bytes, or why it could not be fetched."""

    url: str
    body: bytes | None = None
    error: Refusal | None = None


class LinkCache:
    """Fetched documents by (source, address, entry version), least recently used out."""

    def __init__(self, entries: int = CACHE_ENTRIES, size: int = CACHE_BYTES) -> None:
        self.entries, self.size = entries, size
        self._docs: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> bytes | None:
        with self._lock:
            body = self._docs.get(key)
            if body is not None:
                self._docs.move_to_end(key)
            return body

    def put(self, key: tuple[str, str, str], body: bytes) -> None:
        if len(body) > self.size:
            return
        with self._lock:
            self._docs[key] = body
            self._docs.move_to_end(key)
            while len(self._docs) > self.entries or \
                    sum(len(b) for b in self._docs.values()) > self.size:
                self._docs.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._docs.clear()


CACHE = LinkCache()


def links_in(body: bytes) -> tuple[list[Link], int]:
    """The links a feed's entries give, and how many more it has (not fetched); none
    when the feed is refused (the ingestion says why)."""
    try:
        contents = read_feed(body, ())
    except CapRefused:
        return [], 0
    return contents.links, contents.linked


def fetch_linked(links: Sequence[Link], *, source_id: str, domains: Iterable[str],
                 timeout: float, deadline: float, max_bytes: int, base: str = "",
                 cache: LinkCache = CACHE,
                 clock: Callable[[], float] = time.monotonic) -> list[LinkedDoc]:
    """Fetch ``links`` within the bounds above (a relative address is read against
    ``base``, the feed's own); a link left when ``deadline`` seconds are spent is not in
    the answer (the ingestion counts it as not fetched)."""
    domains = tuple(domains)
    most = min(max_bytes, MAX_BYTES)
    ends = clock() + deadline
    out: list[LinkedDoc] = []
    for link in links:
        key = (source_id, link.url, link.stamp)
        cached = cache.get(key) if link.stamp else None
        if cached is not None:
            out.append(LinkedDoc(link.url, cached))
            continue
        left = ends - clock()
        if left <= 0:
            break
        try:
            fetched = fetch(urljoin(base, link.url) if base else link.url, domains=domains,
                            timeout=min(timeout, left), deadline=left, max_bytes=most)
        except FetchFailed as exc:
            out.append(LinkedDoc(link.url, error=refusal(
                "linked alert %(url)s: %(why)s", url=link.url[:200], why=exc.message)))
            continue
        if link.stamp:
            cache.put(key, fetched.body)
        out.append(LinkedDoc(link.url, fetched.body))
    return out
