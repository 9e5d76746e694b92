"""Media details and renditions, rendered slides, QR codes and scans (issue 4).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TZ_DATETIME = sa.DateTime(timezone=True)


def _media_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["media.sha256"],
                                   name=op.f(f"fk_{table}_{column}_media"))


def upgrade() -> None:
    with op.batch_alter_table("media") as batch:
        batch.add_column(sa.Column("width", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("height", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("duration", sa.Float(), nullable=True))
        batch.add_column(sa.Column("origin", sa.String(length=16), nullable=False,
                                   server_default="upload"))
    op.create_table(
        "media_aliases",
        sa.Column("upload_sha256", sa.String(length=64), nullable=False),
        sa.Column("media_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        _media_fk("media_aliases", "media_sha256"),
        sa.PrimaryKeyConstraint("upload_sha256", name=op.f("pk_media_aliases")),
    )
    op.create_index(op.f("ix_media_aliases_media_sha256"), "media_aliases", ["media_sha256"])
    op.create_table(
        "renditions",
        sa.Column("media_sha256", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("rendition_sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        _media_fk("renditions", "media_sha256"),
        _media_fk("renditions", "rendition_sha256"),
        sa.PrimaryKeyConstraint("media_sha256", "target", name=op.f("pk_renditions")),
    )
    op.create_index(op.f("ix_renditions_rendition_sha256"), "renditions",
                    ["rendition_sha256"])
    op.create_table(
        "rendered_slides",
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column("media_sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        _media_fk("rendered_slides", "media_sha256"),
        sa.PrimaryKeyConstraint("input_hash", name=op.f("pk_rendered_slides")),
    )
    op.create_index(op.f("ix_rendered_slides_media_sha256"), "rendered_slides",
                    ["media_sha256"])
    op.create_table(
        "qr_codes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("playlist_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=True),
        sa.Column("target_url", sa.String(length=2000), nullable=False),
        sa.Column("target_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_qr_codes")),
        sa.UniqueConstraint(
            "playlist_id", "item_id", "lang", "screen_id", "target_hash",
            name=op.f("uq_qr_codes_playlist_id_item_id_lang_screen_id_target_hash")),
    )
    op.create_index(op.f("ix_qr_codes_playlist_id"), "qr_codes", ["playlist_id"])
    op.create_index(op.f("ix_qr_codes_screen_id"), "qr_codes", ["screen_id"])
    op.create_table(
        "qr_scans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("at", TZ_DATETIME, nullable=False),
        sa.Column("playlist_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=True),
        sa.Column("site_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["code"], ["qr_codes.code"],
                                name=op.f("fk_qr_scans_code_qr_codes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qr_scans")),
    )
    for column in ("code", "at", "playlist_id", "screen_id", "site_id"):
        op.create_index(op.f(f"ix_qr_scans_{column}"), "qr_scans", [column])


def downgrade() -> None:
    for table in ("qr_scans", "qr_codes", "rendered_slides", "renditions", "media_aliases"):
        op.drop_table(table)
    with op.batch_alter_table("media") as batch:
        for column in ("origin", "duration", "height", "width"):
            batch.drop_column(column)
