"""The panel's Emergency page (being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from controller.panel.access import page
from controller.panel.nav import EMERGENCY_ROLES

panel_emergency = Blueprint("panel_emergency", __name__, url_prefix="/panel",
                            template_folder="templates", static_folder="static",
                            static_url_path="/static/emergency")


@panel_emergency.get("/emergency")
@page(*EMERGENCY_ROLES)
def compose() -> str:
    return render_template("panel/emergency.html")
