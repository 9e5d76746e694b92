"""``/api/v1/emergencies``: send an emergency (roles ``emergency`` and ``admin``), list
the latest ones and read an emergency's delivery receipts (also ``technician``), cancel
it. Bad input is a 400 whose message says what is wrong,
and nothing is written."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request

from controller.api.errors import ApiError
from controller.api.user_auth import require_role
from controller.emergencies import store
from controller.emergencies.report import describe
from controller.emergencies.request import EmergencyRefused, parse_request
from controller.models import Emergency
from controller.refusals import refusal
from controller.review.actor import Actor
from controller.state import db, state

emergencies_api = Blueprint("emergencies_api", __name__, url_prefix="/api/v1")

SENDERS = ("emergency", "admin")
READERS = ("emergency", "admin", "technician")
DEFAULT_LIST, MAX_LIST = 20, 100


def _load(emergency_id: int) -> Emergency:
    emergency = db().get(Emergency, emergency_id)
    if emergency is None:
        raise ApiError(404, refusal("No emergency %(number)s.", number=emergency_id))
    return emergency


@emergencies_api.post("/emergencies")
@require_role(*SENDERS)
def send_emergency() -> Any:
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, refusal("Send a JSON body (Content-Type: application/json)."))
    session = db()
    try:
        emergency = store.create(session, parse_request(data), Actor.of(session, g.user))
    except EmergencyRefused as exc:
        session.rollback()
        raise ApiError(400, str(exc)) from None
    session.commit()
    return describe(session, emergency, state().settings.heartbeat_interval), 201


@emergencies_api.get("/emergencies")
@require_role(*READERS)
def list_emergencies() -> Any:
    """The latest emergencies, newest first, each with its receipts; ``limit`` 1..100
    (default 20)."""
    unknown = sorted(set(request.args) - {"limit"})
    if unknown:
        raise ApiError(400, refusal("Unknown parameter %(name)r (allowed: %(allowed)s).",
                                    name=unknown[0][:40], allowed="limit"))
    raw = request.args.get("limit", str(DEFAULT_LIST))
    if not raw.strip().isdigit() or not 1 <= int(raw) <= MAX_LIST:
        raise ApiError(400, refusal("%(name)r must be a whole number from %(low)d to "
                                    "%(high)d, got %(raw)r.", name="limit", low=1,
                                    high=MAX_LIST, raw=raw[:32]))
    session = db()
    heartbeat = state().settings.heartbeat_interval
    return {"emergencies": [describe(session, emergency, heartbeat)
                            for emergency in store.recent(session, int(raw))]}


@emergencies_api.get("/emergencies/<int:emergency_id>")
@require_role(*READERS)
def get_emergency(emergency_id: int) -> Any:
    return describe(db(), _load(emergency_id), state().settings.heartbeat_interval)


@emergencies_api.post("/emergencies/<int:emergency_id>/cancel")
@require_role(*SENDERS)
def cancel_emergency(emergency_id: int) -> Any:
    session = db()
    emergency = _load(emergency_id)
    try:
        store.cancel(session, emergency, Actor.of(session, g.user))
    except EmergencyRefused as exc:
        session.rollback()
        raise ApiError(400, str(exc)) from None
    session.commit()
    return describe(session, emergency, state().settings.heartbeat_interval)
