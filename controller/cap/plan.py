"""What one CAP alert means for Pano's sites: which sites it covers, which of them act
on it (their policy), which may receive it at once, and the emergency texts. Reads the
sites it is given; writes nothing (:mod:`controller.cap.drafts` applies a plan)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from controller.cap.area import covers
from controller.cap.message import SEVERITIES, Alert, Info
from controller.cap.policy import CapPolicy
from controller.cap.texts import messages_of
from controller.emergencies.request import MAX_DURATION
from controller.models import Site
from controller.refusals import Refusal, refusal

# An alert without <expires> is shown this long, until an Update or Cancel says more.
DEFAULT_DURATION = timedelta(hours=12)


@dataclass
class Plan:
    event: str
    severity: str
    urgency: str
    certainty: str
    messages: dict[str, dict[str, str]]
    url: str | None
    expires_at: datetime
    at_once: list[str] = field(default_factory=list)  # site ids
    waiting: list[str] = field(default_factory=list)
    notes: list[Refusal] = field(default_factory=list)

    @property
    def sites(self) -> list[str]:
        return self.at_once + self.waiting


def live_infos(alert: Alert, now: datetime) -> list[Info]:
    """The infos not expired at ``now``."""
    return [info for info in alert.infos if info.expires is None or info.expires > now]


def _url(infos: Iterable[Info]) -> tuple[str | None, Refusal | None]:
    """The first ``web`` a QR code may lead to (the emergency's slide shows one)."""
    from controller.qr.allowlist import check_url, current_domains

    domains = current_domains()
    why = None
    for info in infos:
        if info.web:
            why = check_url(info.web, domains)
            if why is None:
                return info.web, None
    return None, why


def make_plan(alert: Alert, sites: Iterable[Site], now: datetime) -> Plan:
    infos = live_infos(alert, now)
    strongest = max(infos, key=lambda info: SEVERITIES.index(info.severity))
    url, why = _url(infos)
    ends = [info.expires for info in infos if info.expires is not None]
    expires_at = max(ends) if ends else now + DEFAULT_DURATION
    expires_at = min(expires_at, now + MAX_DURATION - timedelta(minutes=1))
    plan = Plan(event=strongest.event[:200], severity=strongest.severity,
                urgency=strongest.urgency, certainty=strongest.certainty,
                messages=messages_of(infos), url=url,
                expires_at=expires_at.replace(microsecond=0))
    if why is not None:
        plan.notes.append(refusal("the alert's web address is left out: %(why)s", why=why))
    dropped = sorted({info.language for info in infos if info.lang is None})
    if dropped:
        plan.notes.append(refusal("texts in %(languages)s are left out: Pano has no such "
                                  "language", languages=", ".join(dropped)))
    for site in sites:
        location = (site.latitude, site.longitude) \
            if site.latitude is not None and site.longitude is not None else None
        covering = [info for info in infos
                    if any(covers(area, location, site.geocodes or {})
                           for area in info.areas)]
        if not covering:
            continue
        policy = CapPolicy.of(site.cap_policy)
        reasons = [policy.refusal_for(info) for info in covering]
        if all(reasons):
            plan.notes.append(refusal("site %(site)s is covered but not acted on: "
                                      "%(why)s", site=site.id, why=reasons[0]))
        elif any(policy.at_once(info) for info in covering):
            plan.at_once.append(site.id)
        else:
            plan.waiting.append(site.id)
    return plan
