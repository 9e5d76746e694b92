"""``/api/v1/agencies``: the contributing agencies (every role reads; admins create and
edit with ``PUT /api/v1/agencies/<id>``, body ``{"name": {"vi", "en"}, "lead"?}``).
Exactly one agency leads: making one the lead takes the lead from the other; the lead
cannot be dropped without naming another (409). Audited (``agency.create``/``update``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from sqlalchemy import select

from controller.api.errors import ApiError
from controller.api.user_auth import current_actor, require_role
from controller.auth.users import ROLES
from controller.content.sites_import import ID_HINT, ID_RE
from controller.content.text_rule import text_refusal
from controller.models import Agency
from controller.refusals import refusal
from controller.review.agencies import MAX_NAME, AgencyData, as_dict, save_agency
from controller.state import db

agencies_api = Blueprint("agencies_api", __name__, url_prefix="/api/v1")


@agencies_api.get("/agencies")
@require_role(*ROLES)
def list_agencies() -> Any:
    rows = db().scalars(select(Agency).order_by(Agency.id)).all()
    return {"agencies": [as_dict(a) for a in rows]}


def _name(names: dict[str, Any], lang: str) -> str:
    value = names.get(lang)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(422, refusal("name.%(lang)s is required: the agency's name in "
                                    "%(lang)s (text).", lang=lang))
    if len(value) > MAX_NAME:
        raise ApiError(422, refusal("name.%(lang)s is longer than %(most)d characters.",
                                    lang=lang, most=MAX_NAME))
    why = text_refusal(value.strip())
    if why is not None:
        raise ApiError(422, refusal("name.%(lang)s %(why)s.", lang=lang, why=why))
    return value.strip()


@agencies_api.put("/agencies/<agency_id>")
@require_role("admin")
def put_agency(agency_id: str) -> Any:
    if not ID_RE.fullmatch(agency_id):
        raise ApiError(422, refusal("Agency id %(agency)r is not valid: %(hint)s.",
                                    agency=agency_id[:64], hint=ID_HINT))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, refusal("Send a JSON object: {\"name\": {\"vi\": …, \"en\": …}, "
                                    "\"lead\": true|false (optional)}."))
    unknown = sorted(set(data) - {"name", "lead", "id"})
    if unknown:
        raise ApiError(422, refusal("Unknown field %(field)r (allowed: %(allowed)s).",
                                    field=unknown[0], allowed="name, lead"))
    if "id" in data and data["id"] != agency_id:
        raise ApiError(422, refusal("The body's id %(body)r differs from the URL's "
                                    "%(url)r.", body=data["id"], url=agency_id))
    names = data.get("name")
    if not isinstance(names, dict):
        raise ApiError(422, refusal("name is required: {\"vi\": …, \"en\": …}."))
    extra = sorted(set(names) - {"vi", "en"})
    if extra:
        raise ApiError(422, refusal("name has an unknown language %(lang)r (names are given "
                                    "in vi and en).", lang=extra[0]))
    session = db()
    existing = session.get(Agency, agency_id)
    lead = data.get("lead", existing.lead if existing is not None else False)
    if not isinstance(lead, bool):
        raise ApiError(422, refusal("lead must be true or false."))
    row, created = save_agency(session, current_actor(),
                               AgencyData(agency_id, _name(names, "vi"), _name(names, "en"),
                                          lead))
    session.commit()
    return as_dict(row), 201 if created else 200
