"""Who may see, edit, review and schedule which playlist (docs/review.md).

- ``editor``: sees and edits the playlists of their own agency (an editor with no
  agency: playlists with no agency); limited to themes if ``scope_themes`` is set,
  and schedules only onto the sites in ``scope_sites`` if that is set.
- ``approver``: reviews the playlists of their agency; approvers of the lead agency
  review every agency's. Never their own last edit.
- ``admin``: edits and schedules everything, but does not approve: review stays with
  the approvers (separation of duties).
- ``viewer``, ``technician``, ``emergency``: read only.

Each function raises ReviewError(403) with a sentence saying why, or returns None."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import Session

from controller.models import Playlist
from controller.refusals import Refusal, refusal
from controller.review import ReviewError
from controller.review.actor import Actor

EDIT_ROLES = ("admin", "editor")
REVIEW_ROLES = ("approver",)
SCHEDULE_ROLES = ("admin", "editor", "approver")


def _agency_name(agency_id: str | None) -> Refusal:
    return refusal("agency %(agency)r", agency=agency_id) if agency_id else \
        refusal("no agency")


def visible_filter(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause for the playlists ``actor`` may see."""
    if actor.is_system or actor.role in ("admin", "viewer", "technician", "emergency"):
        return true()
    if actor.role == "approver" and actor.lead_agency:
        return true()
    if actor.agency_id is None:
        return Playlist.agency_id.is_(None)
    return Playlist.agency_id == actor.agency_id


def can_see(actor: Actor, playlist: Playlist) -> bool:
    if actor.is_system or actor.role in ("admin", "viewer", "technician", "emergency"):
        return True
    if actor.role == "approver" and actor.lead_agency:
        return True
    return playlist.agency_id == actor.agency_id


def check_edit(actor: Actor, agency_id: str | None, themes: Iterable[str]) -> None:
    """May ``actor`` write a playlist owned by ``agency_id`` with ``themes``?"""
    if actor.is_system or actor.role == "admin":
        return
    if actor.role not in EDIT_ROLES:
        raise ReviewError(refusal("Role %(role)r may not edit playlists (editors and "
                                  "admins may).", role=actor.role), 403)
    if agency_id != actor.agency_id:
        raise ReviewError(refusal("%(person)s belongs to %(own)s and may only edit its "
                                  "playlists; this one belongs to %(owner)s.",
                                  person=actor.name, own=_agency_name(actor.agency_id),
                                  owner=_agency_name(agency_id)), 403)
    if actor.scope_themes:
        outside = sorted(set(themes) - set(actor.scope_themes))
        if outside or not set(themes):
            themes_allowed = ", ".join(actor.scope_themes)
            raise ReviewError(refusal(
                "%(person)s may only edit playlists with the themes %(allowed)s; this one "
                "has %(outside)s.", person=actor.name, allowed=themes_allowed,
                outside=", ".join(outside)) if outside else refusal(
                "%(person)s may only edit playlists with the themes %(allowed)s; this one "
                "has no theme: give it one of them.", person=actor.name,
                allowed=themes_allowed), 403)


def check_review(actor: Actor, playlist: Playlist) -> None:
    """May ``actor`` approve or reject versions of ``playlist`` (not yet: whose edit)?"""
    if actor.role not in REVIEW_ROLES:
        raise ReviewError(refusal("Role %(role)r may not approve or reject playlists (only "
                                  "approvers may).", role=actor.role), 403)
    if not actor.lead_agency and playlist.agency_id != actor.agency_id:
        raise ReviewError(refusal("%(person)s reviews the playlists of %(own)s; "
                                  "%(playlist)r belongs to %(owner)s (approvers of the lead "
                                  "agency review every agency's).", person=actor.name,
                                  own=_agency_name(actor.agency_id), playlist=playlist.id,
                                  owner=_agency_name(playlist.agency_id)), 403)


def check_schedule(actor: Actor, playlist: Playlist, site_ids: Iterable[str]) -> None:
    """May ``actor`` put ``playlist`` on screens of ``site_ids``?"""
    if actor.is_system or actor.role == "admin":
        return
    if actor.role not in SCHEDULE_ROLES:
        raise ReviewError(refusal("Role %(role)r may not change schedules (editors, "
                                  "approvers and admins may).", role=actor.role), 403)
    if actor.role == "approver":
        if not actor.lead_agency:
            raise ReviewError(refusal("Only approvers of the lead agency may change "
                                      "schedules."), 403)
        return
    if playlist.agency_id != actor.agency_id:
        raise ReviewError(refusal("%(person)s may only schedule playlists of %(own)s; "
                                  "%(playlist)r belongs to %(owner)s.", person=actor.name,
                                  own=_agency_name(actor.agency_id), playlist=playlist.id,
                                  owner=_agency_name(playlist.agency_id)), 403)
    if actor.scope_sites:
        outside = sorted(set(site_ids) - set(actor.scope_sites))
        if outside:
            raise ReviewError(refusal("%(person)s may only schedule onto the sites "
                                      "%(allowed)s, not %(outside)s.", person=actor.name,
                                      allowed=", ".join(actor.scope_sites),
                                      outside=", ".join(outside)), 403)


def playlist_or_404(session: Session, actor: Actor, playlist_id: str) -> Playlist:
    """The playlist, or ReviewError(404) when it does not exist or ``actor`` may not see
    it (the two are not told apart, so ids of other agencies do not leak)."""
    playlist = session.get(Playlist, playlist_id)
    if playlist is None or not can_see(actor, playlist):
        raise ReviewError(refusal("No playlist %(playlist)r.", playlist=playlist_id), 404)
    return playlist
