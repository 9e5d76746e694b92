"""Official warnings (CAP, issue 15): sites get a location, geocodes and a CAP policy;
``cap_alerts`` remembers every alert a feed delivered; ``emergency_drafts`` holds the
emergencies prepared from them (docs/cap.md).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("geocodes", sa.JSON(), nullable=False,
                                   server_default=sa.text("'{}'")))
        batch.add_column(sa.Column("cap_policy", sa.JSON(), nullable=True))
    op.create_table(
        "cap_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("msg_type", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=1000), nullable=False),
        sa.Column("draft_ids", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cap_alerts")),
        sa.UniqueConstraint("key", name=op.f("uq_cap_alerts_key")),
    )
    op.create_table(
        "emergency_drafts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("alert_key", sa.String(length=500), nullable=False),
        sa.Column("event", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("certainty", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("sites", sa.JSON(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("emergency_id", sa.Integer(), nullable=True),
        sa.Column("replaces", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["emergency_id"], ["emergencies.id"],
                                name=op.f("fk_emergency_drafts_emergency_id_emergencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_drafts")),
    )
    op.create_index(op.f("ix_emergency_drafts_status"), "emergency_drafts", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_emergency_drafts_status"), table_name="emergency_drafts")
    op.drop_table("emergency_drafts")
    op.drop_table("cap_alerts")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("cap_policy")
        batch.drop_column("geocodes")
        batch.drop_column("longitude")
        batch.drop_column("latitude")
