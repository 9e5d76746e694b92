"""Sending one message on one channel.

E-mail goes through Apprise (its ``mailto://`` and ``mailtos://`` URLs: host, port,
user, password, ``to=``, ``from=``), so the SMTP details (STARTTLS, SSL, login) are a
well-kept library's. Webhooks are posted by Pano itself: Apprise's JSON webhook cannot
sign its body, and a receiver must be able to tell Pano's alerts from anyone's. The body
is the alert as JSON (UTF-8); ``X-Pano-Signature: sha256=<hex>`` is HMAC-SHA256 of those
exact bytes with the channel's shared secret (docs/alerts.md shows how to check it).
Redirects are not followed: they could lead outside ``webhook_allowed_hosts``."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from controller.alerts.rules import Channel

SIGNATURE_HEADER = "X-Pano-Signature"
EVENT_HEADER = "X-Pano-Event"


class DeliveryError(Exception):
    """The message could not be delivered; ``str()`` says why, for the Alerts page."""


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send(channel: Channel, subject: str, body: str, payload: dict[str, Any],
         timeout: float) -> None:
    if channel.kind == "email":
        _email(channel, subject, body, timeout)
    else:
        _webhook(channel, payload, timeout)


def _email(channel: Channel, subject: str, body: str, timeout: float) -> None:
    import apprise

    plugin = apprise.Apprise.instantiate(channel.url)
    if plugin is None:
        raise DeliveryError(f"channel {channel.name}: Apprise does not understand its url")
    plugin.socket_connect_timeout = timeout
    plugin.socket_read_timeout = timeout
    plugin.notify_format = apprise.NotifyFormat.TEXT
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
        ok = plugin.notify(body=body, title=subject, body_format=apprise.NotifyFormat.TEXT)
    if not ok:
        said = " ".join(captured.getvalue().split())[-400:]
        raise DeliveryError(f"e-mail not sent: {said or 'the SMTP server refused it'}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


def _webhook(channel: Channel, payload: dict[str, Any], timeout: float) -> None:
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    request = urllib.request.Request(channel.url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "pano-controller-alerts",
        SIGNATURE_HEADER: sign(channel.secret, data),
        EVENT_HEADER: str(payload.get("kind", "")),
    })
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(4096)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"webhook not reached: {reason}") from None
