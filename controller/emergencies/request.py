"""Validation (pure) of an emergency an operator sends, from the API's JSON or the CLI.
``parse_request`` returns an ``EmergencyRequest`` or raises ``EmergencyRefused`` with a
message that says what is wrong; nothing is written before it succeeds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from controller.content.text_rule import text_refusal
from controller.refusals import refusal

REQUIRED_LANGUAGES = ("vi", "en")
LANG_RE = re.compile(r"^[a-z]{2,3}$")
MAX_LANGUAGES = 10
MAX_TITLE = 200  # characters
MAX_BODY = 1000
MAX_URL = 2000
MAX_TARGETS = 500
MAX_DURATION = timedelta(days=7)
MAX_START_AHEAD = timedelta(days=7)
START_SLACK = timedelta(minutes=5)  # a start a little in the past is "now"


class EmergencyRefused(ValueError):
    """Bad input; ``str()`` is the message for the operator."""


@dataclass(frozen=True)
class EmergencyRequest:
    messages: dict[str, dict[str, str]]
    url: str | None
    sites: tuple[str, ...]
    screens: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime


def parse_time(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise EmergencyRefused(refusal("%(name)s must be an ISO 8601 time such as "
                                       "'2026-11-26T09:30:00Z', got %(value)s.", name=name,
                                       value=repr(value)[:60]))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise EmergencyRefused(refusal("%(name)s %(value)s is not an ISO 8601 time.",
                                       name=name, value=repr(value)[:60])) from None
    if moment.tzinfo is None:
        raise EmergencyRefused(refusal("%(name)s %(value)s has no time zone; add 'Z' or an "
                                       "offset such as '+07:00'.", name=name,
                                       value=repr(value)[:60]))
    return moment.astimezone(UTC)


def _messages(value: Any) -> dict[str, dict[str, str]]:
    if not isinstance(value, Mapping) or not value:
        raise EmergencyRefused(refusal("messages must be an object keyed by language, e.g. "
                                       "{\"vi\": {\"title\": …, \"body\": …}, \"en\": {…}}."))
    if len(value) > MAX_LANGUAGES:
        raise EmergencyRefused(refusal("messages has %(count)d languages; the limit is "
                                       "%(limit)d.", count=len(value), limit=MAX_LANGUAGES))
    missing = [lang for lang in REQUIRED_LANGUAGES if lang not in value]
    if missing:
        raise EmergencyRefused(refusal(
            "messages needs a text in %(missing)s (required: %(required)s).",
            missing=missing[0] if len(missing) == 1 else refusal(
                "%(first)s and %(second)s", first=" and ".join(missing[:-1]),
                second=missing[-1]),
            required=", ".join(REQUIRED_LANGUAGES)))
    cleaned: dict[str, dict[str, str]] = {}
    for lang, text in value.items():
        if not isinstance(lang, str) or not LANG_RE.match(lang):
            raise EmergencyRefused(refusal(
                "messages key %(key)r is not a language code (2 or 3 lowercase letters, "
                "e.g. 'vi', 'lo').", key=str(lang)[:20]))
        if not isinstance(text, Mapping):
            raise EmergencyRefused(refusal("messages.%(lang)s must be an object with 'title' "
                                           "and 'body'.", lang=lang))
        title, body = text.get("title"), text.get("body", "")
        if not isinstance(title, str) or not title.strip():
            raise EmergencyRefused(refusal("messages.%(lang)s.title is required (a non-empty "
                                           "text).", lang=lang))
        if body is None:
            body = ""
        if not isinstance(body, str):
            raise EmergencyRefused(refusal("messages.%(lang)s.body must be a text.",
                                           lang=lang))
        if len(title.strip()) > MAX_TITLE:
            raise EmergencyRefused(refusal(
                "messages.%(lang)s.%(field)s is %(length)d characters; the limit is %(limit)d.",
                lang=lang, field="title", length=len(title.strip()), limit=MAX_TITLE))
        if len(body.strip()) > MAX_BODY:
            raise EmergencyRefused(refusal(
                "messages.%(lang)s.%(field)s is %(length)d characters; the limit is %(limit)d.",
                lang=lang, field="body", length=len(body.strip()), limit=MAX_BODY))
        for field, text, multiline in (("title", title, False), ("body", body, True)):
            why = text_refusal(text.strip(), multiline)
            if why is not None:
                raise EmergencyRefused(refusal("messages.%(lang)s.%(field)s %(why)s.",
                                               lang=lang, field=field, why=why))
        cleaned[lang] = {"title": title.strip(), "body": body.strip()}
    return cleaned


def _url(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_URL:
        raise EmergencyRefused(refusal("url must be a text of at most %(limit)d characters.",
                                       limit=MAX_URL))
    why = text_refusal(value.strip())
    if why is not None:
        raise EmergencyRefused(refusal("url %(why)s.", why=why))
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EmergencyRefused(refusal("url %(url)r must be an http:// or https:// address.",
                                       url=value[:80]))
    # Its slide shows a QR code for it: official sites only (controller/qr/allowlist.py).
    from controller.qr.allowlist import check_url, current_domains, describe_domains

    domains = current_domains()
    reason = check_url(value.strip(), domains)
    if reason is not None:
        listed = describe_domains(domains)
        if listed in reason:
            raise EmergencyRefused(refusal("url %(url)r is refused: %(why)s.", url=value[:80],
                                           why=reason))
        raise EmergencyRefused(refusal("url %(url)r is refused: %(why)s (allowed domains: "
                                       "%(domains)s).", url=value[:80], why=reason,
                                       domains=listed))
    return value.strip()


def _ids(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise EmergencyRefused(refusal("targets.sites must be a list of site ids.")
                               if name == "sites" else
                               refusal("targets.screens must be a list of screen ids."))
    if len(value) > MAX_TARGETS:
        raise EmergencyRefused(refusal("targets.%(name)s lists %(count)d ids; the limit is "
                                       "%(limit)d.", name=name, count=len(value),
                                       limit=MAX_TARGETS))
    return tuple(dict.fromkeys(v[:64] for v in value))


def _targets(value: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise EmergencyRefused(refusal("targets must be an object {\"sites\": [...], "
                                       "\"screens\": [...]}."))
    unknown = sorted(set(value) - {"sites", "screens"})
    if unknown:
        raise EmergencyRefused(refusal("targets has unknown key(s) %(keys)s; use 'sites' "
                                       "and 'screens'.", keys=", ".join(unknown)))
    sites, screens = _ids(value.get("sites"), "sites"), _ids(value.get("screens"), "screens")
    if not sites and not screens:
        raise EmergencyRefused(refusal("targets is empty: name at least one site or "
                                       "screen."))
    return sites, screens


def _window(data: Mapping[str, Any], now: datetime) -> tuple[datetime, datetime]:
    starts_at = now
    if data.get("starts_at") is not None:
        starts_at = parse_time(data["starts_at"], "starts_at")
        if starts_at < now - START_SLACK:
            raise EmergencyRefused(refusal("starts_at is in the past; leave it out to start "
                                           "now."))
        if starts_at > now + MAX_START_AHEAD:
            raise EmergencyRefused(refusal("starts_at is more than 7 days ahead."))
        starts_at = max(starts_at, now)
    has_end, has_minutes = data.get("ends_at") is not None, \
        data.get("duration_minutes") is not None
    if has_end == has_minutes:
        raise EmergencyRefused(refusal("give exactly one of ends_at (ISO 8601 time) and "
                                       "duration_minutes."))
    if has_end:
        ends_at = parse_time(data["ends_at"], "ends_at")
    else:
        minutes = data["duration_minutes"]
        if not isinstance(minutes, int | float) or isinstance(minutes, bool) \
                or not minutes > 0:
            raise EmergencyRefused(refusal("duration_minutes must be a number > 0, got "
                                           "%(value)s.", value=repr(minutes)[:40]))
        if minutes > MAX_DURATION.total_seconds() / 60:
            raise EmergencyRefused(refusal("duration_minutes is longer than 7 days."))
        ends_at = starts_at + timedelta(minutes=minutes)
    # Whole seconds: the timeline carries times to the second, so the API, the receipts
    # report and the screens all agree on the end.
    starts_at, ends_at = starts_at.replace(microsecond=0), ends_at.replace(microsecond=0)
    if ends_at <= now:
        raise EmergencyRefused(refusal("ends_at is in the past: the message would never "
                                       "show."))
    if ends_at <= starts_at:
        raise EmergencyRefused(refusal("ends_at must be after starts_at."))
    if ends_at - starts_at > MAX_DURATION:
        raise EmergencyRefused(refusal("an emergency may last at most 7 days; ends_at is "
                                       "later."))
    return starts_at, ends_at


def parse_request(data: Any, now: datetime | None = None) -> EmergencyRequest:
    """Check an emergency (the API's JSON body); ``now`` is UTC."""
    now = now or datetime.now(UTC)
    if not isinstance(data, Mapping):
        raise EmergencyRefused(refusal("send a JSON object with messages, targets and "
                                       "ends_at or duration_minutes."))
    known = {"messages", "targets", "ends_at", "duration_minutes", "url", "starts_at"}
    unknown = sorted(str(k)[:40] for k in set(data) - known)
    if unknown:
        raise EmergencyRefused(refusal("unknown field(s): %(unknown)s; known: %(known)s.",
                                       unknown=", ".join(unknown),
                                       known=", ".join(sorted(known))))
    messages = _messages(data.get("messages"))
    sites, screens = _targets(data.get("targets"))
    starts_at, ends_at = _window(data, now)
    return EmergencyRequest(messages=messages, url=_url(data.get("url")), sites=sites,
                            screens=screens, starts_at=starts_at, ends_at=ends_at)
