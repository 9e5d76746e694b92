"""Operator accounts. The rules' sentences (user name, password, role, agency) are
refusals (``controller.refusals``): the CLI prints their English, the API
(``/api/v1/users``, the panel's People page) says them in the caller's language."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.auth.passwords import generate_password, hash_password
from controller.auth.roles import ROLES
from controller.models import Agency, User
from controller.refusals import refusal
from controller.review.actor import Actor
from controller.review.audit import record

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 12


def add_user(
    session: Session, username: str, role: str, password: str | None = None, *,
    agency: str | None = None, actor: Actor | None = None,
    scope_sites: list[str] | None = None, scope_themes: list[str] | None = None,
) -> tuple[User, str | None]:
    """Create a user (of ``agency``, an agency id). Returns the user and the generated
    password (None when one was given). ValueError with a clear message on a bad role,
    agency, username or password, or a duplicate. Audited. The caller commits."""
    if role not in ROLES:
        raise ValueError(refusal("unknown role %(role)r; choose one of %(roles)s", role=role,
                                 roles=", ".join(ROLES)))
    if not isinstance(username, str) or not USERNAME_RE.fullmatch(username):
        raise ValueError(refusal(
            "bad username %(user)r: use 2-64 lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit", user=username))
    if session.execute(select(User.id).where(User.username == username)).first():
        raise ValueError(refusal("a user named %(user)r already exists", user=username))
    if agency is not None and session.get(Agency, agency) is None:
        known = ", ".join(session.scalars(select(Agency.id).order_by(Agency.id))) or \
            refusal("none")
        raise ValueError(refusal("unknown agency %(agency)r (known: %(known)s; agencies are "
                                 "declared in config/agencies.yaml)", agency=agency,
                                 known=known))
    password, generated = _checked_password(password)
    user = User(username=username, password_hash=hash_password(password), role=role,
                disabled=False, agency_id=agency, scope_sites=list(scope_sites or []),
                scope_themes=list(scope_themes or []))
    session.add(user)
    session.flush()
    record(session, actor or Actor.system(), "user.create", "user", username,
           after={"role": role, "agency": agency, "scope_sites": user.scope_sites,
                  "scope_themes": user.scope_themes}, agency_id=agency)
    return user, generated


def _checked_password(password: str | None) -> tuple[str, str | None]:
    """(password to hash, generated password or None); ValueError if too weak."""
    if password is None:
        generated = generate_password()
        return generated, generated
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(refusal("password too short: at least %(least)d characters",
                                 least=MIN_PASSWORD_LENGTH))
    if password != password.strip():
        raise ValueError(refusal("password must not start or end with white space"))
    return password, None


def set_password(session: Session, username: str, password: str | None = None, *,
                 actor: Actor | None = None) -> str | None:
    """Give ``username`` a new password (generated when None; returned then). Every
    panel session opened with the old password ends at its next request
    (controller/panel/login_state.py); API tokens are not affected. Audited without the
    secret. ValueError for an unknown user or a weak password. The caller commits."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise ValueError(refusal("no user named %(user)r", user=username))
    password, generated = _checked_password(password)
    user.password_hash = hash_password(password)
    record(session, actor or Actor.system(), "user.password", "user", username,
           after={"password": "changed"}, agency_id=user.agency_id)
    return generated
