"""Screen credentials (``pst_``) and personal API tokens (``pat_``).

Tokens are 256-bit random secrets; only their SHA-256 is stored. A fast hash is as safe
as a slow one for secrets of that strength, and it allows an indexed lookup."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller import changes
from controller.models import ApiToken, Screen, User, utcnow
from controller.review.actor import Actor
from controller.review.audit import record

SCREEN_PREFIX = "pst_"
USER_PREFIX = "pat_"
_NO_MATCH = "0" * 64


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_screen_token(session: Session, screen_id: str, actor: Actor | None = None) -> str:
    """A new credential for the screen; the previous one stops working when the caller
    commits, and the commit is a recorded change (``credential:<screen>``) that makes
    every controller process cut off the connections still using the old one
    (controller/players/revocation.py). Raises LookupError for an unknown screen.
    Audited (never the secret)."""
    screen = session.get(Screen, screen_id)
    if screen is None:
        raise LookupError(f"no screen with id {screen_id!r}")
    token = new_secret(SCREEN_PREFIX)
    replaced = screen.credential_hash is not None
    screen.credential_hash = hash_secret(token)
    screen.credential_issued_at = utcnow()
    record(session, actor or Actor.system(), "credential.issue", "screen", screen_id,
           after={"kind": "screen credential", "replaced_previous": replaced})
    changes.bump(session, changes.Scope("credential", screen_id))
    return token


def screen_for_token(session: Session, screen_id: str, token: str) -> Screen | None:
    """The screen if ``token`` is its current credential, else None."""
    if not isinstance(screen_id, str) or not isinstance(token, str):
        return None
    screen = session.get(Screen, screen_id)
    stored = screen.credential_hash if screen is not None else None
    ok = hmac.compare_digest(hash_secret(token), stored or _NO_MATCH)
    return screen if ok and stored else None


def issue_user_token(session: Session, username: str, actor: Actor | None = None) -> str:
    """A new personal API token for ``username`` (LookupError if unknown, ValueError if
    the user is disabled). The caller commits."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise LookupError(f"no user named {username!r}")
    if user.disabled:
        raise ValueError(f"user {username!r} is disabled; enable it before issuing a token")
    token = new_secret(USER_PREFIX)
    row = ApiToken(user_id=user.id, token_hash=hash_secret(token))
    session.add(row)
    session.flush()
    record(session, actor or Actor.system(), "credential.issue", "user", username,
           after={"kind": "personal API token", "token_id": row.id},
           agency_id=user.agency_id)
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The user owning ``token``, or None if unknown, revoked or the user is disabled.
    Records ``last_used_at`` (the caller commits)."""
    if not isinstance(token, str) or not token:
        return None
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_secret(token))
    ).first()
    if row is None:
        return None
    api_token, user = row
    if api_token.revoked_at is not None or user.disabled:
        return None
    api_token.last_used_at = utcnow()
    return user
