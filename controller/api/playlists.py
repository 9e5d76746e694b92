"""``/api/v1/playlists``: list, create, read, rename, and edit the draft of playlists
(docs/api-playlists.md). Review actions are in ``playlist_review.py``, file import and
export in ``playlist_files.py``.

Who may do what is decided by ``controller/review`` (permissions and workflow), which
raise ReviewError (403/404/409/422). Bad input is a 400 (not a JSON object) or 422 (a
value is wrong, the message says which) and nothing is written."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, request
from sqlalchemy import select

from controller.api.errors import ApiError, in_callers_language
from controller.api.user_auth import current_actor, require_role
from controller.auth.users import ROLES
from controller.content import items_json
from controller.content.assignments import load_placements, load_screens, screens_showing
from controller.content.yamlfile import YamlError
from controller.models import (
    APPROVED,
    ARCHIVED,
    DRAFT,
    IN_REVIEW,
    Playlist,
    PlaylistVersion,
    User,
)
from controller.refusals import refusal
from controller.review import ReviewError, workflow
from controller.review.actor import Actor
from controller.review.permissions import playlist_or_404, visible_filter
from controller.state import db, state

playlists_api = Blueprint("playlists_api", __name__, url_prefix="/api/v1")

READERS = tuple(ROLES)
EDITORS = ("admin", "editor")
STATES = (DRAFT, IN_REVIEW, APPROVED, ARCHIVED)


# --------------------------------------------------------------------------- helpers


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC (``…Z``); SQLite hands back naive datetimes that are UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def json_object() -> dict[str, Any]:
    """The request's JSON body, which must be an object; ApiError(400) otherwise."""
    if not request.is_json:
        raise ApiError(400, refusal("Send a JSON body (Content-Type: application/json)."))
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, refusal("The body must be a JSON object ({...}); it was empty "
                                    "or null."))
    if not isinstance(data, dict):
        raise ApiError(400, refusal("The body must be a JSON object ({...})."))
    return data


def refused(exc: YamlError) -> ApiError:
    """A validation failure of a JSON body: 422 with the reason (item and language)."""
    db().rollback()
    return ApiError(422, exc.reason)


def usernames(ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db().execute(select(User.id, User.username).where(User.id.in_(wanted)))
                .all())


def version_dict(version: PlaylistVersion, names: dict[int, str] | None = None,
                 *, items: bool = False, on_air: int | None = None) -> dict[str, Any]:
    if names is None:
        names = usernames({version.created_by, version.edited_by, version.submitted_by,
                           version.reviewed_by})
    out: dict[str, Any] = {
        "number": version.number, "state": version.state,
        "on_air": on_air is not None and version.number == on_air,
        "content_hash": version.content_hash, "item_count": len(version.items or []),
        "created_by": names.get(version.created_by),  # type: ignore[arg-type]
        "created_at": iso(version.created_at),
        "edited_by": names.get(version.edited_by),  # type: ignore[arg-type]
        "edited_at": iso(version.edited_at),
        "submitted_by": names.get(version.submitted_by),  # type: ignore[arg-type]
        "submitted_at": iso(version.submitted_at),
        "reviewed_by": names.get(version.reviewed_by),  # type: ignore[arg-type]
        "reviewed_at": iso(version.reviewed_at),
        "rejection_reason": version.rejection_reason, "source": version.source,
    }
    if items:
        out["items"] = version.items
    return out


def playlist_dict(playlist: Playlist, working: PlaylistVersion | None) -> dict[str, Any]:
    return {
        "id": playlist.id, "title": {"vi": playlist.title_vi, "en": playlist.title_en},
        "agency": playlist.agency_id, "themes": list(playlist.themes or []),
        "on_air": playlist.current_version,
        "working": None if working is None else {
            "number": working.number, "state": working.state,
            "rejection_reason": working.rejection_reason},
        "updated_at": iso(playlist.updated_at),
    }


def details(playlist: Playlist) -> dict[str, Any]:
    """The playlist with every version (newest first)."""
    versions = list(db().scalars(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == playlist.id).order_by(PlaylistVersion.number.desc())))
    names = usernames({u for v in versions for u in (v.created_by, v.edited_by,
                                                     v.submitted_by, v.reviewed_by)})
    working = next((v for v in versions if v.state in (DRAFT, IN_REVIEW)), None)
    return {**playlist_dict(playlist, working),
            "versions": [version_dict(v, names, on_air=playlist.current_version)
                         for v in versions]}


def load(playlist_id: str) -> tuple[Actor, Playlist]:
    actor = current_actor()
    return actor, playlist_or_404(db(), actor, playlist_id)


# --------------------------------------------------------------------------- routes


@playlists_api.get("/playlists")
@require_role(*READERS)
def list_playlists() -> Any:
    actor = current_actor()
    session = db()
    stmt = select(Playlist).where(visible_filter(actor)).order_by(Playlist.id)
    agency = request.args.get("agency")
    if agency:
        stmt = stmt.where(Playlist.agency_id == agency)
    wanted_state = request.args.get("state")
    if wanted_state:
        if wanted_state not in STATES:
            raise ApiError(400, refusal("Unknown state %(state)r; use one of %(states)s.",
                                        state=wanted_state[:40], states=", ".join(STATES)))
        stmt = stmt.where(Playlist.id.in_(select(PlaylistVersion.playlist_id).where(
            PlaylistVersion.state == wanted_state)))
    theme = request.args.get("theme")
    playlists = [p for p in session.scalars(stmt)
                 if not theme or theme in (p.themes or [])]
    working = {v.playlist_id: v for v in session.scalars(
        select(PlaylistVersion).where(PlaylistVersion.state.in_((DRAFT, IN_REVIEW)))
        .order_by(PlaylistVersion.number))}
    return {"playlists": [playlist_dict(p, working.get(p.id)) for p in playlists]}


@playlists_api.post("/playlists")
@require_role(*EDITORS)
def create_playlist() -> Any:
    data = json_object()
    session = db()
    actor = current_actor()
    try:
        values = items_json.parse_new_playlist(session, state().store, data,
                                               state().settings.language_config)
    except YamlError as exc:
        raise refused(exc) from None
    agency = values["agency"] if values["agency"] is not None else actor.agency_id
    workflow.create_playlist(session, actor, values["id"], title_vi=values["title_vi"],
                             title_en=values["title_en"], items=values["items"],
                             agency_id=agency, themes=values["themes"], source="api")
    session.commit()
    playlist = session.get(Playlist, values["id"])
    return details(playlist), 201  # type: ignore[arg-type]


@playlists_api.get("/playlists/<playlist_id>")
@require_role(*READERS)
def get_playlist(playlist_id: str) -> Any:
    return details(load(playlist_id)[1])


@playlists_api.patch("/playlists/<playlist_id>")
@require_role(*EDITORS)
def update_playlist(playlist_id: str) -> Any:
    data = json_object()
    actor, playlist = load(playlist_id)
    try:
        values = items_json.parse_details(data)
    except YamlError as exc:
        raise refused(exc) from None
    changed = workflow.update_details(db(), actor, playlist, **values)
    db().commit()
    return {**details(playlist), "changed": changed}


@playlists_api.put("/playlists/<playlist_id>/draft")
@require_role(*EDITORS)
def save_draft(playlist_id: str) -> Any:
    data = json_object()
    session = db()
    actor, playlist = load(playlist_id)
    try:
        items = items_json.parse_draft(session, state().store, data,
                                       state().settings.language_config)
    except YamlError as exc:
        raise refused(exc) from None
    before = workflow.working_version(session, playlist.id)
    version = workflow.save_draft(session, actor, playlist, items, source="api")
    session.commit()
    if version is None:
        same = before if before is not None else workflow.version_of(
            session, playlist.id, playlist.current_version)  # type: ignore[arg-type]
        return {"unchanged": True, "version": version_dict(
            same, on_air=playlist.current_version)}
    created = before is None or before.number != version.number
    body = {"unchanged": False, "version": version_dict(
        version, items=True, on_air=playlist.current_version),
        # What submitting would refuse, said now (saving stays allowed).
        "warnings": submit_problems(session, playlist.id, items)}
    return body, 201 if created else 200


def submit_problems(session: Any, playlist_id: str | None,
                    items: list[dict[str, Any]]) -> list[str]:
    """The sentences submitting ``items`` would be refused with (empty: none); nothing
    is stored. ``playlist_id`` None: a new playlist, checked against no screens."""
    config = state().settings.language_config
    try:
        workflow.check_complete(session, playlist_id or "", items, config,
                                workflow.subject(playlist_id or "new"))
    except ReviewError as exc:
        return [in_callers_language(exc.message)]
    finally:
        session.rollback()
    return []


@playlists_api.get("/playlists/<playlist_id>/versions/<int:number>")
@require_role(*READERS)
def get_version(playlist_id: str, number: int) -> Any:
    _, playlist = load(playlist_id)
    version = workflow.version_of(db(), playlist.id, number)
    return {"playlist": playlist.id,
            **version_dict(version, items=True, on_air=playlist.current_version)}


@playlists_api.get("/playlists/<playlist_id>/reach")
@require_role(*READERS)
def reach(playlist_id: str) -> Any:
    """The screens the playlist's next approved version would reach (as a default
    playlist, or through a schedule that plays whatever version is approved) and their
    languages: what submitting checks completeness against, so the panel can warn
    while the editor types."""
    _, playlist = load(playlist_id)
    session = db()
    shown = screens_showing(playlist.id, load_screens(session), load_placements(session))
    screens = [{"id": s.id, "languages": list(s.languages)}
               for s in sorted(shown.values(), key=lambda s: s.id)]
    languages = list(dict.fromkeys(lang for s in screens for lang in s["languages"]))
    return {"playlist": playlist.id, "screens": screens, "languages": languages}


@playlists_api.post("/playlists/check")
@require_role(*EDITORS)
def check_items() -> Any:
    """What saving and submitting ``items`` would refuse, without storing anything:
    ``{"ok", "problems": [sentence, …]}``. Body ``{"items": [...], "playlist"?: id}``;
    with a playlist (one the caller may see) the languages and slide sizes of the
    screens it reaches are checked too. The panel asks while the editor types."""
    data = json_object()
    unknown = sorted(set(data) - {"items", "playlist"})
    if unknown:
        raise ApiError(422, refusal("Unknown field(s): %(fields)s (allowed: items, "
                                    "playlist).", fields=", ".join(unknown)))
    session = db()
    playlist_id = data.get("playlist")
    if playlist_id is not None:
        if not isinstance(playlist_id, str):
            raise ApiError(422, refusal("'playlist' must be a playlist id (text)."))
        playlist_id = load(playlist_id)[1].id
    config = state().settings.language_config
    try:
        items = items_json.parse_draft(session, state().store, {"items": data.get("items")},
                                       config)
    except YamlError as exc:
        db().rollback()
        return {"ok": False, "problems": [in_callers_language(exc.reason)]}
    problems = submit_problems(session, playlist_id, items)
    return {"ok": not problems, "problems": problems}
