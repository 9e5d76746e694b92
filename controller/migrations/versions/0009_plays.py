"""Proof of play: the players' journals, their records (append-only), the chain
findings (append-only), the daily sums the reports read, and each screen's online
intervals (controller/models/plays.py says what each holds).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# As controller.models.plays.PLAYS_APPEND_ONLY (a migration keeps its own copy).
APPEND_ONLY = "play records and findings are append-only"
APPEND_ONLY_TABLES = ("play_records", "play_findings")


def upgrade() -> None:
    op.create_table(
        "play_journals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("journal", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_through", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=True),
        sa.Column("last_received_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["screen_id"], ["screens.id"],
                                name=op.f("fk_play_journals_screen_id_screens")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_play_journals")),
        sa.UniqueConstraint("screen_id", "journal",
                            name=op.f("uq_play_journals_screen_id_journal")),
    )
    op.create_index(op.f("ix_play_journals_screen_id"), "play_journals", ["screen_id"])
    op.create_table(
        "play_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("journal_id", sa.Integer(), nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=True),
        sa.Column("agency_id", sa.String(length=64), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("ended", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("playlist_id", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.String(length=64), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("emergency_id", sa.Integer(), nullable=True),
        sa.Column("timeline_version", sa.Integer(), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["journal_id"], ["play_journals.id"],
                                name=op.f("fk_play_records_journal_id_play_journals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_play_records")),
        sa.UniqueConstraint("journal_id", "seq",
                            name=op.f("uq_play_records_journal_id_seq")),
    )
    op.create_index(op.f("ix_play_records_start_at"), "play_records", ["start_at"])
    op.create_index("ix_play_records_screen_start", "play_records",
                    ["screen_id", "start_at"])
    op.create_table(
        "play_findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("journal", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("seq_from", sa.Integer(), nullable=True),
        sa.Column("seq_to", sa.Integer(), nullable=True),
        sa.Column("about_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_play_findings")),
    )
    for column in ("screen_id", "kind", "found_at"):
        op.create_index(op.f(f"ix_play_findings_{column}"), "play_findings", [column])
    op.create_table(
        "play_daily",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("playlist_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_play_daily")),
        sa.UniqueConstraint("day", "screen_id", "playlist_id", "item_id", "kind", "language",
                            name=op.f("uq_play_daily_day_screen_id_playlist_id_item_id_kind_language")),
    )
    op.create_index(op.f("ix_play_daily_day"), "play_daily", ["day"])
    op.create_table(
        "screen_presence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["screen_id"], ["screens.id"],
                                name=op.f("fk_screen_presence_screen_id_screens")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screen_presence")),
    )
    op.create_index("ix_screen_presence_screen_since", "screen_presence",
                    ["screen_id", "since"])
    _append_only_triggers()


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION pano_plays_append_only() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{APPEND_ONLY}'; END; $$ LANGUAGE plpgsql")
        for table in APPEND_ONLY_TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
                       f"ON {table} FOR EACH ROW EXECUTE FUNCTION pano_plays_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION pano_plays_append_only()")
        return
    for table in APPEND_ONLY_TABLES:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} "
                       f"ON {table} BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def downgrade() -> None:
    for table in ("screen_presence", "play_daily", "play_findings", "play_records",
                  "play_journals"):
        op.drop_table(table)  # dropping a table drops its triggers
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION pano_plays_append_only()")
