"""Emergency drafts in the database: made from a :class:`~controller.cap.plan.Plan`,
changed by an Update, ended by a Cancel, and sent or dismissed by a person.

A draft is sent through exactly the path ``POST /api/v1/emergencies`` takes
(:func:`controller.emergencies.request.parse_request` then
:func:`controller.emergencies.store.create`), so a draft can never put on screens what an
operator could not have sent by hand. Nothing here commits; every change is audited
in the caller's transaction (:func:`controller.review.audit.record`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.cap.plan import Plan
from controller.emergencies import store
from controller.emergencies.request import (
    REQUIRED_LANGUAGES,
    EmergencyRefused,
    parse_request,
)
from controller.emergencies.store import aware
from controller.models import Emergency, EmergencyDraft, Screen
from controller.refusals import Refusal, refusal
from controller.review.actor import Actor
from controller.review.audit import record

WAITING, SENT, DISMISSED, CANCELLED = "waiting", "sent", "dismissed", "cancelled"
STATUSES = (WAITING, SENT, DISMISSED, CANCELLED)
SEND_FIELDS = ("messages", "url", "ends_at", "duration_minutes")


def source_actor(source_id: str) -> Actor:
    """Who acts for a feed in the audit log: ``cap:<source id>``."""
    return Actor.system(f"cap:{source_id}"[:100])


def missing_languages(session: Session, site_ids: Iterable[str],
                      messages: Mapping[str, Any]) -> list[str]:
    """The languages Pano requires of an emergency, then every language of the sites'
    screens (profile order), that ``messages`` does not have."""
    needed = list(REQUIRED_LANGUAGES)
    query = select(Screen).where(Screen.site_id.in_(list(site_ids))).order_by(Screen.id)
    for screen in session.scalars(query):
        needed += [lang for lang in screen.languages or () if lang not in needed]
    return [lang for lang in needed if lang not in messages]


def running(session: Session, emergency_id: int | None, now: datetime) -> Emergency | None:
    emergency = session.get(Emergency, emergency_id) if emergency_id is not None else None
    if emergency is None or emergency.cancelled_at is not None \
            or aware(emergency.ends_at) <= now:
        return None
    return emergency


def _note(notes: Iterable[str]) -> str | None:
    text = "; ".join(str(n) for n in notes)
    return text[:1000] or None


def _snapshot(draft: EmergencyDraft) -> dict[str, Any]:
    return {"status": draft.status, "alert": draft.alert_key, "sites": draft.sites,
            "messages": draft.messages, "missing": draft.missing,
            "expires_at": draft.expires_at, "emergency_id": draft.emergency_id,
            "replaces": draft.replaces, "note": draft.note}


def _fill(session: Session, draft: EmergencyDraft, plan: Plan, sites: list[str],
          alert_key: str, now: datetime) -> None:
    draft.alert_key, draft.event = alert_key, plan.event
    draft.severity, draft.urgency, draft.certainty = plan.severity, plan.urgency, \
        plan.certainty
    draft.expires_at, draft.messages, draft.url = plan.expires_at, plan.messages, plan.url
    draft.sites = sites
    draft.missing = missing_languages(session, sites, plan.messages)
    draft.updated_at = now


def _new(session: Session, plan: Plan, sites: list[str], alert_key: str, source_id: str,
         status: str, now: datetime) -> EmergencyDraft:
    draft = EmergencyDraft(source_id=source_id, status=status, created_at=now, replaces=[])
    _fill(session, draft, plan, sites, alert_key, now)
    session.add(draft)
    session.flush()
    return draft


def _send_now(session: Session, plan: Plan, sites: list[str], actor: Actor,
              now: datetime) -> Emergency | Refusal:
    data: dict[str, Any] = {"messages": plan.messages, "targets": {"sites": sites},
                            "ends_at": plan.expires_at.isoformat()}
    if plan.url:
        data["url"] = plan.url
    try:
        return store.create(session, parse_request(data, now), actor)
    except EmergencyRefused as exc:
        return exc.args[0]


def _end(session: Session, emergencies: Iterable[Emergency], actor: Actor,
         now: datetime) -> None:
    for emergency in emergencies:
        if running(session, emergency.id, now) is not None:
            store.cancel(session, emergency, actor, now)


def apply_plan(session: Session, plan: Plan, alert_key: str, source_id: str, now: datetime,
               reuse: EmergencyDraft | None = None,
               replaces: list[Emergency] | None = None) -> list[EmergencyDraft]:
    """Act on ``plan``: its at-once sites get an emergency now (ending ``replaces``), the
    others a waiting draft (``reuse``, updated in place, else a new one) that will end
    ``replaces`` when a person sends it. A plan with no site left cancels ``reuse`` and
    ends ``replaces``. Returns the drafts made or changed."""
    actor, replaces = source_actor(source_id), list(replaces or [])
    notes, waiting, touched = list(plan.notes), list(plan.waiting), []
    if plan.at_once:
        sent = _send_now(session, plan, plan.at_once, actor, now)
        if isinstance(sent, Emergency):
            draft = _new(session, plan, plan.at_once, alert_key, source_id, SENT, now)
            draft.emergency_id, draft.decided_by, draft.decided_at = sent.id, actor.name, now
            draft.note = _note([*notes, refusal("sent at once (the sites' policy allows "
                                                "Extreme and Immediate alerts)")])
            record(session, actor, "emergency_draft.send", "emergency_draft", draft.id,
                   after=_snapshot(draft), note=refusal("sent at once by the CAP source"))
            _end(session, replaces, actor, now)
            replaces, touched = [], [draft]
        else:
            notes.append(refusal("not sent at once: %(why)s", why=sent))
            waiting = plan.at_once + waiting
    if waiting:
        if reuse is not None:
            before = _snapshot(reuse)
            _fill(session, reuse, plan, waiting, alert_key, now)
            draft, action = reuse, "emergency_draft.update"
        else:
            draft = _new(session, plan, waiting, alert_key, source_id, WAITING, now)
            before, action = None, "emergency_draft.create"
        draft.replaces = [e.id for e in replaces]
        draft.note = _note(notes)
        record(session, actor, action, "emergency_draft", draft.id, before=before,
               after=_snapshot(draft))
        touched.append(draft)
    elif reuse is not None:
        why = refusal("replaced by draft %(number)s, sent at once",
                      number=touched[0].id) if touched else \
            refusal("the update covers no site that acts on it")
        cancel_draft(session, reuse, actor, now, why)
        touched.append(reuse)
    if not plan.sites:
        _end(session, replaces, actor, now)
    return touched


def cancel_draft(session: Session, draft: EmergencyDraft, actor: Actor, now: datetime,
                 why: str) -> None:
    """The feed withdrew the alert: a waiting draft is cancelled (and the broadcasts it
    would replace end), a sent one's broadcast ends. Audited."""
    before = _snapshot(draft)
    if draft.status == WAITING:
        draft.status = CANCELLED
        _end(session, [e for e in (session.get(Emergency, i) for i in draft.replaces) if e],
             actor, now)
    elif draft.status == SENT:
        emergency = running(session, draft.emergency_id, now)
        if emergency is None:
            return
        store.cancel(session, emergency, actor, now)
    else:
        return
    draft.note, draft.updated_at = _note([draft.note or "", why]).lstrip("; "), now
    record(session, actor, "emergency_draft.cancel", "emergency_draft", draft.id,
           before=before, after=_snapshot(draft), note=why)


def _open(draft: EmergencyDraft) -> None:
    if draft.status != WAITING:
        raise EmergencyRefused(refusal("draft %(number)s is %(status)s; only a waiting draft "
                                       "can be sent or dismissed.", number=draft.id,
                                       status=draft.status))


def send_draft(session: Session, draft: EmergencyDraft, body: Any, actor: Actor,
               now: datetime) -> Emergency:
    """A person completes and sends a draft. ``body``: ``messages`` (merged over the
    draft's: send the missing languages, or a corrected text), optionally ``url`` and
    ``ends_at`` or ``duration_minutes`` (default: the alert's expiry). Validated as
    ``POST /api/v1/emergencies``; raises EmergencyRefused, writing nothing."""
    _open(draft)
    if aware(draft.expires_at) <= now:
        raise EmergencyRefused(refusal("the alert of draft %(number)s expired at %(at)s; "
                                       "dismiss it.", number=draft.id,
                                       at=aware(draft.expires_at).isoformat()))
    if not isinstance(body, Mapping):
        raise EmergencyRefused(refusal("send a JSON object with messages (the missing "
                                       "languages, or corrected texts)."))
    unknown = sorted(str(k)[:40] for k in set(body) - set(SEND_FIELDS))
    if unknown:
        raise EmergencyRefused(refusal("unknown field(s): %(unknown)s; known: %(known)s.",
                                       unknown=", ".join(unknown),
                                       known=", ".join(SEND_FIELDS)))
    given = body.get("messages") or {}
    if not isinstance(given, Mapping):
        raise EmergencyRefused(refusal("messages must be an object keyed by language, e.g. "
                                       "{\"vi\": {\"title\": …, \"body\": …}, \"en\": {…}}."))
    data: dict[str, Any] = {"messages": {**draft.messages, **given},
                            "targets": {"sites": list(draft.sites)},
                            "url": body.get("url", draft.url)}
    if body.get("duration_minutes") is not None:
        data["duration_minutes"] = body["duration_minutes"]
    else:
        data["ends_at"] = body.get("ends_at") or aware(draft.expires_at).isoformat()
    emergency = store.create(session, parse_request(data, now), actor)
    before = _snapshot(draft)
    _end(session, [e for e in (session.get(Emergency, i) for i in draft.replaces) if e],
         actor, now)
    draft.status, draft.emergency_id = SENT, emergency.id
    draft.decided_by, draft.decided_at, draft.updated_at = actor.name, now, now
    record(session, actor, "emergency_draft.send", "emergency_draft", draft.id,
           before=before, after=_snapshot(draft))
    return emergency


def dismiss_draft(session: Session, draft: EmergencyDraft, actor: Actor,
                  now: datetime) -> None:
    """A person decides a waiting draft is not to be sent. Audited."""
    _open(draft)
    before = _snapshot(draft)
    draft.status, draft.decided_by, draft.decided_at, draft.updated_at = \
        DISMISSED, actor.name, now, now
    record(session, actor, "emergency_draft.dismiss", "emergency_draft", draft.id,
           before=before, after=_snapshot(draft))


def describe(draft: EmergencyDraft) -> dict[str, Any]:
    """The API's view of a draft."""
    def when(moment: datetime | None) -> str | None:
        return aware(moment).isoformat() if moment is not None else None

    return {"id": draft.id, "status": draft.status, "source": draft.source_id,
            "alert": draft.alert_key, "event": draft.event, "severity": draft.severity,
            "urgency": draft.urgency, "certainty": draft.certainty,
            "expires_at": when(draft.expires_at), "messages": draft.messages,
            "missing_languages": draft.missing, "url": draft.url, "sites": draft.sites,
            "note": draft.note, "emergency_id": draft.emergency_id,
            "replaces": draft.replaces, "created_at": when(draft.created_at),
            "updated_at": when(draft.updated_at), "decided_by": draft.decided_by,
            "decided_at": when(draft.decided_at)}
