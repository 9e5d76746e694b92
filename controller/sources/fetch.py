"""One HTTP(S) GET of a data source, bounded in every way (docs/sources.md "Limits").

- **time**: ``timeout`` bounds connecting and each wait for bytes; ``deadline`` bounds
  the whole download (checked between reads, each of which returns what one socket read
  brought, so a server trickling a byte a second cannot hold the fetch past
  ``deadline + timeout``);
- **size**: a ``Content-Length`` above ``max_bytes`` is refused before the body is read;
  without one the body is read in pieces and the fetch stops as soon as it has more than
  ``max_bytes`` (decompressed: a gzip bomb counts what it inflates to), closing the
  connection rather than reading the rest;
- **where**: redirects are followed by hand, at most ``MAX_REDIRECTS``, each target
  checked against the allowlist (``controller.sources.allowlist``) before it is asked;
- **caching**: ``If-None-Match`` / ``If-Modified-Since`` from the last good answer; a
  304 comes back as :class:`Fetched` with ``not_modified`` and no body.

Every failure is a :class:`FetchFailed` whose message is a sentence for the source's
status (a refusal: the API says it in the reader's language)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ConnectTimeout, ReadTimeout, RequestException

from controller.refusals import Refusal, refusal
from controller.sources.allowlist import check_url

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
USER_AGENT = "Pano-signage/1 (data sources; docs/sources.md)"
# Content types no feed is sent as: an error page or a captive portal's login page.
NOT_A_FEED = ("text/html",)


class FetchFailed(Exception):
    """The fetch failed; ``str()`` is the refusal for the source's status."""

    def __init__(self, message: Refusal) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Fetched:
    """A good answer: ``body`` (empty for a 304), its validators and content type."""

    url: str  # after redirects
    not_modified: bool
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def fetch(url: str, *, domains: Iterable[str], timeout: float, deadline: float,
          max_bytes: int, etag: str | None = None, last_modified: str | None = None,
          html_allowed: bool = False) -> Fetched:
    """GET ``url`` within the limits above; raise :class:`FetchFailed` otherwise."""
    domains = tuple(domains)
    ends = time.monotonic() + deadline
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    with requests.Session() as http:
        http.trust_env = False  # no proxy or .netrc credentials from the environment
        for _hop in range(MAX_REDIRECTS + 1):
            why = check_url(url, domains)
            if why is not None:
                raise FetchFailed(refusal("the address %(url)s is not fetched: %(why)s",
                                          url=url, why=why))
            response = _get(http, url, headers, timeout, deadline, ends)
            try:
                if response.is_redirect:
                    target = response.headers.get("Location", "")
                    url = urljoin(url, target)
                    continue
                return _answer(response, url, (timeout, deadline, ends), max_bytes,
                               html_allowed)
            finally:
                response.close()
        raise FetchFailed(refusal("more than %(most)d redirects; give the feed's final "
                                  "address in config/sources.yaml", most=MAX_REDIRECTS))


def _get(http: requests.Session, url: str, headers: dict[str, str], timeout: float,
         deadline: float, ends: float) -> requests.Response:
    left = ends - time.monotonic()
    if left <= 0:
        raise _late(deadline)
    wait = min(timeout, left)
    try:
        return http.get(url, headers=headers, timeout=(wait, wait), stream=True,
                        allow_redirects=False)
    except ConnectTimeout:
        raise FetchFailed(refusal("%(host)s did not accept a connection within %(seconds)s "
                                  "s", host=_host(url), seconds=_seconds(wait))) from None
    except ReadTimeout:
        raise FetchFailed(refusal("%(host)s did not answer within %(seconds)s s",
                                  host=_host(url), seconds=_seconds(wait))) from None
    except RequestsConnectionError as exc:
        raise FetchFailed(refusal("could not connect to %(host)s (%(why)s)",
                                  host=_host(url), why=_reason(exc))) from None
    except RequestException as exc:
        raise FetchFailed(refusal("the request to %(host)s failed (%(why)s)",
                                  host=_host(url), why=_reason(exc))) from None


def _answer(response: requests.Response, url: str, times: tuple[float, float, float],
            max_bytes: int, html_allowed: bool) -> Fetched:
    validators = {"etag": response.headers.get("ETag"),
                  "last_modified": response.headers.get("Last-Modified")}
    if response.status_code == 304:
        return Fetched(url, True, **validators)
    if response.status_code != 200:
        raise FetchFailed(refusal("%(host)s answered HTTP %(status)d %(reason)s",
                                  host=_host(url), status=response.status_code,
                                  reason=(response.reason or "")[:80]))
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type in NOT_A_FEED and not html_allowed:
        raise FetchFailed(refusal("%(host)s answered with a web page (%(type)s), not a "
                                  "feed: check the address", host=_host(url),
                                  type=content_type))
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_big(max_bytes)
    body = _read(response, url, times, max_bytes)
    return Fetched(url, False, body, content_type=content_type, **validators)


def _read(response: requests.Response, url: str, times: tuple[float, float, float],
          max_bytes: int) -> bytes:
    """The body, read in pieces; ``times``: (timeout, deadline, monotonic end)."""
    timeout, deadline, ends = times
    parts: list[bytes] = []
    total = 0
    raw = response.raw
    try:
        while True:
            if time.monotonic() > ends:
                raise _late(deadline)
            # read1: what one socket read brought (urllib3 2.x), so the deadline is
            # looked at between trickled bytes; read() would wait for a whole CHUNK.
            part = raw.read1(CHUNK, decode_content=True) if hasattr(raw, "read1") \
                else raw.read(CHUNK, decode_content=True)
            if not part:
                break
            total += len(part)
            if total > max_bytes:
                raise _too_big(max_bytes)
            parts.append(part)
    except FetchFailed:
        raise
    except (ReadTimeout, TimeoutError):
        raise FetchFailed(refusal("%(host)s stopped sending for more than %(seconds)s s",
                                  host=_host(url), seconds=_seconds(timeout))) from None
    except Exception as exc:  # urllib3's protocol and decoding errors, a reset socket
        if "timed out" in str(exc).lower():
            raise FetchFailed(refusal("%(host)s stopped sending for more than %(seconds)s "
                                      "s", host=_host(url), seconds=_seconds(timeout))
                              ) from None
        raise FetchFailed(refusal("the download from %(host)s broke off (%(why)s)",
                                  host=_host(url), why=_reason(exc))) from None
    return b"".join(parts)


def _late(deadline: float) -> FetchFailed:
    return FetchFailed(refusal("the download took longer than %(seconds)s s (its deadline): "
                               "the source is too slow", seconds=_seconds(deadline)))


def _too_big(max_bytes: int) -> FetchFailed:
    return FetchFailed(refusal("the feed is larger than %(most)d bytes (max_bytes): nothing "
                               "more was read; raise max_bytes in config/sources.yaml if "
                               "the feed is really this big", most=max_bytes))


def _seconds(value: float) -> str:
    return format(value, "g")


def _reason(exc: BaseException) -> str:
    """A short reason from a requests/urllib3 error: urllib3's own reason (``Failed to
    resolve 'x'``, ``Connection refused``) without the pool and object it names."""
    inner: object = exc
    first = exc.args[0] if exc.args else None
    if first is not None and getattr(first, "reason", None) is not None:
        inner = first.reason
    text = str(inner) or type(inner).__name__
    if ">: " in text:
        text = text.split(">: ", 1)[1]
    return text[:160]
