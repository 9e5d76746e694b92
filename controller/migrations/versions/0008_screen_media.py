"""Which files each screen may fetch with its credential (controller/timeline/
media_access.py): one row per (screen, file) its timelines named, and a digest of each
screen's set, filled from the timelines stored now so that no player loses access to a
file it is playing.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
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
    timelines = sa.table("screen_timelines", sa.column("screen_id", sa.String()),
                         sa.column("body", sa.JSON()))
    rows, sets = [], []
    for screen_id, body in op.get_bind().execute(sa.select(timelines.c.screen_id,
                                                           timelines.c.body)):
        if isinstance(body, str):
            body = json.loads(body)
        shas = sorted((body or {}).get("media") or {})
        rows += [{"screen_id": screen_id, "sha256": sha, "dropped_at": None} for sha in shas]
        # As controller.timeline.media_access.media_digest (a migration keeps its own copy).
        sets.append({"screen_id": screen_id,
                     "digest": hashlib.sha256(" ".join(shas).encode()).hexdigest()})
    if rows:
        op.bulk_insert(table, rows)
    if sets:
        op.bulk_insert(digests, sets)


def downgrade() -> None:
    op.drop_table("screen_media_digests")
    op.drop_table("screen_media")
