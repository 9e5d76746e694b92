"""``config/alerts.yaml``: the alert rules, channels, routes, quiet hours, flapping and
delivery settings (docs/alerts.md), read and checked as a whole. A file with an unknown
field, an impossible threshold or a webhook outside the allow-list is refused with a
sentence naming the line; the controller then keeps the rules it had (or the defaults)
and shows the refusal on ``GET /api/v1/alerts`` — nothing is half applied."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from controller.content.yamlfile import LineDict, YamlError, describe, load_yaml

SEVERITIES = ("critical", "warning", "info")
DAY = 86400.0

# rule -> (default for, default clear_after, default severity, {threshold: (default,
# low, high, unit)}). Thresholds outside [low, high] are impossible and refused.
RULES: dict[str, tuple[float, float, str, dict[str, tuple[float, float, float, str]]]] = {
    "screen_offline": (300, 60, "critical", {}),
    "timeline_not_acked": (600, 0, "warning", {}),
    "media_missing": (600, 0, "warning", {}),
    "disk_full": (300, 60, "warning", {"min_free_percent": (10, 0.1, 99, "%")}),
    "cpu_temp_high": (300, 60, "warning", {"max_celsius": (80, 30, 120, " °C")}),
    "clock_offset": (300, 60, "warning", {"max_seconds": (30, 0.5, 86400, " s")}),
    "kiosk_not_alive": (120, 30, "critical", {}),
    "screen_black_frozen": (120, 30, "critical", {"max_age": (900, 60, DAY, " s")}),
    "screen_wrong_content": (600, 60, "warning", {"max_age": (900, 60, DAY, " s")}),
    "emergency_not_shown": (60, 0, "critical", {}),
    "journal_gap": (0, 0, "warning", {"within": (3600, 60, DAY, " s")}),
}
_RULE_KEYS = ("enabled", "for", "clear_after", "severity")
_TOP_KEYS = ("rules", "channels", "routes", "sites", "webhook_allowed_hosts", "flapping",
             "delivery", "runbook_url")
DEFAULT_RUNBOOK = "docs/operations.md"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_HOST = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")


class AlertsConfigError(ValueError):
    """A refused alerts file; ``str()`` says where and why."""


@dataclass(frozen=True)
class Rule:
    name: str
    enabled: bool
    hold: float  # "for": seconds the condition must hold before the incident opens
    clear_after: float
    severity: str
    limits: dict[str, float]


@dataclass(frozen=True)
class Channel:
    name: str
    kind: str  # email | webhook
    url: str
    secret: str = ""  # webhooks: the HMAC-SHA256 key


@dataclass(frozen=True)
class Route:
    channels: tuple[str, ...]
    severities: tuple[str, ...] = SEVERITIES
    sites: tuple[str, ...] = ()  # empty: every site


@dataclass(frozen=True)
class AlertsConfig:
    rules: dict[str, Rule]
    channels: dict[str, Channel] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    quiet_hours: dict[str, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    webhook_allowed_hosts: tuple[str, ...] = ()
    flapping_per_hour: int = 4
    attempts: int = 8
    backoff: float = 30.0
    backoff_max: float = 3600.0
    timeout: float = 10.0
    runbook_url: str = DEFAULT_RUNBOOK  # the operations manual where the team reads it

    def channels_for(self, site_id: str, severity: str) -> list[str]:
        """The channels a message about ``site_id`` with ``severity`` goes to."""
        out: list[str] = []
        for route in self.routes:
            if severity in route.severities and (not route.sites or site_id in route.sites):
                out += [c for c in route.channels if c not in out]
        return out


class _Where:
    """Builds 'FILE, line N: …' messages."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)

    def fail(self, container: Any, key: Any, message: str) -> AlertsConfigError:
        line = None
        if isinstance(container, LineDict):
            line = container.key_lines.get(key) or container.line or None
        return AlertsConfigError(f"{self.path}, line {line}: {message}" if line
                                 else f"{self.path}: {message}")


def defaults() -> AlertsConfig:
    return AlertsConfig(rules={n: Rule(n, True, d[0], d[1], d[2],
                                       {k: v[0] for k, v in d[3].items()})
                               for n, d in RULES.items()})


def load(path: Path, environ: dict[str, str] | None = None) -> AlertsConfig:
    """The file's configuration; a missing file means the defaults (no channels)."""
    import os

    if not Path(path).exists():
        return defaults()
    try:
        data = load_yaml(Path(path))
    except YamlError as exc:
        raise AlertsConfigError(str(exc)) from None
    return parse(data, path, os.environ if environ is None else environ)


def parse(data: Any, path: Path | str, environ: Any) -> AlertsConfig:
    w = _Where(path)
    if data is None:
        return defaults()
    if not isinstance(data, dict):
        raise AlertsConfigError(f"{path}: expected a mapping (rules:, channels:, …), got "
                                f"{describe(data)}")
    _known(w, data, _TOP_KEYS, "field")
    allowed = _hosts(w, data, data.get("webhook_allowed_hosts", []))
    channels = _channels(w, data.get("channels") or {}, allowed, environ)
    routes = _routes(w, data.get("routes") or [], channels)
    flapping = _mapping(w, data, "flapping")
    delivery = _mapping(w, data, "delivery")
    _known(w, flapping, ("max_per_hour",), "flapping field")
    _known(w, delivery, ("attempts", "backoff", "backoff_max", "timeout"), "delivery field")
    backoff = _number(w, delivery, "backoff", 30, 0.1, DAY)
    runbook = data.get("runbook_url", DEFAULT_RUNBOOK)
    if not isinstance(runbook, str) or not 0 < len(runbook) <= 500 or "#" in runbook:
        raise w.fail(data, "runbook_url", "runbook_url must be the address of "
                     "docs/operations.md (without #section), at most 500 characters")
    return AlertsConfig(runbook_url=runbook,
        rules=_rules(w, _mapping(w, data, "rules")),
        channels=channels, routes=routes,
        quiet_hours=_sites(w, _mapping(w, data, "sites")),
        webhook_allowed_hosts=allowed,
        flapping_per_hour=int(_number(w, flapping, "max_per_hour", 4, 1, 60, whole=True)),
        attempts=int(_number(w, delivery, "attempts", 8, 1, 100, whole=True)),
        backoff=backoff,
        backoff_max=_number(w, delivery, "backoff_max", max(3600, backoff), backoff, 7 * DAY),
        timeout=_number(w, delivery, "timeout", 10, 0.5, 120))


def _known(w: _Where, mapping: dict[str, Any], keys: tuple[str, ...], what: str) -> None:
    for key in mapping:
        if key not in keys:
            raise w.fail(mapping, key, f"unknown {what} {key!r} (known: {', '.join(keys)})")


def _mapping(w: _Where, parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise w.fail(parent, key, f"{key} must be a mapping, got {describe(value)}")
    return value


def _number(w: _Where, parent: dict[str, Any], key: str, default: float, low: float,
            high: float, whole: bool = False, unit: str = "") -> float:
    """A number (or, for durations, '90s', '5m', '2h') within [low, high]."""
    value = parent.get(key, default)
    if isinstance(value, str) and not whole and (m := _DURATION.match(value)):
        value = float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            whole and not float(value).is_integer()):
        kind = "a whole number" if whole else "a number"
        raise w.fail(parent, key, f"{key} must be {kind}, got {value!r}")
    if not low <= value <= high:
        raise w.fail(parent, key, f"{key} = {value:g}{unit} is impossible: it must be "
                     f"between {low:g}{unit} and {high:g}{unit}")
    return float(value)


def _rules(w: _Where, data: dict[str, Any]) -> dict[str, Rule]:
    rules = dict(defaults().rules)
    for name, body in data.items():
        if name not in RULES:
            raise w.fail(data, name, f"unknown rule {name!r} (known: {', '.join(RULES)})")
        body = {} if body is None else body
        if not isinstance(body, dict):
            raise w.fail(data, name, f"rule {name} must be a mapping, got {describe(body)}")
        hold, clear, severity, limits = RULES[name]
        _known(w, body, _RULE_KEYS + tuple(limits), f"field of rule {name}")
        enabled = body.get("enabled", True)
        if not isinstance(enabled, bool):
            raise w.fail(body, "enabled", f"{name}.enabled must be true or false")
        sev = body.get("severity", severity)
        if sev not in SEVERITIES:
            raise w.fail(body, "severity", f"{name}.severity must be one of "
                         f"{', '.join(SEVERITIES)}, got {sev!r}")
        rules[name] = Rule(
            name, enabled, _number(w, body, "for", hold, 0, DAY, unit=" s"),
            _number(w, body, "clear_after", clear, 0, DAY, unit=" s"), sev,
            {k: _number(w, body, k, d, lo, hi, unit=u) for k, (d, lo, hi, u) in limits.items()})
    return rules


def _hosts(w: _Where, parent: dict[str, Any], value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise w.fail(parent, "webhook_allowed_hosts", "webhook_allowed_hosts must be a "
                     "list of host names such as hooks.example.gov.vn or *.gov.vn")
    out = []
    for host in value:
        if not isinstance(host, str) or not _HOST.match(host.strip().lower()):
            raise w.fail(parent, "webhook_allowed_hosts",
                         f"webhook_allowed_hosts: {host!r} is not a host name")
        out.append(host.strip().lower())
    return tuple(out)


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    host = host.lower()
    return any(host == a or (a.startswith("*.") and host.endswith(a[1:])) for a in allowed)


def _secret(w: _Where, body: dict[str, Any], key: str, environ: Any) -> str:
    """``key`` itself, or ``key_env``: the name of an environment variable holding it."""
    if f"{key}_env" in body:
        name = body[f"{key}_env"]
        value = environ.get(name, "") if isinstance(name, str) else ""
        if not value:
            raise w.fail(body, f"{key}_env", f"environment variable {name!r} is not set")
        return value
    value = body.get(key, "")
    if not isinstance(value, str):
        raise w.fail(body, key, f"{key} must be text, got {describe(value)}")
    return value


def _channels(w: _Where, data: Any, allowed: tuple[str, ...],
              environ: Any) -> dict[str, Channel]:
    if not isinstance(data, dict):
        raise AlertsConfigError(f"{w.path}: channels must be a mapping of names")
    out = {}
    for name, body in data.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise w.fail(data, name, f"channel name {name!r}: use a-z, 0-9, - and _")
        if not isinstance(body, dict):
            raise w.fail(data, name, f"channel {name} must be a mapping")
        kind = body.get("type")
        keys = {"email": ("type", "url", "url_env"),
                "webhook": ("type", "url", "url_env", "secret", "secret_env")}.get(kind)
        if keys is None:
            raise w.fail(body, "type", f"channel {name}: type must be email or webhook, "
                         f"got {kind!r}")
        _known(w, body, keys, f"field of channel {name}")
        url = _secret(w, body, "url", environ).strip()
        scheme = urlsplit(url).scheme.lower()
        if kind == "email" and scheme not in ("mailto", "mailtos"):
            raise w.fail(body, "url", f"channel {name}: an e-mail url starts with "
                         "mailto:// or mailtos:// (Apprise's e-mail URLs)")
        secret = ""
        if kind == "webhook":
            host = (urlsplit(url).hostname or "") if scheme in ("http", "https") else ""
            if not host:
                raise w.fail(body, "url", f"channel {name}: a webhook url is an http:// or "
                             "https:// address")
            if not host_allowed(host, allowed):
                raise w.fail(body, "url", f"channel {name}: host {host} is not in "
                             "webhook_allowed_hosts; add it there if it is yours")
            secret = _secret(w, body, "secret", environ)
            if len(secret) < 16:
                raise w.fail(body, "secret", f"channel {name}: the shared secret must be "
                             "at least 16 characters")
        out[name] = Channel(name, kind, url, secret)
    return out


def _strings(w: _Where, body: dict[str, Any], key: str, default: tuple[str, ...]
             ) -> tuple[str, ...]:
    value = body.get(key)
    if value is None:
        return default
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise w.fail(body, key, f"{key} must be a list of names")
    return tuple(value)


def _routes(w: _Where, data: Any, channels: dict[str, Channel]) -> tuple[Route, ...]:
    if not isinstance(data, list):
        raise AlertsConfigError(f"{w.path}: routes must be a list")
    out = []
    for body in data:
        if not isinstance(body, dict):
            raise AlertsConfigError(f"{w.path}: each route is a mapping (channels:, …)")
        _known(w, body, ("channels", "severities", "sites"), "route field")
        names = _strings(w, body, "channels", ())
        if not names:
            raise w.fail(body, "channels", "a route needs at least one channel")
        for name in names:
            if name not in channels:
                raise w.fail(body, "channels", f"route names channel {name!r}, which "
                             "channels: does not define")
        severities = _strings(w, body, "severities", SEVERITIES)
        for sev in severities:
            if sev not in SEVERITIES:
                raise w.fail(body, "severities", f"unknown severity {sev!r} (known: "
                             f"{', '.join(SEVERITIES)})")
        out.append(Route(names, severities, _strings(w, body, "sites", ())))
    return tuple(out)


def _sites(w: _Where, data: dict[str, Any]) -> dict[str, tuple[tuple[time, time], ...]]:
    out = {}
    for site, body in data.items():
        if not isinstance(body, dict):
            raise w.fail(data, site, f"site {site} must be a mapping (quiet_hours: …)")
        _known(w, body, ("quiet_hours",), f"field of site {site}")
        spans = []
        for span in _strings(w, body, "quiet_hours", ()):
            m = _CLOCK.match(span.strip())
            if not m or m.group(1, 2) == m.group(3, 4):
                raise w.fail(body, "quiet_hours", f"site {site}: quiet hours {span!r} must "
                             "be HH:MM-HH:MM (24-hour clock, e.g. 22:00-06:00)")
            a, b, c, d = (int(g) for g in m.groups())
            spans.append((time(a, b), time(c, d)))
        out[str(site)] = tuple(spans)
    return out


def in_quiet_hours(spans: tuple[tuple[time, time], ...], local: time) -> bool:
    """Whether the site's local clock time falls in one of its quiet spans (a span may
    cross midnight: 22:00-06:00)."""
    for start, end in spans:
        if (start <= local < end) if start < end else (local >= start or local < end):
            return True
    return False
