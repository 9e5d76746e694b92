"""``/api/v1/users``: operator accounts, for admins only. ``GET`` lists them (never a
password hash), ``POST`` creates one (201, with a generated password shown once when
none is given), ``PATCH /api/v1/users/<username>`` changes role, agency, scope_sites,
scope_themes and disabled, and ``POST /api/v1/users/<username>/password`` gives a new
password (generated and shown once, or chosen), ending the user's panel sessions.
Unknown roles, agencies and sites are a 422 naming the known values. Audited as
``user.create`` / ``user.update`` / ``user.password`` (never a password).

``create_user`` and ``update_user`` hold the rules; ``pano-controller users add|set|
disable`` (``controller.auth.cli``) uses them too."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.api.errors import ApiError
from controller.api.user_auth import current_actor, require_role
from controller.auth.users import ROLES, add_user, set_password
from controller.content.sites_import import ID_HINT, ID_RE
from controller.models import Agency, Site, User
from controller.refusals import Refusal, refusal, said
from controller.review.actor import Actor
from controller.review.audit import record
from controller.state import db

users_api = Blueprint("users_api", __name__, url_prefix="/api/v1")

CREATE_FIELDS = ("username", "role", "agency", "password", "scope_sites", "scope_themes")
UPDATE_FIELDS = ("role", "agency", "scope_sites", "scope_themes", "disabled")


class UserRefused(Exception):
    """A refused change: ``status`` 404, 409 or 422 and a sentence saying why."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def as_dict(user: User) -> dict[str, Any]:
    return {"username": user.username, "role": user.role, "agency": user.agency_id,
            "scope_sites": list(user.scope_sites or []),
            "scope_themes": list(user.scope_themes or []), "disabled": bool(user.disabled),
            "created_at": user.created_at.isoformat() if user.created_at else None}


def _audit_view(user: User) -> dict[str, Any]:
    view = as_dict(user)
    view.pop("created_at")
    return view


def _known(session: Session, column: Any) -> str:
    return ", ".join(session.scalars(select(column).order_by(column))) or refusal("none")


def check_role(role: Any) -> str:
    if not isinstance(role, str) or role not in ROLES:
        raise UserRefused(refusal("unknown role %(role)r (known: %(known)s)", role=role,
                                  known=", ".join(ROLES)))
    return role


def check_agency(session: Session, agency: Any) -> str | None:
    if agency is None:
        return None
    if not isinstance(agency, str) or session.get(Agency, agency) is None:
        raise UserRefused(refusal("unknown agency %(agency)r (known: %(known)s)",
                                  agency=agency, known=_known(session, Agency.id)))
    return agency


def _text_list(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        start = f"{name} must be a list of ids (text), got "  # the sentence ends by 300
        raise UserRefused(refusal("%(name)s must be a list of ids (text), got %(value)s",
                                  name=name, value=repr(value)[:300 - len(start)]))
    return list(dict.fromkeys(value))


def check_sites(session: Session, value: Any) -> list[str]:
    sites = _text_list("scope_sites", value)
    unknown = [s for s in sites if session.get(Site, s) is None]
    if unknown:
        sites, known = ", ".join(repr(s) for s in unknown), _known(session, Site.id)
        raise UserRefused(refusal("unknown sites %(sites)s in scope_sites (known: %(known)s)",
                                  sites=sites, known=known) if len(unknown) > 1 else
                          refusal("unknown site %(sites)s in scope_sites (known: %(known)s)",
                                  sites=sites, known=known))
    return sites


def check_themes(value: Any) -> list[str]:
    themes = _text_list("scope_themes", value)
    bad = [t for t in themes if not ID_RE.fullmatch(t)]
    if bad:
        raise UserRefused(refusal("theme %(theme)r in scope_themes is not valid: %(hint)s",
                                  theme=bad[0], hint=ID_HINT))
    return themes


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserRefused(refusal("no user named %(user)r", user=username), 404)
    return user


def _other_active_admins(session: Session, user: User) -> int:
    return len(session.scalars(select(User.id).where(
        User.role == "admin", User.disabled.is_(False), User.id != user.id)).all())


def create_user(session: Session, actor: Actor, username: Any, role: Any, *,
                agency: Any = None, password: Any = None, scope_sites: Any = None,
                scope_themes: Any = None) -> tuple[User, str | None]:
    """Create a user with a scope; returns it and the generated password (None when one
    was given). Audited as ``user.create`` (with the scope, never the password).
    Flushed, not committed."""
    role = check_role(role)
    agency = check_agency(session, agency)
    sites = check_sites(session, scope_sites if scope_sites is not None else [])
    themes = check_themes(scope_themes if scope_themes is not None else [])
    if password is not None and not isinstance(password, str):
        raise UserRefused(refusal("password must be text (or left out to generate one)"))
    if isinstance(username, str) and session.scalar(
            select(User.id).where(User.username == username)) is not None:
        raise UserRefused(refusal("a user named %(user)r already exists", user=username),
                          409)
    try:
        user, generated = add_user(session, username, role, password, agency=agency,
                                   actor=actor, scope_sites=sites, scope_themes=themes)
    except ValueError as exc:
        raise UserRefused(str(exc)) from None
    return user, generated


def update_user(session: Session, actor: Actor, username: str,
                changes: dict[str, Any]) -> tuple[User, bool]:
    """Apply ``changes`` (keys of UPDATE_FIELDS) to the user; returns it and whether
    anything changed. The last active admin cannot be demoted or disabled (409).
    Audited as ``user.update`` with before/after."""
    user = _user(session, username)
    unknown = sorted(set(changes) - set(UPDATE_FIELDS))
    if unknown:
        raise UserRefused(refusal("unknown field %(field)r (allowed: %(allowed)s)",
                                  field=unknown[0], allowed=", ".join(UPDATE_FIELDS)))
    values: dict[str, Any] = {}
    if "role" in changes:
        values["role"] = check_role(changes["role"])
    if "agency" in changes:
        values["agency_id"] = check_agency(session, changes["agency"])
    if "scope_sites" in changes:
        values["scope_sites"] = check_sites(session, changes["scope_sites"])
    if "scope_themes" in changes:
        values["scope_themes"] = check_themes(changes["scope_themes"])
    if "disabled" in changes:
        if not isinstance(changes["disabled"], bool):
            raise UserRefused(refusal("disabled must be true or false, got %(value)r",
                                      value=changes["disabled"]))
        values["disabled"] = changes["disabled"]
    stays_admin = values.get("role", user.role) == "admin" and not values.get(
        "disabled", user.disabled)
    if user.role == "admin" and not user.disabled and not stays_admin \
            and _other_active_admins(session, user) == 0:
        raise UserRefused(refusal("%(user)r is the last active admin; make another user "
                                  "admin first", user=username), 409)
    before = _audit_view(user)
    changed = False
    for key, value in values.items():
        if getattr(user, key) != value:
            setattr(user, key, value)
            changed = True
    if changed:
        session.flush()
        record(session, actor, "user.update", "user", user.username, before=before,
               after=_audit_view(user), agency_id=user.agency_id or before["agency"])
    return user, changed


def _json_object(allowed: tuple[str, ...]) -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, refusal("Send a JSON object with some of: %(allowed)s.",
                                    allowed=", ".join(allowed)))
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ApiError(422, refusal("Unknown field %(field)r (allowed: %(allowed)s).",
                                    field=unknown[0], allowed=", ".join(allowed)))
    return data


class Sentence(Refusal):
    """A refusal's clause said as a sentence in every language: a capital first letter
    and a full stop ("no user named 'x'" -> "No user named 'x'.")."""

    clause: str

    def __new__(cls, clause: str) -> Sentence:
        made = str.__new__(cls, _as_sentence(str.__str__(clause)))
        made.template, made.params, made.verbatim = "%(clause)s", {"clause": clause}, True
        made.clause = clause
        return made

    def said_in(self, language: str) -> str:
        return _as_sentence(str(said(self.clause, language)))


def _as_sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _refused(exc: UserRefused) -> ApiError:
    db().rollback()
    return ApiError(exc.status, Sentence(exc.message))


@users_api.get("/users")
@require_role("admin")
def list_users() -> Any:
    rows = db().scalars(select(User).order_by(User.username)).all()
    return {"users": [as_dict(u) for u in rows]}


@users_api.post("/users")
@require_role("admin")
def post_user() -> Any:
    data = _json_object(CREATE_FIELDS)
    session = db()
    try:
        user, generated = create_user(
            session, current_actor(), data.get("username"), data.get("role"),
            agency=data.get("agency"), password=data.get("password"),
            scope_sites=data.get("scope_sites"), scope_themes=data.get("scope_themes"))
    except UserRefused as exc:
        raise _refused(exc) from None
    session.commit()
    body = as_dict(user)
    if generated:
        body["password"] = generated  # shown once: only its hash is stored
    return body, 201


@users_api.patch("/users/<username>")
@require_role("admin")
def patch_user(username: str) -> Any:
    data = _json_object(UPDATE_FIELDS)
    session = db()
    try:
        user, _ = update_user(session, current_actor(), username, data)
    except UserRefused as exc:
        raise _refused(exc) from None
    session.commit()
    return as_dict(user)


@users_api.post("/users/<username>/password")
@require_role("admin")
def post_password(username: str) -> Any:
    """A new password for the user: ``{}`` generates one (in the answer as ``password``,
    shown only this once), ``{"password": "…"}`` sets the chosen one. The user's panel
    sessions end at their next request (controller/panel/login_state.py); API tokens
    keep working. Audited as ``user.password`` without the secret."""
    data = _json_object(("password",))
    password = data.get("password")
    if "password" in data and not isinstance(password, str):
        raise ApiError(422, refusal("password must be text (or left out to generate one)."))
    session = db()
    try:
        user = _user(session, username)
        generated = set_password(session, username, password, actor=current_actor())
    except UserRefused as exc:
        raise _refused(exc) from None
    except ValueError as exc:
        raise _refused(UserRefused(str(exc))) from None
    session.commit()
    body = as_dict(user)
    if generated:
        body["password"] = generated  # shown once: only its hash is stored
    return body
