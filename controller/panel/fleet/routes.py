"""The panel's Screens page (being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from controller.panel.access import page
from controller.panel.nav import FLEET_ROLES

panel_fleet = Blueprint("panel_fleet", __name__, url_prefix="/panel",
                        template_folder="templates", static_folder="static",
                        static_url_path="/static/fleet")


@panel_fleet.get("/fleet")
@page(*FLEET_ROLES)
def fleet() -> str:
    return render_template("panel/fleet.html")
