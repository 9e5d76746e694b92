"""``/api/v1/emergency-drafts``: the emergencies official CAP warnings prepared
(docs/cap.md). Read them (roles ``emergency``, ``admin``, ``technician``, as the
emergencies); complete and send one, or dismiss it (``emergency``, ``admin``). Sending
goes through the same validation and store as ``POST /api/v1/emergencies``; a refusal
is a 400 that says what is wrong, and nothing is written."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request
from sqlalchemy import select

from controller.api.emergencies import READERS, SENDERS
from controller.api.errors import ApiError
from controller.api.user_auth import require_role
from controller.cap.drafts import STATUSES, describe, dismiss_draft, send_draft
from controller.emergencies.report import describe as describe_emergency
from controller.emergencies.request import EmergencyRefused
from controller.models import EmergencyDraft, utcnow
from controller.refusals import refusal
from controller.review.actor import Actor
from controller.state import db, state

emergency_drafts_api = Blueprint("emergency_drafts_api", __name__, url_prefix="/api/v1")

DEFAULT_LIST, MAX_LIST = 20, 100


def _load(draft_id: int) -> EmergencyDraft:
    draft = db().get(EmergencyDraft, draft_id)
    if draft is None:
        raise ApiError(404, refusal("No emergency draft %(number)s.", number=draft_id))
    return draft


@emergency_drafts_api.get("/emergency-drafts")
@require_role(*READERS)
def list_drafts() -> Any:
    """Newest first; ``status`` (waiting, sent, dismissed, cancelled) and ``limit``
    1..100 (default 20)."""
    unknown = sorted(set(request.args) - {"limit", "status"})
    if unknown:
        raise ApiError(400, refusal("Unknown parameter %(name)r (allowed: %(allowed)s).",
                                    name=unknown[0][:40], allowed="limit, status"))
    raw = request.args.get("limit", str(DEFAULT_LIST))
    if not raw.strip().isdigit() or not 1 <= int(raw) <= MAX_LIST:
        raise ApiError(400, refusal("%(name)r must be a whole number from %(low)d to "
                                    "%(high)d, got %(raw)r.", name="limit", low=1,
                                    high=MAX_LIST, raw=raw[:32]))
    query = select(EmergencyDraft).order_by(EmergencyDraft.id.desc()).limit(int(raw))
    status = request.args.get("status")
    if status is not None:
        if status not in STATUSES:
            raise ApiError(400, refusal("'status' must be one of %(allowed)s, got %(raw)r.",
                                        allowed=", ".join(STATUSES), raw=status[:32]))
        query = query.where(EmergencyDraft.status == status)
    return {"drafts": [describe(draft) for draft in db().scalars(query)]}


@emergency_drafts_api.get("/emergency-drafts/<int:draft_id>")
@require_role(*READERS)
def get_draft(draft_id: int) -> Any:
    return describe(_load(draft_id))


@emergency_drafts_api.post("/emergency-drafts/<int:draft_id>/send")
@require_role(*SENDERS)
def send(draft_id: int) -> Any:
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, refusal("Send a JSON body (Content-Type: application/json)."))
    session = db()
    draft = _load(draft_id)
    try:
        emergency = send_draft(session, draft, data, Actor.of(session, g.user), utcnow())
    except EmergencyRefused as exc:
        session.rollback()
        raise ApiError(400, str(exc)) from None
    session.commit()
    return {"draft": describe(draft),
            "emergency": describe_emergency(session, emergency,
                                            state().settings.heartbeat_interval)}, 201


@emergency_drafts_api.post("/emergency-drafts/<int:draft_id>/dismiss")
@require_role(*SENDERS)
def dismiss(draft_id: int) -> Any:
    session = db()
    draft = _load(draft_id)
    try:
        dismiss_draft(session, draft, Actor.of(session, g.user), utcnow())
    except EmergencyRefused as exc:
        session.rollback()
        raise ApiError(400, str(exc)) from None
    session.commit()
    return describe(draft)
