"""Editorial review (docs/review.md): playlist versions move draft → in review →
approved → archived; another person approves; every change is written to the
append-only audit log. Agencies own playlists and scope what editors may touch."""

from __future__ import annotations


class ReviewError(Exception):
    """A refused review action. ``status`` is the HTTP status the API answers with:
    403 (not allowed for this person), 404 (no such thing), 409 (wrong state) or 422
    (incomplete or invalid content)."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
