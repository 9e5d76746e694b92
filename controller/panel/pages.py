"""``/panel/``: sends each person to the first page their role may use."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from controller.panel.nav import pages_for

panel_pages = Blueprint("panel_pages", __name__, url_prefix="/panel",
                        template_folder="templates", static_folder="static",
                        static_url_path="/static/base")


@panel_pages.get("/")
@login_required
def index() -> Response | tuple[str, int]:
    pages = pages_for(current_user.role)
    if not pages:
        return render_template("panel/forbidden.html"), 403
    return redirect(url_for(pages[0].endpoint))
