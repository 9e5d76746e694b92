"""Incidents: open after the rule's condition held for its ``for`` duration, clear after
it has been false for ``clear_after``, one notification per channel each time (none
while the site is in its quiet hours: a screen off by schedule is not an outage).

Several controller processes may evaluate at once (docs/alerts.md, "Several
processes"): a pending incident is one row whose ``open_key`` is unique, inserted with
``ON CONFLICT DO NOTHING`` (the second process goes on with the first one's row); every
change of state is an ``UPDATE … WHERE state = <the state read>``, and only the process
whose update changed the row (rowcount 1) queues the notifications, in the same
transaction."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from controller.alerts import conditions, outbox
from controller.alerts.messages import Place, compose
from controller.alerts.rules import AlertsConfig, in_quiet_hours
from controller.db import in_chunks
from controller.db_upsert import upsert_insert
from controller.models import AlertIncident, Screen, Site

log = logging.getLogger("pano.alerts")
LIVE = ("pending", "open")
KEEP_DROPPED = timedelta(days=1)  # how long an incident dropped before it opened is kept


def places(session: Session) -> dict[str, Place]:
    """Each screen's names and its site's, for messages and quiet hours (the columns
    alone: whole entities cost more than the rules' own work)."""
    screen, site = Screen.__table__, Site.__table__
    rows = session.execute(select(screen.c.id, screen.c.name_vi, screen.c.name_en, site.c.id,
                                  site.c.name_vi, site.c.name_en, site.c.timezone,
                                  screen.c.timezone)
                           .join(site, site.c.id == screen.c.site_id))
    return {row[0]: Place(*row[:6], row[6] or row[7]) for row in rows}


def quiet(config: AlertsConfig, place: Place | None, now: datetime) -> bool:
    """Whether the screen's site is in its quiet hours (its own time zone) now."""
    if place is None or not config.quiet_hours.get(place.site_id):
        return False
    try:
        local = now.astimezone(ZoneInfo(place.timezone)).time()
    except (KeyError, ValueError):
        local = now.time()
    return in_quiet_hours(config.quiet_hours[place.site_id], local)


def evaluate(session: Session, config: AlertsConfig, heartbeat_interval: float,
             runbook_base: str, now: datetime) -> dict[str, int]:
    """One pass of every rule over every installed screen; commits. Returns counts of
    what changed (for logs and tests)."""
    views = conditions.screens(session, heartbeat_interval, now)
    found = conditions.findings(session, config, views, now)
    where = places(session)
    silent = {v.screen.id for v in views if quiet(config, where.get(v.screen.id), now)}
    live = {(i.rule, i.screen_id): i for i in session.scalars(
        select(AlertIncident).where(AlertIncident.state.in_(LIVE)))}
    counts = {"opened": 0, "cleared": 0}
    wanted = {key: detail for key, detail in found.items()
              if key[1] not in silent and key[1] in where}  # off by schedule: nothing opens
    live.update(_pending(session, config, [(key, where[key[1]], detail) for key, detail
                                           in wanted.items() if key not in live], now))
    for key, detail in wanted.items():
        rule, screen_id = key
        incident = live.get(key)
        if incident is None:
            continue  # dropped by another process meanwhile
        if incident.false_since is not None:
            _set(session, incident, false_since=None)
        hold = timedelta(seconds=config.rules[rule].hold)
        if incident.state == "pending" and now - conditions.aware(incident.since) >= hold:
            counts["opened"] += _open(session, config, incident, where[screen_id], detail,
                                      runbook_base, now)
    dropped = []
    for key, incident in live.items():
        if key in found and incident.screen_id not in silent:
            continue  # still true
        if incident.state == "pending":
            # Gone before it opened, or switched off on schedule before the quiet hours
            # began: not an outage, and not one that should open the moment the site
            # wakes up.
            dropped.append(incident.id)
        elif incident.screen_id not in silent:  # quiet: an open one waits for the site
            counts["cleared"] += _clear(session, config, incident,
                                        where.get(incident.screen_id), runbook_base, now)
    _drop(session, dropped, now)
    session.commit()
    _gauge(session)
    return counts


def _pending(session: Session, config: AlertsConfig,
             new: list[tuple[tuple[str, str], Place, dict[str, Any]]],
             now: datetime) -> dict[tuple[str, str], AlertIncident]:
    """Insert a pending incident for each ``(rule, screen)`` of ``new`` in one statement
    (``ON CONFLICT DO NOTHING``: another process may insert the same ``open_key`` at the
    same moment) and return the live incidents of those keys, whoever inserted them. A
    push to every screen makes ``timeline_not_acked`` hold for the whole fleet until the
    acks are in, and a site's network going down makes ``screen_offline`` hold for all
    its screens: one row each, but not one statement and savepoint each (about 0.2 ms a
    screen, taken from the players' sockets)."""
    if not new:
        return {}
    insert = upsert_insert(session)
    session.execute(insert(AlertIncident).on_conflict_do_nothing(), [
        {"open_key": f"{rule}:{place.screen_id}", "rule": rule, "screen_id": place.screen_id,
         "site_id": place.site_id, "severity": config.rules[rule].severity,
         "state": "pending", "detail": detail, "since": now, "flapping": False}
        for (rule, _), place, detail in new])
    keys = [f"{rule}:{screen_id}" for (rule, screen_id), _, _ in new]
    out: dict[tuple[str, str], AlertIncident] = {}
    for chunk in in_chunks(keys):
        for incident in session.scalars(select(AlertIncident).where(
                AlertIncident.open_key.in_(chunk))):
            out[(incident.rule, incident.screen_id)] = incident
    return out


def _drop(session: Session, ids: list[int], now: datetime) -> None:
    """Pending incidents whose condition went away before they opened: ``dropped``, in
    one statement (nothing is notified; a row another process moved on is left). Those
    dropped more than ``KEEP_DROPPED`` ago are deleted: nothing reads them, and a rule
    that holds for the whole fleet for a moment (every push in flight) would otherwise
    leave a row per screen each time, for ever."""
    for chunk in in_chunks(ids):
        session.execute(update(AlertIncident).where(
            AlertIncident.id.in_(chunk),
            AlertIncident.state == "pending").values(
            state="dropped", open_key=None, cleared_at=now)
            .execution_options(synchronize_session=False))
    session.execute(delete(AlertIncident).where(AlertIncident.state == "dropped",
                                                AlertIncident.cleared_at < now - KEEP_DROPPED)
                    .execution_options(synchronize_session=False))


def _set(session: Session, incident: AlertIncident, guard: dict[str, Any] | None = None,
         **values: Any) -> bool:
    """``UPDATE … WHERE id = … AND <guard>``; True if this process changed the row, and
    then ``incident`` in memory holds the new values too. (Not SQLAlchemy's
    ``synchronize_session="evaluate"``: it tests every incident of the session against
    the criteria, so a pass over N screens' incidents cost N²: 27 % of a 5000-screen
    controller's CPU, docs/performance.md.)"""
    stmt = update(AlertIncident).where(AlertIncident.id == incident.id)
    for column, value in (guard or {}).items():
        col = getattr(AlertIncident, column)
        stmt = stmt.where(col.is_(None) if value is None else col == value)
    result = session.execute(stmt.values(**values)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    for column, value in values.items():
        set_committed_value(incident, column, value)
    return True


def _open(session: Session, config: AlertsConfig, incident: AlertIncident, place: Place,
          detail: dict[str, Any], runbook_base: str, now: datetime) -> int:
    earlier = session.scalar(select(func.count()).select_from(AlertIncident).where(
        AlertIncident.rule == incident.rule, AlertIncident.screen_id == incident.screen_id,
        AlertIncident.opened_at >= now - timedelta(hours=1),
        AlertIncident.id != incident.id)) or 0
    limit = config.flapping_per_hour
    if not _set(session, incident, {"state": "pending"}, state="open", opened_at=now,
                detail=detail, flapping=earlier >= limit):
        return 0
    log.warning("alert %s opened on screen %s (%s)", incident.rule, place.screen_id, detail)
    if earlier < limit:
        _notify(session, config, incident, "open", place, detail, runbook_base, now)
    elif earlier == limit:
        _notify(session, config, incident, "flapping", place, detail, runbook_base, now)
    return 1


def _clear(session: Session, config: AlertsConfig, incident: AlertIncident,
           place: Place | None, runbook_base: str, now: datetime) -> int:
    since = conditions.aware(incident.false_since)
    if since is None:
        since = now
        _set(session, incident, {"state": "open", "false_since": None}, false_since=now)
    hold = timedelta(seconds=config.rules[incident.rule].clear_after)
    if place is not None and now - since < hold:
        return 0  # not false long enough yet (flapping)
    if not _set(session, incident, {"state": "open"}, state="cleared", open_key=None,
                cleared_at=now):
        return 0
    log.warning("alert %s cleared on screen %s", incident.rule, incident.screen_id)
    if place is not None and not incident.flapping:
        _notify(session, config, incident, "recovery", place, incident.detail or {},
                runbook_base, now)
    return 1


def _notify(session: Session, config: AlertsConfig, incident: AlertIncident, kind: str,
            place: Place, detail: dict[str, Any], runbook_base: str, now: datetime) -> None:
    subject, body, payload = compose(kind, incident.rule, incident.severity, place, now,
                                     detail, runbook_base, incident.id)
    outbox.enqueue(session, config.channels_for(place.site_id, incident.severity), kind,
                   subject, body, payload, incident.id, now)


def _gauge(session: Session) -> None:
    """``ALERTS_FIRING{severity}`` of the metrics work (issue 13), when it exists."""
    try:
        from controller.metrics.registry import ALERTS_FIRING  # type: ignore
    except ImportError:
        return
    counts = dict(session.execute(select(AlertIncident.severity, func.count())
                                  .where(AlertIncident.state == "open")
                                  .group_by(AlertIncident.severity)).all())
    for severity in ("critical", "warning", "info"):
        ALERTS_FIRING.labels(severity=severity).set(counts.get(severity, 0))
