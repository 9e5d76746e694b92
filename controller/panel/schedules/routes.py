"""The panel's Schedules page (being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from controller.panel.access import page
from controller.panel.nav import PREVIEW_ROLES, SCHEDULE_ROLES

panel_schedules = Blueprint("panel_schedules", __name__, url_prefix="/panel",
                            template_folder="templates", static_folder="static",
                            static_url_path="/static/schedules")


@panel_schedules.get("/schedules")
@page(*SCHEDULE_ROLES)
def week() -> str:
    return render_template("panel/schedules.html")


@panel_schedules.get("/preview")
@page(*PREVIEW_ROLES)
def preview() -> str:
    return render_template("panel/preview.html")
