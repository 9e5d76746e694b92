"""Short links ``/q/<code>`` for QR codes (docs/media.md, "QR codes").

A code names one (playlist, item, language, screen, target URL) and never changes
meaning: a new target URL gets a new code, so a code already printed on a slide (or
photographed by a traveller) keeps leading where it led. On a dual screen one code
stands for every language on the slide: (playlist, item, ``*``, screen, the languages
and their pages), and the traveller picks the language (``controller/qr/routes.py``).

Codes are 8 characters from an alphabet without look-alikes (no 0/O, 1/l/I), drawn with
``secrets``: 32**8 ≈ 10**12 codes, so they cannot be enumerated by guessing.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, exists, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from controller.models import QrCode, utcnow

if TYPE_CHECKING:
    from controller.settings import Settings

# 32 characters: digits 2-9 and letters without 0/O, 1/l/I (upper and lower case would
# be 55, but a code read aloud or typed from a photo should not depend on case).
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_RE = re.compile(f"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
MAX_ATTEMPTS = 8


def new_code() -> str:
    """A random code (not checked against the database)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def is_code(text: str) -> bool:
    """Whether ``text`` has the shape of a code (cheap: checked before any lookup)."""
    return len(text) == CODE_LENGTH and CODE_RE.match(text) is not None


def target_hash(target_url: str, choices: Sequence[tuple[str, str]] | None = None) -> str:
    """What a code leads to, as a SHA-256: the page, or the page and the languages a
    traveller chooses from (a dual screen's code)."""
    text = target_url if not choices else json.dumps(
        [target_url, [list(c) for c in choices]], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def short_url(settings: Settings, code: str) -> str:
    """The address printed in the QR code: ``<base_url>/q/<code>``."""
    return settings.base_url + "/q/" + code


def _same_link(playlist_id: str, item_id: str, lang: str, screen_id: str | None,
               digest: str) -> ColumnElement[bool]:
    screen = QrCode.screen_id.is_(None) if screen_id is None else QrCode.screen_id == screen_id
    return and_(QrCode.playlist_id == playlist_id, QrCode.item_id == item_id,
                QrCode.lang == lang, screen, QrCode.target_hash == digest)


def _find(session: Session, where: ColumnElement[bool]) -> str | None:
    # The oldest wins should two rows ever exist for one link (see code_for).
    return session.execute(
        select(QrCode.code).where(where).order_by(QrCode.created_at, QrCode.code).limit(1)
    ).scalar()


def code_for(session: Session, *, playlist_id: str, item_id: str, lang: str,
             screen_id: str | None, target_url: str,
             choices: Sequence[tuple[str, str]] | None = None) -> str:
    """The code of this link, created if there is none yet.

    The new row is written in ``session`` (the caller commits, as with every write).
    Safe when two processes create the same link at once: the row is inserted by one
    ``INSERT … SELECT … WHERE NOT EXISTS`` (atomic on SQLite, where writers are
    serialised); on PostgreSQL a transaction-scoped advisory lock on the link serialises
    the two (the unique constraint cannot, NULL screens being distinct), and a unique or
    primary-key violation is answered by reading the row again or drawing another code.
    """
    digest = target_hash(target_url, choices)
    where = _same_link(playlist_id, item_id, lang, screen_id, digest)
    found = _find(session, where)
    if found is not None:
        return found
    postgres = session.get_bind().dialect.name == "postgresql"
    for _ in range(MAX_ATTEMPTS):
        code = new_code()
        values = select(literal(code), literal(playlist_id), literal(item_id), literal(lang),
                        literal(screen_id, QrCode.screen_id.type), literal(target_url),
                        literal(digest), literal(utcnow(), QrCode.created_at.type),
                        literal([list(c) for c in choices] if choices else None,
                                QrCode.choices.type))
        values = values.where(~exists().where(where),
                              ~exists().where(QrCode.code == code))
        statement = insert(QrCode).from_select(
            ["code", "playlist_id", "item_id", "lang", "screen_id", "target_url",
             "target_hash", "created_at", "choices"], values)
        try:
            if postgres:
                with session.begin_nested():
                    key = f"pano-qr|{playlist_id}|{item_id}|{lang}|{screen_id}|{digest}"
                    session.execute(select(func.pg_advisory_xact_lock(
                        func.hashtextextended(key, 0))))
                    session.execute(statement)
            else:
                session.execute(statement)
        except IntegrityError:  # created at the same moment elsewhere, or the code taken
            pass
        found = _find(session, where)
        if found is not None:
            return found
    raise RuntimeError(f"no free QR code after {MAX_ATTEMPTS} attempts")
