"""How many playlist versions wait for the logged-in approver: the number the
navigation's "Review" tab shows.

The same versions as ``GET /api/v1/review-queue`` lists for that person: submitted
(``in_review``) versions of playlists they may review (their agency's, or every
agency's for approvers of the lead agency, ``controller.review.permissions``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from controller.models import IN_REVIEW, Agency, Playlist, PlaylistVersion, User
from controller.review.permissions import REVIEW_ROLES


def waiting_for(session: Session, user: User) -> int | None:
    """The number of versions waiting for ``user``'s review; None for a role that does
    not review."""
    if user.role not in REVIEW_ROLES:
        return None
    query = (select(func.count()).select_from(PlaylistVersion)
             .join(Playlist, Playlist.id == PlaylistVersion.playlist_id)
             .where(PlaylistVersion.state == IN_REVIEW))
    agency = session.get(Agency, user.agency_id) if user.agency_id is not None else None
    if not (agency is not None and agency.lead):
        query = query.where(Playlist.agency_id == user.agency_id if user.agency_id is not None
                            else Playlist.agency_id.is_(None))
    return int(session.scalar(query) or 0)
