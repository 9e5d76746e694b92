"""Data sources (issue 15, docs/sources.md): ``data_sources`` (one row per source declared
in ``config/sources.yaml``, replaced as a whole by an import) and ``data_source_states``
(one row per source: the latest good snapshot and the status of the last attempts; a
failed fetch keeps the snapshot). Nothing grows: no history of snapshots is kept.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_sources",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("every_s", sa.Integer(), nullable=False),
        sa.Column("timeout_s", sa.Float(), nullable=False),
        sa.Column("max_bytes", sa.Integer(), nullable=False),
        sa.Column("stale_after_s", sa.Integer(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_sources")),
    )
    op.create_table(
        "data_source_states",
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("etag", sa.String(length=400), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("bytes", sa.Integer(), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=True),
        sa.Column("records", sa.JSON(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["data_sources.id"], ondelete="CASCADE",
                                name=op.f("fk_data_source_states_source_id_data_sources")),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_data_source_states")),
    )


def downgrade() -> None:
    op.drop_table("data_source_states")
    op.drop_table("data_sources")
