"""Alerts (docs/alerts.md): ``alert_incidents`` (one row per incident of a rule on a
screen; ``open_key`` unique while it is pending or open, so several controller processes
open it once) and ``alert_notifications`` (the outbox: one row per message and channel,
claimed by one process before it is sent, retried with backoff).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_incidents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("open_key", sa.String(length=140), nullable=True),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("screen_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("false_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flapping", sa.Boolean(), nullable=False),
        sa.Column("acked_by", sa.String(length=100), nullable=True),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ack_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_incidents")),
        sa.UniqueConstraint("open_key", name=op.f("uq_alert_incidents_open_key")),
    )
    op.create_index(op.f("ix_alert_incidents_rule"), "alert_incidents", ["rule"])
    op.create_index(op.f("ix_alert_incidents_screen_id"), "alert_incidents", ["screen_id"])
    op.create_index(op.f("ix_alert_incidents_state"), "alert_incidents", ["state"])
    op.create_table(
        "alert_notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["alert_incidents.id"],
                                name=op.f("fk_alert_notifications_incident_id_alert_incidents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_notifications")),
    )
    op.create_index(op.f("ix_alert_notifications_incident_id"), "alert_notifications",
                    ["incident_id"])
    op.create_index(op.f("ix_alert_notifications_state"), "alert_notifications", ["state"])


def downgrade() -> None:
    op.drop_index(op.f("ix_alert_notifications_state"), table_name="alert_notifications")
    op.drop_index(op.f("ix_alert_notifications_incident_id"),
                  table_name="alert_notifications")
    op.drop_table("alert_notifications")
    op.drop_index(op.f("ix_alert_incidents_state"), table_name="alert_incidents")
    op.drop_index(op.f("ix_alert_incidents_screen_id"), table_name="alert_incidents")
    op.drop_index(op.f("ix_alert_incidents_rule"), table_name="alert_incidents")
    op.drop_table("alert_incidents")
