"""The whole answer of ``GET /api/v1/reports/plays`` (and what the panel's Reports page
and the yearly report start from): totals, grouped rows, availability, emergencies,
findings, and the names of what the rows name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.models import Agency, Playlist, Screen, Site
from controller.reports import airtime as air
from controller.reports.availability import availability
from controller.reports.filters import ReportQuery
from controller.reports.incidents import emergencies, findings


def names(session: Session) -> dict[str, dict[str, dict[str, str]]]:
    """Vietnamese and English names of agencies, sites, screens and playlists by id."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for key, model, vi, en in (("agency", Agency, Agency.name_vi, Agency.name_en),
                               ("site", Site, Site.name_vi, Site.name_en),
                               ("screen", Screen, Screen.name_vi, Screen.name_en),
                               ("playlist", Playlist, Playlist.title_vi, Playlist.title_en)):
        out[key] = {row[0]: {"vi": row[1], "en": row[2]}
                    for row in session.execute(select(model.id, vi, en))}
    return out


def totals(session: Session, query: ReportQuery, cat: air.Catalogue) -> dict[str, Any]:
    base = air.total(session, query, cat)
    scans = air.qr_scans(session, ReportQuery(query.first, query.last, query.filters, (),
                                              query.kind), cat)
    return {"plays": base.plays, "airtime_seconds": round(base.seconds, 3),
            "airtime_hours": round(base.seconds / 3600, 4),
            "share": 1.0 if base.seconds else 0.0, "qr_scans": scans.get((), 0)}


def plays_report(session: Session, query: ReportQuery,
                 now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    cat = air.Catalogue.load(session)
    total = totals(session, query, cat)
    sums = air.airtime(session, query, cat) if query.group_by else {}
    scans = air.qr_scans(session, query, cat) if query.group_by else {}
    return {"query": query.as_dict(),
            "totals": total,
            "rows": air.rows(query.group_by, sums, scans, total["airtime_seconds"])
            if query.group_by else [],
            "availability": availability(session, query, now),
            "emergencies": emergencies(session, query),
            "findings": findings(session, query),
            "names": names(session)}
