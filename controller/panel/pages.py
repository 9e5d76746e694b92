"""``/panel/``: sends each person to where their role's work starts (``nav.first_page``:
an approver to the review queue, an emergency officer to Emergency, others to the first
page of their navigation)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from controller.panel.nav import first_page

panel_pages = Blueprint("panel_pages", __name__, url_prefix="/panel",
                        template_folder="templates", static_folder="static",
                        static_url_path="/static/base")


@panel_pages.get("/")
@login_required
def index() -> Response | tuple[str, int]:
    endpoint = first_page(current_user.role)
    if endpoint is None:
        return render_template("panel/forbidden.html"), 403
    return redirect(url_for(endpoint))
