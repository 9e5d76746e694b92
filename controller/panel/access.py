"""Who may open which panel page, and CSRF for everything the panel's session can do.

A page names the roles that may use it (``nav.PAGES``); ``page(*roles)`` sends someone
who is not logged in to the login page (and back afterwards) and answers 403 to a role
that may not use the page. The navigation hides pages a role may not use; the check
here and the API's ``require_role`` refuse them anyway.

CSRF (Flask-WTF): not checked by default, because the player routes and bearer-token API
calls carry no cookie and so cannot be forged. It is checked on every unsafe request
that a session cookie authenticates: panel forms (the ``csrf_token`` field) and the
panel's scripts calling ``/api/v1`` (the ``X-CSRFToken`` header). Tokens are valid for
the whole session, so an editor who spends two hours on a playlist does not lose the
work to an expired token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect, validate_csrf
from wtforms import ValidationError

from controller.players.screen_auth import security_log

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

csrf = CSRFProtect()


def protect_unsafe() -> None:
    """Check the CSRF token of an unsafe form post (400 without a valid one)."""
    if request.method in UNSAFE:
        csrf.protect()


def protect_unsafe_call() -> None:
    """Check the ``X-CSRFToken`` header of an unsafe script call to the API. Only the
    header is read, never the body: a 500 MB upload is not parsed to find a form field
    (the media route streams it), and a missing header is refused before it is read."""
    if request.method not in UNSAFE:
        return
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except ValidationError as exc:
        raise CSRFError(f"{exc} Send the page's token in the X-CSRFToken header.") \
            from None


def page(*roles: str) -> Callable[[F], F]:
    """A panel page for ``roles``: login required, other roles get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("panel_login.login", next=request.full_path
                                        if request.query_string else request.path))
            if current_user.role not in roles:
                security_log.warning("panel page refused: user %s (role %s) may not open "
                                     "%s address=%s", current_user.username,
                                     current_user.role, request.path, request.remote_addr)
                return render_template("panel/forbidden.html"), 403
            g.user = current_user.record
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
