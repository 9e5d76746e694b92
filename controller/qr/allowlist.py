"""The official sites a QR code may lead to (setting ``qr_allowed_domains``, docs/media.md).

``check_url`` is applied when an item or an emergency is saved and again when a code is
scanned (a domain removed from the list since no longer gets a redirect).

An entry ``hue.gov.vn`` matches that host only; ``*.gov.vn`` matches any subdomain of
gov.vn (``hue.gov.vn``, ``a.b.gov.vn``), not ``gov.vn`` itself. Hosts are compared
lowercased and IDNA-encoded (``huế.gov.vn`` → ``xn--hu-...gov.vn``), so a look-alike
such as ``hue.gov.vn.evil.com`` or ``evilhue.gov.vn`` matches nothing.

``check_url``'s reasons are refusals (``controller.refusals``): an item's or an
emergency's refusal quotes them in the caller's language. A malformed address's own
reason (from ``urllib.parse``) is quoted as it is.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlsplit

from controller.refusals import Refusal, refusal
from controller.settings import DEFAULT_QR_DOMAINS

DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")  # whitespace, controls, backslash
# Characters IDNA 2003 (Python's codec, werkzeug's Location header) and the IDNA 2008 /
# UTS 46 of browsers map differently (ß → ss or kept): the checked host and the visited
# one could differ, so such hosts are refused.
_DEVIATIONS = re.compile("[\u00df\u03c2\u200c\u200d]")
_override: ContextVar[tuple[str, ...] | None] = ContextVar("pano_qr_domains", default=None)


def describe_domains(domains: Iterable[str]) -> str:
    return ", ".join(domains) or refusal("(none)")


def current_domains() -> tuple[str, ...]:
    """The allowlist in force: the one set by :func:`allowed_domains`, else the running
    app's setting (within a request), else :data:`DEFAULT_QR_DOMAINS`."""
    chosen = _override.get()
    if chosen is not None:
        return chosen
    from flask import current_app, has_app_context

    if has_app_context():
        pano = current_app.extensions.get("pano")
        if pano is not None:
            return tuple(pano.settings.qr_allowed_domains)
    return tuple(DEFAULT_QR_DOMAINS)


@contextmanager
def allowed_domains(domains: Iterable[str]) -> Iterator[None]:
    """Check URLs against ``domains`` within this block (a command-line import passes
    ``settings.qr_allowed_domains`` this way)."""
    token = _override.set(tuple(domains))
    try:
        yield
    finally:
        _override.reset(token)


def normalise_host(host: str) -> str | None:
    """``host`` lowercased and IDNA-encoded (ASCII), without a trailing dot; None when
    it is not a valid host name."""
    host = host.strip().rstrip(".").lower()
    if not host or _DEVIATIONS.search(host):
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except (UnicodeError, ValueError):
        return None
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL_RE.match(label) for label in labels):
        return None
    return ascii_host


def host_allowed(host: str, domains: Iterable[str]) -> bool:
    """Whether the normalised ``host`` matches an entry of ``domains``."""
    for entry in domains:
        entry = entry.strip().lower()
        if entry.startswith("*."):
            parent = normalise_host(entry[2:])
            if parent and host.endswith("." + parent):
                return True
        elif normalise_host(entry) == host:
            return True
    return False


def check_url(url: str, domains: Iterable[str]) -> Refusal | None:
    """None when ``url`` may be a QR code's target, else the reason it may not."""
    domains = tuple(domains)
    allowed = refusal("QR codes may lead only to %(domains)s",
                      domains=describe_domains(domains))
    if not isinstance(url, str) or not url:
        return refusal("the address is empty")
    if _FORBIDDEN.search(url):
        return refusal("the address contains spaces, control characters or a backslash")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return refusal("the address is malformed (%(why)s)", why=str(exc))
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.netloc:
        return refusal("it must be an http:// or https:// address")
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        return refusal("it must not contain a user name or password")
    raw_host = parts.hostname or ""
    if not raw_host:
        return refusal("it has no host name")
    if parts.netloc.rsplit("@", 1)[-1].startswith("["):
        return refusal("an IP address is not an official site; %(allowed)s", allowed=allowed)
    try:
        ipaddress.ip_address(raw_host)
        return refusal("an IP address is not an official site; %(allowed)s", allowed=allowed)
    except ValueError:
        pass
    host = normalise_host(raw_host)
    if host is None:
        return refusal("%(host)r is not a valid host name", host=raw_host)
    if host == "localhost" or host.endswith(".localhost") or host.split(".")[-1].isdigit():
        return refusal("%(host)s is not an official site; %(allowed)s", host=host,
                       allowed=allowed)
    if port is not None and port != DEFAULT_PORTS[parts.scheme.lower()]:
        return refusal("port %(port)s is not allowed (only the default port of http or "
                       "https)", port=port)
    if not host_allowed(host, domains):
        return refusal("%(host)s is not an allowed domain; %(allowed)s", host=host,
                       allowed=allowed)
    return None
