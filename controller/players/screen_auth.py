"""Screen credentials at the door: the Socket.IO ``auth`` object and the HTTP Bearer
token. A connection's credential is checked here once; its revocation is found by
``controller.players.revocation``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.auth.tokens import hash_secret, screen_for_token
from controller.models import Screen

security_log = logging.getLogger("pano.security")

MAX_SCREEN_ID = 64
MAX_TOKEN = 200
MAX_SOFTWARE = 100


class CredentialRefused(Exception):
    """``str()`` is the reason given to the player (and the log)."""


@dataclass(frozen=True)
class ScreenIdentity:
    screen_id: str
    credential_hash: str
    software: str | None


def authenticate_socket(session: Session, auth: Any) -> ScreenIdentity:
    """Check the ``auth`` object of a Socket.IO connect (docs/protocol.md, section 3)."""
    if not isinstance(auth, Mapping) or not auth:
        raise CredentialRefused("Missing credential: connect with auth={\"screen\": ID, "
                                "\"token\": TOKEN}.")
    screen_id, token = auth.get("screen"), auth.get("token")
    if not isinstance(screen_id, str) or not screen_id or len(screen_id) > MAX_SCREEN_ID:
        raise CredentialRefused("Missing or malformed screen id in the auth object.")
    if not isinstance(token, str) or not token:
        raise CredentialRefused(f"Missing credential for screen {screen_id!r}: send its "
                                "token in the auth object.")
    if len(token) > MAX_TOKEN:
        raise CredentialRefused(f"Wrong credential for screen {screen_id!r}.")
    screen = screen_for_token(session, screen_id, token)
    if screen is None:
        raise CredentialRefused(_why_refused(session, screen_id))
    software = auth.get("software")
    if not isinstance(software, str):
        software = None
    return ScreenIdentity(screen.id, screen.credential_hash or "",
                          software[:MAX_SOFTWARE] if software else None)


def _why_refused(session: Session, screen_id: str) -> str:
    row = session.execute(select(Screen.id, Screen.credential_hash)
                          .where(Screen.id == screen_id)).first()
    if row is None:
        return f"Unknown screen {screen_id!r}."
    if row.credential_hash is None:
        return (f"No credential has been issued for screen {screen_id!r} (run "
                f"'pano-controller screens token {screen_id}').")
    return (f"Wrong or revoked credential for screen {screen_id!r} (a newer one may have "
            "been issued).")


def screen_for_bearer(session: Session, token: str | None) -> Screen | None:
    """The screen whose current credential is ``token`` (HTTP routes carry no screen id;
    credential hashes are indexed and tokens are 256-bit secrets)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    return session.scalars(select(Screen).where(Screen.credential_hash == hash_secret(token))
                           ).first()


def log_refusal(screen_id: Any, remote_addr: str | None, reason: str) -> None:
    security_log.warning("credential refused: screen=%s address=%s reason=%s",
                         str(screen_id)[:MAX_SCREEN_ID] if screen_id else "-",
                         remote_addr or "-", reason)
