"""The panel's People page (being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from controller.panel.access import page
from controller.panel.nav import USER_ROLES

panel_people = Blueprint("panel_people", __name__, url_prefix="/panel",
                         template_folder="templates", static_folder="static",
                         static_url_path="/static/people")


@panel_people.get("/people")
@page(*USER_ROLES)
def users() -> str:
    return render_template("panel/people.html")
