"""Each name a file was uploaded under (``media_uploads``), so the same bytes sent
under a new name keep that name in the library list; and ``media.source_sha256``, the
file a stored one was made from (an animated GIF's original for its video), which
exports carry instead (docs/media.md).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("media") as batch:
        batch.add_column(sa.Column("source_sha256", sa.String(length=64), nullable=True))
    op.create_table(
        "media_uploads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("media_sha256", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["media_sha256"], ["media.sha256"],
                                name=op.f("fk_media_uploads_media_sha256_media")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_uploads")),
        sa.UniqueConstraint("media_sha256", "original_name",
                            name=op.f("uq_media_uploads_media_sha256_original_name")),
    )
    op.create_index(op.f("ix_media_uploads_media_sha256"), "media_uploads",
                    ["media_sha256"])
    op.create_index(op.f("ix_media_uploads_created_at"), "media_uploads", ["created_at"])
    # Every upload so far keeps the one name it had.
    op.execute("INSERT INTO media_uploads (media_sha256, original_name, created_at) "
               "SELECT sha256, original_name, created_at FROM media "
               "WHERE origin = 'upload'")


def downgrade() -> None:
    op.drop_index(op.f("ix_media_uploads_created_at"), table_name="media_uploads")
    op.drop_index(op.f("ix_media_uploads_media_sha256"), table_name="media_uploads")
    op.drop_table("media_uploads")
    with op.batch_alter_table("media") as batch:
        batch.drop_column("source_sha256")
