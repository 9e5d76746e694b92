"""Adding, changing and disabling data sources over the API (administrators; the
panel's Sources page), docs/sources.md "From the panel or the API":

- ``POST /api/v1/sources``: a new source, written as an entry of config/sources.yaml
  (``id``, ``kind``, ``url``, ``name``, ``every``… as JSON); the same checks as the
  file (allowed hosts, limits, names), a refusal is a 422 naming the field, an id
  already declared a 409;
- ``PATCH /api/v1/sources/<id>``: the fields to change, merged over the source as
  declared and checked whole again; ``{"disabled": true}`` keeps the source and its
  data but stops fetching it (its data turn stale: data items show their fallback),
  ``false`` fetches it again. A change of kind, address or kind options starts the
  source afresh, as an import does.

Both are audited (``source.declare``) through the import's own step
(``declarations.store_spec``). A source added or changed here is then *managed in the
panel* (``managed_in: "panel"``): the next ``pano-controller import`` of
config/sources.yaml (``make run`` imports it at every start) leaves it as it is, so an
operator's change is never undone by a restart. ``PATCH`` with exactly
``{"managed_in": "file"}`` hands it back to the file (the next import applies the
file's entry, or removes the source if the file has none); the answer's
``declaration`` is the entry to paste into the file first."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy import func, select

from controller.api.errors import ApiError, answer_language
from controller.api.playlists import json_object
from controller.api.user_auth import current_actor, require_role
from controller.content.yamlfile import YamlError
from controller.models import DataSource, utcnow
from controller.refusals import refusal
from controller.review.audit import record
from controller.sources import views
from controller.sources.declarations import (
    KIND_OPTIONS,
    MAX_DEADLINE,
    MAX_STALE,
    parse_source,
    store_spec,
)
from controller.state import db, state

sources_edit_api = Blueprint("sources_edit_api", __name__, url_prefix="/api/v1")

BODY = "request body"


def declaration(source: DataSource) -> dict[str, Any]:
    """The source as an entry of config/sources.yaml writes it (JSON is valid YAML)."""
    options = dict(source.options or {})
    out: dict[str, Any] = {
        "id": source.id, "kind": source.kind, "url": source.url,
        "name": dict(source.names or {}), "every": source.every_s,
        "timeout": source.timeout_s, "deadline": options.get("deadline"),
        "max_bytes": source.max_bytes, "stale_after": source.stale_after_s}
    out.update({k: v for k, v in options.items() if k in KIND_OPTIONS.get(source.kind, ())})
    if options.get("disabled"):
        out["disabled"] = True
    return {k: v for k, v in out.items() if v is not None}


def _answer(source_id: str) -> dict[str, Any]:
    session = db()
    answer = views.one(session, source_id, utcnow(), answer_language()) or {}
    source = session.get(DataSource, source_id)
    if source is not None:
        answer["disabled"] = bool((source.options or {}).get("disabled"))
        answer["declaration"] = declaration(source)
        answer["managed_in"] = source.managed_in
    return answer


def _spec(data: dict[str, Any]) -> Any:
    pano = state()
    try:
        return parse_source(BODY, data, pano.settings.source_allowed_domains,
                            pano.settings.language_config)
    except YamlError as exc:
        db().rollback()
        raise ApiError(422, exc.reason) from None


@sources_edit_api.post("/sources")
@require_role("admin")
def create_source() -> Any:
    data = json_object()
    spec = _spec(data)
    session = db()
    if session.get(DataSource, spec.id) is not None:
        raise ApiError(409, refusal("A data source %(id)r is already declared; change it "
                                    "instead (PATCH /api/v1/sources/%(id)s).", id=spec.id))
    spec.values["position"] = (session.scalar(select(func.max(DataSource.position))) or 0) + 1
    store_spec(session, spec, None, current_actor())
    session.get(DataSource, spec.id).managed_in = "panel"
    session.commit()
    return _answer(spec.id), 201


@sources_edit_api.patch("/sources/<source_id>")
@require_role("admin")
def change_source(source_id: str) -> Any:
    session = db()
    source = session.get(DataSource, source_id)
    if source is None:
        raise ApiError(404, refusal("No data source %(id)r (they are declared in "
                                    "config/sources.yaml).", id=source_id[:64]))
    data = json_object()
    if "managed_in" in data:
        return _hand_over(session, source, data)
    if "id" in data and data["id"] != source_id:
        raise ApiError(422, refusal("A source's id cannot be changed (%(id)r); declare a "
                                    "new source instead.", id=source_id))
    merged = {**declaration(source), **data}
    # Limits left at their default (derived from the interval and the timeout) follow
    # a changed interval or timeout, as they would in the file.
    deadline = (source.options or {}).get("deadline")
    if "stale_after" not in data and source.stale_after_s == min(3 * source.every_s, MAX_STALE):
        merged.pop("stale_after", None)
    if "deadline" not in data and deadline == min(3 * source.timeout_s, MAX_DEADLINE):
        merged.pop("deadline", None)
    if merged.get("disabled") is False:
        del merged["disabled"]
    spec = _spec(merged)
    if store_spec(session, spec, source, current_actor()) != "unchanged":
        source.managed_in = "panel"
    session.commit()
    return _answer(source_id)


def _hand_over(session: Any, source: DataSource, data: dict[str, Any]) -> Any:
    """``{"managed_in": "file"}`` (alone): the next import applies the file to it."""
    if set(data) != {"managed_in"} or data["managed_in"] not in ("file", "panel"):
        raise ApiError(422, refusal("'managed_in' is changed alone, to \"file\" (the next "
                                    "import of config/sources.yaml applies the file to the "
                                    "source) or \"panel\"."))
    if source.managed_in != data["managed_in"]:
        record(session, current_actor(), "source.managed_in", "data_source", source.id,
               before={"managed_in": source.managed_in},
               after={"managed_in": data["managed_in"]})
        source.managed_in = data["managed_in"]
        session.commit()
    return _answer(source.id)
