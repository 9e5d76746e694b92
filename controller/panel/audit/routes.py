"""The panel's Audit log page (being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from controller.panel.access import page
from controller.panel.nav import AUDIT_ROLES

panel_audit = Blueprint("panel_audit", __name__, url_prefix="/panel",
                        template_folder="templates", static_folder="static",
                        static_url_path="/static/audit")


@panel_audit.get("/audit")
@page(*AUDIT_ROLES)
def log() -> str:
    return render_template("panel/audit.html")
