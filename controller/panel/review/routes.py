"""The panel's Review page (being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from controller.panel.access import page
from controller.panel.nav import REVIEW_ROLES

panel_review = Blueprint("panel_review", __name__, url_prefix="/panel",
                         template_folder="templates", static_folder="static",
                         static_url_path="/static/review")


@panel_review.get("/review")
@page(*REVIEW_ROLES)
def queue() -> str:
    return render_template("panel/review.html")
