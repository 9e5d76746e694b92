"""The panel's Alerts page (docs/alerts.md): open incidents first, then the latest
cleared ones and the messages that could not be delivered; acknowledging an incident
with a note. The page only shows: its script reads ``GET /api/v1/alerts`` and sends
``POST /api/v1/alerts/<id>/ack``, which check the roles and record the audit entry."""

from __future__ import annotations

from flask import Blueprint, render_template

from controller.panel.access import page
from controller.panel.nav import ALERT_ROLES

panel_alerts = Blueprint("panel_alerts", __name__, url_prefix="/panel",
                         template_folder="templates", static_folder="static",
                         static_url_path="/static/alerts")


@panel_alerts.get("/alerts")
@page(*ALERT_ROLES)
def alerts() -> str:
    return render_template("panel/alerts.html")
