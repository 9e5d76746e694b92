"""Data templates (issue 15, docs/sources.md "Data items"): ``data_templates``, one row
per template declared in ``config/data_templates.yaml`` (replaced as a whole by an
import; the template itself is JSON).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_templates",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_templates")),
    )


def downgrade() -> None:
    op.drop_table("data_templates")
