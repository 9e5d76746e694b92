"""Who is logged in to the panel: Flask-Login over the signed session cookie.

The session stores ``"<user id>:<epoch>"``, where the epoch is a short hash of the
user's password hash. Changing the password (``pano-controller users passwd``) changes
the epoch, so every session opened with the old password ends at its next request; a
disabled user is logged out the same way. Nothing else about the user is kept in the
cookie: role, agency and scopes are read from the database on every request."""

from __future__ import annotations

import hashlib

from flask_login import LoginManager, UserMixin

from controller.models import User
from controller.state import db

login_manager = LoginManager()
login_manager.login_view = "panel_login.login"
login_manager.login_message = None  # the login page says why by itself
login_manager.session_protection = "strong"  # a stolen cookie from elsewhere is dropped


def session_epoch(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


class PanelUser(UserMixin):
    """The logged-in person, for Flask-Login; ``record`` is the ``User`` row of this
    request's database session."""

    def __init__(self, record: User) -> None:
        self.record = record

    def get_id(self) -> str:
        return f"{self.record.id}:{session_epoch(self.record)}"

    @property
    def role(self) -> str:
        return self.record.role

    @property
    def username(self) -> str:
        return self.record.username


@login_manager.user_loader
def _load(session_id: str) -> PanelUser | None:
    user_id, _, epoch = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db().get(User, int(user_id))
    if user is None or user.disabled or session_epoch(user) != epoch:
        return None
    return PanelUser(user)
