"""Which connection a screen's "connected" belongs to: ``screen_status.connection`` holds
the Socket.IO session id of the screen's latest connect, and a disconnect marks the
screen disconnected only while the row still names its own connection. A player that
reconnects at once (to this process or, behind the Redis message queue, to another) is
no longer shown as disconnected by its old connection's late disconnect
(docs/architecture.md "Players' connection status").

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("screen_status") as batch:
        batch.add_column(sa.Column("connection", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("screen_status") as batch:
        batch.drop_column("connection")
