"""Editorial review, agencies and the append-only audit log (docs/review.md).

Playlist versions get a review state; versions that existed before review was
introduced were on air or had been, so the current one becomes ``approved`` and older
ones ``archived``. ``audit_entries`` is append-only: triggers refuse UPDATE and DELETE.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ_DATETIME = sa.DateTime(timezone=True)
APPEND_ONLY = "the audit log is append-only"
FROZEN = "a playlist version is frozen once submitted: edit a new draft instead"


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", TZ_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("agency_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("scope_sites", sa.JSON(), nullable=False,
                                   server_default="[]"))
        batch.add_column(sa.Column("scope_themes", sa.JSON(), nullable=False,
                                   server_default="[]"))
        batch.create_foreign_key(op.f("fk_users_agency_id_agencies"), "agencies",
                                 ["agency_id"], ["id"])
    with op.batch_alter_table("playlists") as batch:
        batch.alter_column("current_version", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("agency_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("themes", sa.JSON(), nullable=False, server_default="[]"))
        batch.create_foreign_key(op.f("fk_playlists_agency_id_agencies"), "agencies",
                                 ["agency_id"], ["id"])
        batch.create_index(op.f("ix_playlists_agency_id"), ["agency_id"])
    with op.batch_alter_table("playlist_versions") as batch:
        batch.add_column(sa.Column("state", sa.String(length=16), nullable=False,
                                   server_default="archived"))
        for column in ("created_by", "edited_by", "submitted_by", "reviewed_by"):
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch.create_foreign_key(op.f(f"fk_playlist_versions_{column}_users"), "users",
                                     [column], ["id"])
        batch.add_column(sa.Column("edited_at", TZ_DATETIME, nullable=True))
        batch.add_column(sa.Column("submitted_at", TZ_DATETIME, nullable=True))
        batch.add_column(sa.Column("reviewed_at", TZ_DATETIME, nullable=True))
        batch.add_column(sa.Column("rejection_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("source", sa.String(length=255), nullable=False,
                                   server_default=""))
        batch.create_index(op.f("ix_playlist_versions_state"), ["state"])
    op.execute("UPDATE playlist_versions SET edited_at = created_at")
    op.execute("UPDATE playlist_versions SET state = 'approved' WHERE number = "
               "(SELECT current_version FROM playlists "
               "WHERE playlists.id = playlist_versions.playlist_id)")
    with op.batch_alter_table("playlist_versions") as batch:
        batch.alter_column("edited_at", existing_type=TZ_DATETIME, nullable=False)
    with op.batch_alter_table("screens") as batch:
        batch.add_column(sa.Column("alternate_timing", sa.String(length=16), nullable=False,
                                   server_default="split"))
    with op.batch_alter_table("schedules") as batch:
        batch.add_column(sa.Column("created_by", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_schedules_created_by_users"), "users",
                                 ["created_by"], ["id"])
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", TZ_DATETIME, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=100), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"],
                                name=op.f("fk_audit_entries_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    for column in ("at", "actor_id", "agency_id", "action"):
        op.create_index(op.f(f"ix_audit_entries_{column}"), "audit_entries", [column])
    _append_only_triggers()
    _frozen_version_triggers()


def _frozen_version_triggers() -> None:
    """The items of a version that left the draft state never change, and an approved
    or archived version never becomes a draft again, whatever code runs against the
    database."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION pano_version_frozen() RETURNS trigger AS $$ BEGIN "
            "IF (OLD.state <> 'draft' AND (NEW.items::text <> OLD.items::text "
            "OR NEW.content_hash <> OLD.content_hash)) OR (OLD.state IN ('approved', "
            "'archived') AND NEW.state IN ('draft', 'in_review')) THEN "
            f"RAISE EXCEPTION '{FROZEN}'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER playlist_versions_frozen BEFORE UPDATE "
                   "ON playlist_versions FOR EACH ROW EXECUTE FUNCTION pano_version_frozen()")
        return
    op.execute("CREATE TRIGGER playlist_versions_frozen BEFORE UPDATE OF items, content_hash "
               "ON playlist_versions WHEN OLD.state <> 'draft' AND "
               "(NEW.items IS NOT OLD.items OR NEW.content_hash IS NOT OLD.content_hash) "
               f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END")
    op.execute("CREATE TRIGGER playlist_versions_no_way_back BEFORE UPDATE OF state "
               "ON playlist_versions WHEN OLD.state IN ('approved', 'archived') AND "
               f"NEW.state IN ('draft', 'in_review') BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END")


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION pano_audit_append_only() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{APPEND_ONLY}'; END; $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE "
                   "ON audit_entries FOR EACH ROW EXECUTE FUNCTION pano_audit_append_only()")
        op.execute("CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE "
                   "ON audit_entries FOR EACH STATEMENT "
                   "EXECUTE FUNCTION pano_audit_append_only()")
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER audit_entries_no_{event.lower()} BEFORE {event} "
                   f"ON audit_entries BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE audit_entries")
        op.execute("DROP FUNCTION pano_audit_append_only()")
        op.execute("DROP TRIGGER playlist_versions_frozen ON playlist_versions")
        op.execute("DROP FUNCTION pano_version_frozen()")
    else:
        op.drop_table("audit_entries")
        op.execute("DROP TRIGGER playlist_versions_frozen")
        op.execute("DROP TRIGGER playlist_versions_no_way_back")
    with op.batch_alter_table("schedules") as batch:
        batch.drop_constraint(op.f("fk_schedules_created_by_users"), type_="foreignkey")
        batch.drop_column("created_by")
    with op.batch_alter_table("screens") as batch:
        batch.drop_column("alternate_timing")
    with op.batch_alter_table("playlist_versions") as batch:
        batch.drop_index(op.f("ix_playlist_versions_state"))
        for column in ("created_by", "edited_by", "submitted_by", "reviewed_by"):
            batch.drop_constraint(op.f(f"fk_playlist_versions_{column}_users"),
                                  type_="foreignkey")
            batch.drop_column(column)
        for column in ("state", "edited_at", "submitted_at", "reviewed_at",
                       "rejection_reason", "source"):
            batch.drop_column(column)
    op.execute("UPDATE playlists SET current_version = 1 WHERE current_version IS NULL")
    with op.batch_alter_table("playlists") as batch:
        batch.drop_index(op.f("ix_playlists_agency_id"))
        batch.drop_constraint(op.f("fk_playlists_agency_id_agencies"), type_="foreignkey")
        batch.drop_column("themes")
        batch.drop_column("agency_id")
        batch.alter_column("current_version", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("fk_users_agency_id_agencies"), type_="foreignkey")
        for column in ("scope_themes", "scope_sites", "agency_id"):
            batch.drop_column(column)
    op.drop_table("agencies")
