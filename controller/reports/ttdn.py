"""The yearly foreign-information report (báo cáo thông tin đối ngoại) as data: what an
agency (or the whole province) sends the Department of Information and Communications
before 15 November and whenever it is asked. ``ttdn_render`` lays it out as HTML, PDF or
CSV; the sections are listed in docs/reports.md.

It reuses the figures of ``GET /api/v1/reports/plays`` for the Huế year: one per agency,
per agency and language, per site's availability, the emergencies and the findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.models import Screen, Site
from controller.reports import airtime as air
from controller.reports.availability import availability
from controller.reports.filters import ReportQuery
from controller.reports.incidents import emergencies, findings
from controller.reports.plays_report import names, totals

LANGUAGES = ("vi", "en", "lo")
FINDINGS_SHOWN = 50


@dataclass
class AgencyLine:
    agency: str
    plays: int
    hours: float
    share: float
    qr_scans: int
    language_hours: dict[str, float] = field(default_factory=dict)


@dataclass
class Ttdn:
    query: ReportQuery
    generated_at: datetime
    names: dict[str, dict[str, dict[str, str]]]
    totals: dict[str, Any]
    agencies: list[AgencyLine]
    sites: list[dict[str, Any]]  # each with its screens and availability
    availability: dict[str, Any]
    emergencies: list[dict[str, Any]]
    findings: dict[str, Any]

    @property
    def year(self) -> int:
        return self.query.first.year

    @property
    def agency(self) -> str | None:
        return self.query.filters.get("agency")


def _grouped(session: Session, query: ReportQuery, groups: tuple[str, ...],
             cat: air.Catalogue) -> tuple[dict[air.Key, air.Sums], dict[air.Key, int]]:
    asked = ReportQuery(query.first, query.last, dict(query.filters), groups, query.kind)
    return air.airtime(session, asked, cat), air.qr_scans(session, asked, cat)


def build(session: Session, query: ReportQuery, now: datetime | None = None) -> Ttdn:
    now = now or datetime.now(UTC)
    cat = air.Catalogue.load(session)
    total = totals(session, query, cat)
    base = total["airtime_seconds"]
    by_agency, scans = _grouped(session, query, ("agency",), cat)
    by_language, _ = _grouped(session, query, ("agency", "language"), cat)
    lines = []
    for (agency,), sums in sorted(by_agency.items(), key=lambda kv: -kv[1].seconds):
        lines.append(AgencyLine(
            agency=agency, plays=sums.plays, hours=sums.seconds / 3600,
            share=sums.seconds / base if base else 0.0, qr_scans=scans.get((agency,), 0),
            language_hours={lang: s.seconds / 3600 for (a, lang), s in by_language.items()
                            if a == agency}))
    uptime = availability(session, query, now)
    per_screen = {s["screen"]: s["availability"] for s in uptime["screens"]}
    per_site = {s["site"]: s["availability"] for s in uptime["sites"]}
    sites = []
    for site in session.scalars(select(Site).order_by(Site.id)):
        screens = session.scalars(select(Screen).where(Screen.site_id == site.id)
                                  .order_by(Screen.id)).all()
        sites.append({"id": site.id, "name": {"vi": site.name_vi, "en": site.name_en},
                      "availability": per_site.get(site.id),
                      "screens": [{"id": s.id, "name": {"vi": s.name_vi, "en": s.name_en},
                                   "languages": list(s.languages or []),
                                   "availability": per_screen.get(s.id)}
                                  for s in screens]})
    found = findings(session, query)
    found["items"] = found["items"][:FINDINGS_SHOWN]
    return Ttdn(query=query, generated_at=now, names=names(session), totals=total,
                agencies=lines, sites=sites, availability=uptime,
                emergencies=emergencies(session, query), findings=found)
