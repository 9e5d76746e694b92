"""The panel's Sources page (``/panel/sources``, docs/panel/sources.md): every data
source (docs/sources.md) with its status in words — last fetch, how old the last good
data are, whether screens show them or the fallback, the last error — for
administrators and technicians; administrators add, change, disable and enable sources
and fetch one now. The page only shows: its script calls ``GET /api/v1/sources``,
``POST /api/v1/sources``, ``PATCH /api/v1/sources/<id>`` and ``POST …/refresh``, which
hold every rule (allowed hosts, limits) and answer refusals in the panel's language."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from controller.panel.access import page
from controller.panel.nav import SOURCE_ROLES
from controller.panel.sources.strings import page_strings
from controller.sources.declarations import KINDS, MAX_EVERY, MIN_EVERY

panel_sources = Blueprint("panel_sources", __name__, url_prefix="/panel",
                          template_folder="templates", static_folder="static",
                          static_url_path="/static/sources")


@panel_sources.get("/sources")
@page(*SOURCE_ROLES)
def sources() -> str:
    config = {"may_edit": current_user.role == "admin",
              "kinds": list(KINDS), "every": [MIN_EVERY, MAX_EVERY]}
    return render_template("panel/sources.html", config=config,
                           page_strings=page_strings())
