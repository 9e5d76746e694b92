"""The panel's People page (docs/panel/people.md): the operator accounts and the
contributing agencies, for admins. The page only shows; its scripts call the users and
agencies API (``/api/v1/users``, ``…/users/<name>/password``, ``/api/v1/agencies``),
which holds every rule (the last active admin, password strength, the one lead agency)."""

from __future__ import annotations

from flask import Blueprint, render_template

from controller.auth.users import MIN_PASSWORD_LENGTH, ROLES
from controller.panel.access import page
from controller.panel.nav import USER_ROLES

panel_people = Blueprint("panel_people", __name__, url_prefix="/panel",
                         template_folder="templates", static_folder="static",
                         static_url_path="/static/people")


@panel_people.get("/people")
@page(*USER_ROLES)
def users() -> str:
    return render_template("panel/people.html", roles=ROLES,
                           min_password=MIN_PASSWORD_LENGTH)
