"""Emergencies in the database: create, cancel, load the active ones for the timeline
builder, and record a player's receipt. Writers bump the change counter in the same
transaction (so the watcher pushes within its poll); none of them commits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from controller import changes
from controller.emergencies.fit import check_fits
from controller.emergencies.request import EmergencyRefused, EmergencyRequest
from controller.models import Emergency, EmergencyReceipt, Screen, Site, utcnow
from controller.refusals import refusal
from controller.review.actor import Actor
from controller.review.audit import record


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def create(session: Session, request: EmergencyRequest, actor: Actor) -> Emergency:
    """Store an emergency after checking that every target exists; bumps the counter.
    Audited."""
    if request.sites:
        found = set(session.scalars(select(Site.id).where(Site.id.in_(request.sites))))
        unknown = [s for s in request.sites if s not in found]
        if unknown:
            raise EmergencyRefused(refusal("unknown site(s): %(sites)s.",
                                           sites=", ".join(unknown[:10])))
    if request.screens:
        found = set(session.scalars(select(Screen.id).where(Screen.id.in_(request.screens))))
        unknown = [s for s in request.screens if s not in found]
        if unknown:
            raise EmergencyRefused(refusal("unknown screen(s): %(screens)s.",
                                           screens=", ".join(unknown[:10])))
    screens = session.scalars(select(Screen).where(
        Screen.site_id.in_(request.sites) | Screen.id.in_(request.screens))).all()
    sites = {site.id: site for site in session.scalars(select(Site))}
    too_long = check_fits(request.messages, request.url, screens, sites)
    if too_long:
        raise EmergencyRefused(refusal("%(why)s.", why=too_long))
    emergency = Emergency(
        messages=request.messages, url=request.url,
        targets={"sites": list(request.sites), "screens": list(request.screens)},
        starts_at=request.starts_at, ends_at=request.ends_at, created_by=actor.user_id,
        created_at=utcnow())
    session.add(emergency)
    session.flush()
    changes.bump(session, changes.Scope("emergency", str(emergency.id)))
    record(session, actor, "emergency.send", "emergency", emergency.id,
           after={"messages": emergency.messages, "url": emergency.url,
                  "targets": emergency.targets, "starts_at": emergency.starts_at,
                  "ends_at": emergency.ends_at})
    return emergency


def cancel(session: Session, emergency: Emergency, actor: Actor,
           now: datetime | None = None) -> None:
    """End an emergency now; bumps the counter. Refuses one that already ended.
    Audited."""
    now = now or utcnow()
    if emergency.cancelled_at is not None:
        raise EmergencyRefused(refusal("emergency %(number)s was already cancelled.",
                                       number=emergency.id))
    if aware(emergency.ends_at) <= now:
        raise EmergencyRefused(refusal("emergency %(number)s has already ended.",
                                       number=emergency.id))
    emergency.cancelled_at = now
    changes.bump(session, changes.Scope("emergency", str(emergency.id)))
    session.flush()
    record(session, actor, "emergency.cancel", "emergency", emergency.id,
           before={"ends_at": emergency.ends_at}, after={"cancelled_at": now})


def active(session: Session, now: datetime) -> list[Emergency]:
    """Emergencies not cancelled and not yet ended (including ones that start later)."""
    rows = session.scalars(select(Emergency).where(Emergency.cancelled_at.is_(None))
                           .where(Emergency.ends_at > now)
                           .order_by(Emergency.id)).all()
    return [row for row in rows if aware(row.ends_at) > now]


def recent(session: Session, limit: int, ended_since: datetime | None = None) \
        -> list[Emergency]:
    """The latest ``limit`` emergencies, newest first; with ``ended_since``, only those
    still to come or running, or that ended (or were cancelled) at or after it."""
    query = select(Emergency).order_by(Emergency.id.desc()).limit(limit)
    if ended_since is not None:
        query = query.where(Emergency.ends_at >= ended_since).where(
            Emergency.cancelled_at.is_(None) | (Emergency.cancelled_at >= ended_since))
    return list(session.scalars(query))


def targets(emergency: Emergency, screen_id: str, site_id: str) -> bool:
    wanted = emergency.targets or {}
    return screen_id in (wanted.get("screens") or []) or site_id in (wanted.get("sites") or [])


def targeted_screens(session: Session, emergency: Emergency) -> list[Screen]:
    wanted = emergency.targets or {}
    sites, screens = wanted.get("sites") or [], wanted.get("screens") or []
    query = select(Screen).where(Screen.site_id.in_(sites) | Screen.id.in_(screens))
    return list(session.scalars(query.order_by(Screen.site_id, Screen.id)))


def record_receipt(session: Session, emergency_id: int, screen_id: str,
                   shown_at: datetime) -> bool:
    """Keep the first time a screen showed an emergency. False if the emergency does not
    exist or does not target the screen (nothing is written then)."""
    emergency = session.get(Emergency, emergency_id)
    screen = session.get(Screen, screen_id)
    if emergency is None or screen is None or not targets(emergency, screen.id,
                                                          screen.site_id):
        return False
    if session.get(EmergencyReceipt, (emergency_id, screen_id)) is None:
        session.add(EmergencyReceipt(emergency_id=emergency_id, screen_id=screen_id,
                                     shown_at=min(shown_at, utcnow()), received_at=utcnow()))
        session.flush()
    return True


def keep_receipt(session: Session, emergency_id: int, screen_id: str,
                 shown_at: datetime) -> bool:
    """:func:`record_receipt` and commit, for the socket event and the HTTP route alike;
    a receipt another connection of the screen stored first counts as kept."""
    try:
        known = record_receipt(session, emergency_id, screen_id, shown_at)
        session.commit()
    except IntegrityError:
        session.rollback()
        known = True
    return known
