"""Emergency broadcasts and their delivery receipts (docs/architecture.md).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "emergencies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("starts_at", TZ_DATETIME, nullable=False),
        sa.Column("ends_at", TZ_DATETIME, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.Column("cancelled_at", TZ_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"],
                                name=op.f("fk_emergencies_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergencies")),
    )
    op.create_index(op.f("ix_emergencies_ends_at"), "emergencies", ["ends_at"])
    op.create_table(
        "emergency_receipts",
        sa.Column("emergency_id", sa.Integer(), nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("shown_at", TZ_DATETIME, nullable=False),
        sa.Column("received_at", TZ_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["emergency_id"], ["emergencies.id"],
                                name=op.f("fk_emergency_receipts_emergency_id_emergencies")),
        sa.ForeignKeyConstraint(["screen_id"], ["screens.id"],
                                name=op.f("fk_emergency_receipts_screen_id_screens")),
        sa.PrimaryKeyConstraint("emergency_id", "screen_id",
                                name=op.f("pk_emergency_receipts")),
    )


def downgrade() -> None:
    op.drop_table("emergency_receipts")
    op.drop_index(op.f("ix_emergencies_ends_at"), table_name="emergencies")
    op.drop_table("emergencies")
