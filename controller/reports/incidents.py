"""Emergencies with their receipts, and the chain findings, for a report's period.

An emergency belongs to the period it started in. **Time to first screen** is the first
receipt's ``shown_at`` − the emergency's ``starts_at``; **reached** counts the screens
that sent a receipt, **targeted** the screens its targets name today (sites are resolved
to their screens). With a site or screen filter, only the emergencies that targeted it
are listed, and reached/targeted count its screens only."""

from __future__ import annotations

from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from controller.emergencies.store import targeted_screens
from controller.models import Emergency, EmergencyReceipt, PlayFinding, Screen
from controller.reports.filters import ReportQuery, as_utc, utc_text

FINDINGS_LISTED = 200  # the rest are counted, not listed


def _wanted_screens(session: Session, query: ReportQuery) -> set[str] | None:
    f = query.filters
    if "screen" not in f and "site" not in f:
        return None
    stmt = select(Screen.id)
    if "screen" in f:
        stmt = stmt.where(Screen.id == f["screen"])
    if "site" in f:
        stmt = stmt.where(Screen.site_id == f["site"])
    return set(session.scalars(stmt))


def emergencies(session: Session, query: ReportQuery) -> list[dict[str, Any]]:
    wanted = _wanted_screens(session, query)
    out = []
    found = session.scalars(select(Emergency).where(
        Emergency.starts_at >= query.start, Emergency.starts_at < query.end
    ).order_by(Emergency.starts_at, Emergency.id))
    for emergency in found:
        targeted = {s.id for s in targeted_screens(session, emergency)}
        if wanted is not None:
            targeted &= wanted
            if not targeted:
                continue
        receipts = [(screen, as_utc(shown)) for screen, shown in session.execute(
            select(EmergencyReceipt.screen_id, EmergencyReceipt.shown_at).where(
                EmergencyReceipt.emergency_id == emergency.id)) if screen in targeted]
        start = as_utc(emergency.starts_at)
        delays = sorted(max(0.0, (shown - start).total_seconds()) for _, shown in receipts)
        messages = emergency.messages or {}
        out.append({
            "id": emergency.id,
            "title": {lang: (m or {}).get("title", "") for lang, m in messages.items()},
            "starts_at": utc_text(start), "ends_at": utc_text(emergency.ends_at),
            "cancelled_at": utc_text(emergency.cancelled_at) if emergency.cancelled_at
            else None,
            "screens_targeted": len(targeted), "screens_reached": len(receipts),
            "first_screen_seconds": round(delays[0], 3) if delays else None,
            "median_screen_seconds": round(median(delays), 3) if delays else None,
            "last_screen_seconds": round(delays[-1], 3) if delays else None,
        })
    return out


def findings(session: Session, query: ReportQuery) -> dict[str, Any]:
    """The chain findings about the period (by ``about_at``, else when found), counted
    by kind, the latest listed."""
    wanted = _wanted_screens(session, query)
    moment = func.coalesce(PlayFinding.about_at, PlayFinding.found_at)
    where = [moment >= query.start, moment < query.end]
    if wanted is not None:
        where.append(PlayFinding.screen_id.in_(sorted(wanted)))
    counts = dict(session.execute(select(PlayFinding.kind, func.count()).where(*where)
                                  .group_by(PlayFinding.kind)).all())
    listed = session.scalars(select(PlayFinding).where(*where).order_by(
        PlayFinding.found_at.desc(), PlayFinding.id.desc()).limit(FINDINGS_LISTED))
    return {"count": sum(counts.values()), "by_kind": counts,
            "items": [{"id": f.id, "screen": f.screen_id, "journal": f.journal,
                       "kind": f.kind, "seq_from": f.seq_from, "seq_to": f.seq_to,
                       "about_at": utc_text(f.about_at) if f.about_at else None,
                       "found_at": utc_text(f.found_at), "detail": f.detail}
                      for f in listed]}
