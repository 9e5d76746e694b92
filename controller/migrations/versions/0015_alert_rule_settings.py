"""``alert_rule_settings``: an administrator's changes to alert rules made in the panel,
which win over config/alerts.yaml for those rules (docs/alerts.md).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_rule_settings",
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("rule", name=op.f("pk_alert_rule_settings")),
    )


def downgrade() -> None:
    op.drop_table("alert_rule_settings")
