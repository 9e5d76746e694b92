"""A QR code on a dual screen leads to a language choice (``qr_codes.choices``): the
traveller picks a language and that choice is what the scan counts (docs/media.md).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("qr_codes") as batch:
        batch.add_column(sa.Column("choices", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("qr_codes") as batch:
        batch.drop_column("choices")
