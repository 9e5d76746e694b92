"""Personal API tokens (``Authorization: Bearer pat_…``) -> user, and role checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from controller.api.bearer import bearer_token
from controller.api.errors import ApiError
from controller.auth.tokens import user_for_token
from controller.models import User
from controller.players.screen_auth import security_log
from controller.refusals import refusal
from controller.review.actor import Actor
from controller.state import db

F = TypeVar("F", bound=Callable[..., Any])


def authenticated_user() -> User | None:
    """The user whose personal API token the request carries (None if there is none or
    it is wrong, revoked or disabled). Records the token's last use."""
    token = bearer_token()
    if token is None:
        return None
    session = db()
    user = user_for_token(session, token)
    if user is not None:
        session.commit()
    return user


def current_actor() -> Actor:
    """The authenticated user of this request (inside a ``require_role`` view) as an
    Actor: role, agency and scopes, for the review and audit functions."""
    return Actor.of(db(), g.user)


def panel_user() -> User | None:
    """The user logged in to the web panel by this request's session cookie, if any.
    An unsafe request authenticated this way must carry the session's CSRF token
    (``X-CSRFToken``); without it the request is refused (400) before the view runs."""
    from flask_login import current_user

    from controller.panel.access import protect_unsafe_call

    if not current_user.is_authenticated:
        return None
    protect_unsafe_call()
    return current_user.record


def require_role(*roles: str) -> Callable[[F], F]:
    """401 without a valid personal API token or panel session, 403 if the user's role
    is not in ``roles``; both are logged to ``pano.security``. Sets ``g.user``. A bearer
    token wins over a session cookie."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if bearer_token() is None:
                user = panel_user()
                if user is not None:
                    return _allowed(user, roles, view, args, kwargs)
                security_log.warning("API request refused: no credential: %s %s address=%s",
                                     request.method, request.path, request.remote_addr)
                raise ApiError(401, refusal("Missing credential: send 'Authorization: Bearer "
                                            "<personal API token>'."))
            user = authenticated_user()
            if user is None:
                security_log.warning("API request refused: wrong or revoked token: %s %s "
                                     "address=%s", request.method, request.path,
                                     request.remote_addr)
                raise ApiError(401, refusal("Wrong or revoked personal API token."))
            return _allowed(user, roles, view, args, kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def _allowed(user: User, roles: tuple[str, ...], view: Callable[..., Any],
             args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if user.role not in roles:
        security_log.warning("API request refused: user %s (role %s) may not %s %s "
                             "address=%s", user.username, user.role, request.method,
                             request.path, request.remote_addr)
        raise ApiError(403, refusal("Role %(role)r may not use this route (allowed: "
                                    "%(roles)s).", role=user.role, roles=", ".join(roles)))
    g.user = user
    return view(*args, **kwargs)
