"""The panel's Screens page (``/panel/fleet``): every site and screen with its presence
and last facts, live over the ``/panel`` Socket.IO namespace (topic ``fleet``,
``live_source.py``), and remote commands for admins and technicians (the page calls
``/api/v1/screens/<id>/commands``). docs/panel/fleet.md describes it."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from controller.api.screen_commands import ROLES as COMMANDERS
from controller.panel.access import page
from controller.panel.fleet import live_source
from controller.panel.nav import FLEET_ROLES
from controller.state import db

panel_fleet = Blueprint("panel_fleet", __name__, url_prefix="/panel",
                        template_folder="templates", static_folder="static",
                        static_url_path="/static/fleet")

# Roles that may send commands: the API's own list.
COMMAND_ROLES = COMMANDERS
# Thresholds the page marks (docs/panel/fleet.md).
LIMITS = {"temp_warn": 70, "temp_bad": 80, "disk_warn": 15}


@panel_fleet.get("/fleet")
@page(*FLEET_ROLES)
def fleet() -> str:
    # The snapshot at load: the page shows the fleet at once, even before (or without)
    # its live connection; the live feed then replaces it.
    return render_template("panel/fleet.html", screens=live_source.snapshot(db()),
                           can_act=current_user.role in COMMAND_ROLES, limits=LIMITS)
