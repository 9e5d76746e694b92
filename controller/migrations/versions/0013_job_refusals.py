"""A failed job keeps its refusal, not only its English sentence
(``jobs.error_refusal``: the template and parameters of ``controller.refusals``), so
``GET /api/v1/jobs/<id>`` says it in the caller's language (docs/api-admin.md,
"Language of answers"). Jobs failed before keep their English ``error_message``.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("error_refusal", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("error_refusal")
