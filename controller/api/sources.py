"""Data sources (docs/sources.md):

- ``GET /api/v1/sources`` (admins, technicians): every source declared in
  config/sources.yaml with its status, last success, age, whether its data are stale,
  its record count and its last error (said in the caller's language);
- ``POST /api/v1/sources/<id>/refresh`` (admins): fetch it now and answer its new
  status. The fetch runs in this request, bounded by the source's own deadline (two
  minutes at most); recorded in the audit log (``source.refresh``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from controller.api.errors import ApiError, answer_language
from controller.api.user_auth import current_actor, require_role
from controller.models import utcnow
from controller.refusals import refusal
from controller.review.audit import record
from controller.sources import views
from controller.sources.polling import refresh
from controller.state import db, state

sources_api = Blueprint("sources_api", __name__, url_prefix="/api/v1")

READERS = ("admin", "technician")


def _no_parameters() -> None:
    if request.args:
        raise ApiError(400, refusal("Unknown parameter %(name)r (allowed: %(allowed)s).",
                                    name=next(iter(request.args))[:40], allowed="none"))


@sources_api.get("/sources")
@require_role(*READERS)
def list_sources() -> Any:
    _no_parameters()
    return {"sources": views.listing(db(), utcnow(), answer_language())}


@sources_api.post("/sources/<source_id>/refresh")
@require_role("admin")
def refresh_source(source_id: str) -> Any:
    _no_parameters()
    session = db()
    if views.one(session, source_id, utcnow(), answer_language()) is None:
        raise ApiError(404, refusal("No data source %(id)r (they are declared in "
                                    "config/sources.yaml).", id=source_id[:64]))
    record(session, current_actor(), "source.refresh", "data_source", source_id)
    session.commit()  # the fetch below uses sessions of its own
    pano = state()
    refresh(pano.settings, pano.session_factory, source_id)
    session.expire_all()
    answer = views.one(session, source_id, utcnow(), answer_language())
    if answer is None:  # removed by an import meanwhile
        raise ApiError(404, refusal("No data source %(id)r (they are declared in "
                                    "config/sources.yaml).", id=source_id[:64]))
    return answer
