"""The files a screen may fetch, kept per set instead of per (screen, file)
(controller/timeline/media_access.py): ``media_sets`` holds each distinct set of files
once, and a screen's timeline row names its set and the one before it
(``screen_timelines.media_set``, ``media_before``, ``media_before_until``). A change of
every screen wrote two ``screen_media`` rows per screen; it now writes none
(docs/performance.md).

Filled from what is stored, so no player loses a file it may fetch now: each timeline's
set from its body, and the files a screen dropped less than a day ago (``screen_media``
rows with a recent ``dropped_at``) as its set before, until the latest of those times.
The downgrade writes the rows back the same way.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

GRACE = timedelta(hours=24)  # as controller.timeline.media_access (a migration keeps its own)

_TIMELINES = sa.table("screen_timelines", sa.column("screen_id", sa.String()),
                      sa.column("body", sa.JSON()), sa.column("built_at", sa.DateTime()),
                      sa.column("media_set", sa.String()),
                      sa.column("media_before", sa.String()),
                      sa.column("media_before_until", sa.DateTime()))
_SCREEN_MEDIA = sa.table("screen_media", sa.column("screen_id", sa.String()),
                         sa.column("sha256", sa.String()),
                         sa.column("dropped_at", sa.DateTime()))


def _text(shas: Any) -> str:
    return " ".join(sorted(shas))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _screen_media_tables() -> tuple[sa.Table, sa.Table]:
    """As migration 0008 made them."""
    media = op.create_table(
        "screen_media",
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("dropped_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["screen_id"], ["screens.id"],
                                name=op.f("fk_screen_media_screen_id_screens")),
        sa.PrimaryKeyConstraint("screen_id", "sha256", name=op.f("pk_screen_media")),
    )
    digests = op.create_table(
        "screen_media_digests",
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["screen_id"], ["screens.id"],
                                name=op.f("fk_screen_media_digests_screen_id_screens")),
        sa.PrimaryKeyConstraint("screen_id", name=op.f("pk_screen_media_digests")),
    )
    return media, digests


def upgrade() -> None:
    sets = op.create_table(
        "media_sets",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_media_sets")),
    )
    with op.batch_alter_table("screen_timelines") as batch:
        batch.add_column(sa.Column("media_set", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("media_before", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("media_before_until", sa.DateTime(timezone=True),
                                   nullable=True))
    bind = op.get_bind()
    now = datetime.now(UTC)
    texts: dict[str, str] = {}
    dropped: dict[str, tuple[set[str], datetime]] = {}
    for screen_id, sha, at in bind.execute(sa.select(
            _SCREEN_MEDIA.c.screen_id, _SCREEN_MEDIA.c.sha256, _SCREEN_MEDIA.c.dropped_at)
            .where(_SCREEN_MEDIA.c.dropped_at.is_not(None))):
        at = _utc(at)
        if at > now - GRACE:
            shas, latest = dropped.setdefault(screen_id, (set(), at))
            shas.add(sha)
            dropped[screen_id] = (shas, max(latest, at))
    for screen_id, body in bind.execute(sa.select(_TIMELINES.c.screen_id,
                                                  _TIMELINES.c.body)).all():
        if isinstance(body, str):
            body = json.loads(body)
        text = _text((body or {}).get("media") or {})
        digest = _digest(text)
        texts[digest] = text
        values: dict[str, Any] = {"media_set": digest}
        if screen_id in dropped:
            shas, until = dropped[screen_id]
            before = _text(shas)
            texts[_digest(before)] = before
            values.update(media_before=_digest(before), media_before_until=until)
        bind.execute(sa.update(_TIMELINES).where(_TIMELINES.c.screen_id == screen_id)
                     .values(**values))
    if texts:
        op.bulk_insert(sets, [{"digest": digest, "files": text, "used_at": now}
                              for digest, text in texts.items()])
    op.drop_table("screen_media_digests")
    op.drop_table("screen_media")


def downgrade() -> None:
    media, digests = _screen_media_tables()
    bind = op.get_bind()
    sets_table = sa.table("media_sets", sa.column("digest", sa.String()),
                          sa.column("files", sa.Text()))
    files = {digest: text.split() for digest, text in bind.execute(
        sa.select(sets_table.c.digest, sets_table.c.files))}
    rows, sets = [], []
    for screen_id, current, before, until in bind.execute(sa.select(
            _TIMELINES.c.screen_id, _TIMELINES.c.media_set, _TIMELINES.c.media_before,
            _TIMELINES.c.media_before_until)).all():
        live = set(files.get(current, ()))
        rows += [{"screen_id": screen_id, "sha256": sha, "dropped_at": None}
                 for sha in sorted(live)]
        if before is not None and until is not None:
            rows += [{"screen_id": screen_id, "sha256": sha, "dropped_at": _utc(until)}
                     for sha in sorted(set(files.get(before, ())) - live)]
        sets.append({"screen_id": screen_id, "digest": _digest(_text(live))})
    if rows:
        op.bulk_insert(media, rows)
    if sets:
        op.bulk_insert(digests, sets)
    with op.batch_alter_table("screen_timelines") as batch:
        batch.drop_column("media_before_until")
        batch.drop_column("media_before")
        batch.drop_column("media_set")
    op.drop_table("media_sets")
