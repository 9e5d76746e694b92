"""Which controller processes are alive (``controller_processes``): each serving process
refreshes its row every few seconds and names its players' connections after its token
(``screen_status.connection`` is ``<token>:<Socket.IO session>``), so a process killed
without its goodbye leaves no screen shown connected for longer than a minute: the
elected process marks the screens of a process it has not seen disconnected
(docs/architecture.md "Players' connection status").

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "controller_processes",
        sa.Column("token", sa.String(length=16), primary_key=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_controller_processes_seen_at", "controller_processes", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_controller_processes_seen_at", table_name="controller_processes")
    op.drop_table("controller_processes")
