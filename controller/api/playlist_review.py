"""Editorial review over the API (docs/api-playlists.md): submit, withdraw, approve,
reject, archive a playlist version; the diff an approver reads; the review queue.

The route roles are a first filter; ``controller/review/workflow.py`` decides (agency,
last editor, state) and its ReviewError becomes the JSON error."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from sqlalchemy import select

from controller.api.errors import ApiError
from controller.api.playlists import (
    READERS,
    details,
    iso,
    json_object,
    load,
    usernames,
    version_dict,
)
from controller.api.user_auth import current_actor, require_role
from controller.models import IN_REVIEW, Playlist, PlaylistVersion
from controller.refusals import refusal
from controller.review import ReviewError, workflow
from controller.review.actor import Actor
from controller.review.diff import diff_items
from controller.review.permissions import check_review
from controller.state import db, state
from controller.timeline.ahead import slide_requests

review_api = Blueprint("review_api", __name__, url_prefix="/api/v1")

AUTHORS = ("admin", "editor")
APPROVERS = ("approver",)
ARCHIVERS = ("admin", "editor", "approver")
VERSION = "/playlists/<playlist_id>/versions/<int:number>"


def review_status(actor: Actor, playlist: Playlist,
                  version: PlaylistVersion) -> dict[str, Any]:
    """May ``actor`` approve or reject ``version`` now? ``why_not_code`` (``role``,
    ``agency``, ``state``, ``own_edit``) lets a client say why in its own language;
    ``why_not`` says it in English. The approve and reject routes decide anyway."""
    code: str | None = None
    why: str | None = None
    try:
        check_review(actor, playlist)
    except ReviewError as exc:
        code = "role" if actor.role not in APPROVERS else "agency"
        why = exc.message
    if code is None and version.state != IN_REVIEW:
        code, why = "state", (f"Version {version.number} of {playlist.id!r} is not in "
                              "review.")
    if code is None and version.edited_by is not None and version.edited_by == actor.user_id:
        code, why = "own_edit", (f"{actor.name} edited this version last; another "
                                 "approver must review it.")
    return {"may_approve": code is None, "why_not": why, "why_not_code": code}


def change_counts(changes: dict[str, Any]) -> dict[str, int]:
    """How many items a diff adds, removes, moves and changes."""
    return {key: len(changes[key]) for key in ("added", "removed", "moved", "changed")}


def _done(playlist: Playlist, version: PlaylistVersion) -> dict[str, Any]:
    db().commit()
    return {"version": version_dict(version, on_air=playlist.current_version),
            "playlist": details(playlist)}


def _draw_ahead(playlist_id: str, items: list[dict[str, Any]]) -> None:
    """Ask the job worker now for the slides the version will need on air
    (controller/timeline/ahead.py), so its approval is pushed without waiting for them."""
    renderer = state().publisher.renderer
    if renderer is None:  # no job worker in this process: the rebuild draws them itself
        return
    renderer.ask_ahead(slide_requests(db(), playlist_id, items))


@review_api.post(f"{VERSION}/submit")
@require_role(*AUTHORS)
def submit(playlist_id: str, number: int) -> Any:
    actor, playlist = load(playlist_id)
    version = workflow.submit(db(), actor, playlist, number,
                              state().settings.language_config)
    answer = _done(playlist, version)
    _draw_ahead(playlist.id, version.items)
    return answer


@review_api.post(f"{VERSION}/withdraw")
@require_role(*AUTHORS)
def withdraw(playlist_id: str, number: int) -> Any:
    actor, playlist = load(playlist_id)
    return _done(playlist, workflow.withdraw(db(), actor, playlist, number))


@review_api.post(f"{VERSION}/approve")
@require_role(*APPROVERS)
def approve(playlist_id: str, number: int) -> Any:
    actor, playlist = load(playlist_id)
    version = workflow.approve(db(), actor, playlist, number,
                               state().settings.language_config)
    return _done(playlist, version)


@review_api.post(f"{VERSION}/reject")
@require_role(*APPROVERS)
def reject(playlist_id: str, number: int) -> Any:
    data = json_object()
    unknown = sorted(set(data) - {"reason"})
    if unknown:
        raise ApiError(422, refusal("Unknown field(s): %(fields)s (allowed: reason).",
                                    fields=", ".join(unknown)))
    reason = data.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ApiError(422, refusal("'reason' must be text."))
    actor, playlist = load(playlist_id)
    return _done(playlist, workflow.reject(db(), actor, playlist, number, reason or ""))


@review_api.post(f"{VERSION}/archive")
@require_role(*ARCHIVERS)
def archive(playlist_id: str, number: int) -> Any:
    actor, playlist = load(playlist_id)
    return _done(playlist, workflow.archive(db(), actor, playlist, number))


@review_api.get(f"{VERSION}/diff")
@require_role(*READERS)
def diff(playlist_id: str, number: int) -> Any:
    _, playlist = load(playlist_id)
    session = db()
    version = workflow.version_of(session, playlist.id, number)
    raw = request.args.get("against")
    against: int | None
    if raw is None or raw == "":
        against = playlist.current_version
    else:
        try:
            against = int(raw)
        except ValueError:
            raise ApiError(400, refusal("'against' must be a version number, got %(got)r.",
                                        got=raw[:20])) from None
    base = workflow.version_of(session, playlist.id, against) if against is not None else None
    return {"playlist": playlist.id, "version": number,
            "against": against, "changes": diff_items(base.items if base else None,
                                                       version.items or []),
            **review_status(current_actor(), playlist, version)}


@review_api.get("/review-queue")
@require_role(*APPROVERS)
def review_queue() -> Any:
    actor = current_actor()
    session = db()
    rows = session.execute(
        select(PlaylistVersion, Playlist)
        .join(Playlist, Playlist.id == PlaylistVersion.playlist_id)
        .where(PlaylistVersion.state == IN_REVIEW)
        .order_by(PlaylistVersion.submitted_at, PlaylistVersion.id)).all()
    reviewable = []
    for version, playlist in rows:
        try:
            check_review(actor, playlist)
        except ReviewError:
            continue
        reviewable.append((version, playlist))
    names = usernames({u for v, _ in reviewable for u in (v.submitted_by, v.edited_by)})
    queue = []
    for version, playlist in reviewable:
        own_edit = version.edited_by is not None and version.edited_by == actor.user_id
        base = (workflow.version_of(session, playlist.id, playlist.current_version)
                if playlist.current_version is not None else None)
        queue.append({
            "playlist": playlist.id,
            "title": {"vi": playlist.title_vi, "en": playlist.title_en},
            "agency": playlist.agency_id, "version": version.number,
            "on_air": playlist.current_version,
            "submitted_by": names.get(version.submitted_by),  # type: ignore[arg-type]
            "submitted_at": iso(version.submitted_at),
            "edited_by": names.get(version.edited_by),  # type: ignore[arg-type]
            "item_count": len(version.items or []),
            "may_approve": not own_edit,
            "why_not": (f"{actor.name} edited this version last; another approver must "
                        "review it.") if own_edit else None,
            "why_not_code": "own_edit" if own_edit else None,
            "changes": change_counts(diff_items(base.items if base else None,
                                                version.items or [])),
        })
    return {"queue": queue}
