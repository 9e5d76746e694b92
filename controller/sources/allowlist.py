"""Which hosts a data source may be fetched from (setting ``source_allowed_domains``,
docs/sources.md "Allowed hosts").

The QR links' mechanism (``controller.qr.allowlist``) with the sources' own setting: the
same patterns (``hue.gov.vn`` that host only, ``*.gov.vn`` any subdomain of gov.vn), the
same normalisation (lowercase, IDNA, so ``hue.gov.vn.evil.com`` matches nothing). Two
differences, because a feed is fetched by the controller rather than opened by a
traveller's phone: a port may be given (feeds often live on :8443), and an IP address
matches when that very address is listed (a feed on the local network).

:func:`check_url` is applied when ``config/sources.yaml`` is imported, before each fetch
and to every redirect (a host removed from the setting since is no longer fetched)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from controller.qr.allowlist import describe_domains, host_allowed, normalise_host
from controller.refusals import Refusal, refusal

SCHEMES = ("http", "https")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")  # whitespace, controls, backslash


def _address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def check_url(url: str, domains: Iterable[str]) -> Refusal | None:
    """None when ``url`` may be fetched as a data source, else the reason it may not."""
    domains = tuple(domains)
    allowed = refusal("data sources may be fetched only from %(domains)s (setting "
                      "source_allowed_domains)", domains=describe_domains(domains))
    if not isinstance(url, str) or not url:
        return refusal("the address is empty")
    if _FORBIDDEN.search(url):
        return refusal("the address contains spaces, control characters or a backslash")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        return refusal("the address is malformed (%(why)s)", why=str(exc))
    if parts.scheme.lower() not in SCHEMES or not parts.netloc:
        return refusal("it must be an http:// or https:// address")
    if "@" in parts.netloc:
        return refusal("it must not contain a user name or password")
    raw_host = parts.hostname or ""
    if not raw_host:
        return refusal("it has no host name")
    address = _address(raw_host)
    if address is not None:
        listed = {_address(d) for d in domains}
        if address in listed:
            return None
        return refusal("%(host)s is not an allowed host; %(allowed)s", host=address,
                       allowed=allowed)
    host = normalise_host(raw_host)
    if host is None:
        return refusal("%(host)r is not a valid host name", host=raw_host)
    if not host_allowed(host, domains):
        return refusal("%(host)s is not an allowed host; %(allowed)s", host=host,
                       allowed=allowed)
    return None
