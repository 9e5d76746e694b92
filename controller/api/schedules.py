"""``/api/v1/schedules``: read (every role) and write (admin, editor, approver, further
limited by ``check_schedule``) the schedules of docs/scheduling.md.

A body is one entry of ``config/schedules.yaml`` as JSON, validated by the same code as
the file (``controller.content.schedules_import``): 400 for a body that is not a JSON
object, 422 for an entry the file would refuse (unknown key, playlist, site or screen,
bad window or date, a playlist with no approved version, a pinned version that is not
approved, a playlist lacking a language of a targeted screen), 403 when the user may
not put that playlist on the sites it reaches, 409 for a duplicate id. Every write
bumps the change counter and writes an audit entry in the same transaction."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from controller import changes
from controller.api.errors import ApiError
from controller.api.user_auth import current_actor, require_role
from controller.auth.users import ROLES
from controller.content.schedule_targets import SiteReach
from controller.content.schedules_import import ParsedSchedule, check_complete, parse_body
from controller.content.schedules_store import (
    as_entry,
    create_schedule,
    delete_schedule,
    entry_values,
    update_schedule,
)
from controller.content.yamlfile import YamlError
from controller.models import Playlist, Schedule, User
from controller.refusals import refusal
from controller.review.actor import Actor
from controller.review.permissions import SCHEDULE_ROLES, check_schedule
from controller.state import db

schedules_api = Blueprint("schedules_api", __name__, url_prefix="/api/v1")

LIST_FILTERS = ("playlist", "site")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def as_dict(session: Session, schedule: Schedule, reach: SiteReach | None = None
            ) -> dict[str, Any]:
    """The entry format plus what the server keeps: number, creation order, who created
    it and when, and the sites it reaches."""
    creator = session.get(User, schedule.created_by) if schedule.created_by else None
    reach = reach or SiteReach(session)
    return {**as_entry(schedule), "number": schedule.id, "created_seq": schedule.created_seq,
            "created_by": creator.username if creator else None,
            "created_at": _iso(schedule.created_at), "updated_at": _iso(schedule.updated_at),
            "sites": sorted(reach.of(schedule.targets))}


def _load(slug: str) -> Schedule:
    schedule = db().scalar(select(Schedule).where(Schedule.slug == slug))
    if schedule is None:
        raise ApiError(404, refusal("No schedule %(schedule)r.", schedule=slug[:64]))
    return schedule


def _body() -> Any:
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, refusal("Send a JSON body (Content-Type: application/json): one "
                                    "schedule in the format of config/schedules.yaml."))
    if not isinstance(data, dict):
        raise ApiError(400, refusal("The body must be a JSON object: one schedule in the "
                                    "format of config/schedules.yaml (docs/scheduling.md)."))
    return data


def _parse(session: Session, data: dict[str, Any]) -> tuple[ParsedSchedule, list[str]]:
    try:
        return parse_body(session, data)
    except YamlError as exc:
        raise ApiError(422, exc.reason) from None


def _check(session: Session, actor: Actor, values: dict[str, Any], reach: SiteReach) -> None:
    """403 (ReviewError) if ``actor`` may not put this playlist on the sites reached."""
    playlist = session.get(Playlist, values["playlist_id"])
    if playlist is not None:
        check_schedule(actor, playlist, reach.of(values["targets"]))


def _complete(session: Session, row: ParsedSchedule) -> None:
    try:
        check_complete(session, row)
    except YamlError as exc:
        raise ApiError(422, exc.reason) from None


@schedules_api.get("/schedules")
@require_role(*ROLES)
def list_schedules() -> Any:
    unknown = sorted(set(request.args) - set(LIST_FILTERS))
    if unknown:
        raise ApiError(400, refusal("Unknown parameter %(name)r (allowed: %(allowed)s).",
                                    name=unknown[0], allowed=", ".join(LIST_FILTERS)))
    session = db()
    stmt = select(Schedule).order_by(Schedule.slug)
    playlist = request.args.get("playlist")
    if playlist is not None:
        stmt = stmt.where(Schedule.playlist_id == playlist)
    reach = SiteReach(session)
    rows = session.scalars(stmt).all()
    site = request.args.get("site")
    if site is not None:
        rows = [s for s in rows if site in reach.of(s.targets)]
    return {"schedules": [as_dict(session, s, reach) for s in rows]}


@schedules_api.get("/schedules/<slug>")
@require_role(*ROLES)
def get_schedule(slug: str) -> Any:
    return as_dict(db(), _load(slug))


@schedules_api.post("/schedules")
@require_role(*SCHEDULE_ROLES)
def create() -> Any:
    session = db()
    actor = current_actor()
    row, notes = _parse(session, _body())
    if session.scalar(select(Schedule.id).where(Schedule.slug == row.slug)) is not None:
        raise ApiError(409, refusal(
            "A schedule with id %(schedule)r exists already; change it with PUT "
            "/api/v1/schedules/%(slug)s or choose another id.", schedule=row.slug,
            slug=row.slug))
    reach = SiteReach(session)
    _check(session, actor, row.values, reach)
    _complete(session, row)
    try:
        schedule = create_schedule(session, actor, row)
        changes.bump(session, changes.Scope("schedule", str(schedule.id)))
        session.commit()
    except IntegrityError:  # the same id created at the same moment by someone else
        session.rollback()
        raise ApiError(409, refusal("A schedule with id %(schedule)r exists already.",
                                    schedule=row.slug)) from None
    return {**as_dict(session, schedule, reach), "notes": notes}, 201


@schedules_api.put("/schedules/<slug>")
@require_role(*SCHEDULE_ROLES)
def replace(slug: str) -> Any:
    session = db()
    actor = current_actor()
    schedule = _load(slug)
    data = _body()
    if "id" in data and data["id"] != slug:
        raise ApiError(422, refusal(
            "The body's id %(body)r differs from the URL's %(url)r; a schedule's id cannot "
            "change (delete it and create another).", body=data["id"], url=slug))
    row, notes = _parse(session, {**data, "id": slug})
    reach = SiteReach(session)
    _check(session, actor, entry_values(schedule), reach)  # may touch the old one
    _check(session, actor, row.values, reach)  # and may make the new one
    _complete(session, row)
    if update_schedule(session, actor, schedule, row):
        changes.bump(session, changes.Scope("schedule", str(schedule.id)))
        session.commit()
    return {**as_dict(session, schedule, reach), "notes": notes}


@schedules_api.delete("/schedules/<slug>")
@require_role(*SCHEDULE_ROLES)
def delete(slug: str) -> Any:
    session = db()
    actor = current_actor()
    schedule = _load(slug)
    _check(session, actor, entry_values(schedule), SiteReach(session))
    gone, scope = as_entry(schedule), changes.Scope("schedule", str(schedule.id))
    delete_schedule(session, actor, schedule)
    changes.bump(session, scope)
    session.commit()
    return {"deleted": gone}
