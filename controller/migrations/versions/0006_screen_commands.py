"""Remote commands to players (identify, reload, clear cache, screenshot).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TZ_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "screen_commands",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("command", sa.String(length=32), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.Column("finished_at", TZ_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["screen_id"], ["screens.id"],
                                name=op.f("fk_screen_commands_screen_id_screens")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screen_commands")),
    )
    op.create_index(op.f("ix_screen_commands_screen_id"), "screen_commands", ["screen_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_screen_commands_screen_id"), table_name="screen_commands")
    op.drop_table("screen_commands")
