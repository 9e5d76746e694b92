"""Screen layouts (issue 15 point 3, docs/zones.md): ``layouts``, one row per layout
declared in ``config/layouts.yaml`` (replaced as a whole by an import; the layout itself
is JSON), and ``screens.layout``, the name of the screen's layout (NULL: the whole
screen is the main area, as before).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "layouts",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_layouts")),
    )
    with op.batch_alter_table("screens") as batch:
        batch.add_column(sa.Column("layout", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("screens") as batch:
        batch.drop_column("layout")
    op.drop_table("layouts")
