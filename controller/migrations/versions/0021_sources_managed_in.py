"""Where a data source is managed: ``data_sources.managed_in`` is ``file`` (declared in
config/sources.yaml, which an import applies) or ``panel`` (added or changed in the panel
or over the API since, which an import leaves alone: an operator's change is not undone
by the next ``make run`` or ``pano-controller import``). docs/sources.md.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("data_sources") as batch:
        batch.add_column(sa.Column("managed_in", sa.String(length=8), nullable=False,
                                   server_default="file"))


def downgrade() -> None:
    with op.batch_alter_table("data_sources") as batch:
        batch.drop_column("managed_in")
