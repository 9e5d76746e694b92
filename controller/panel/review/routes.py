"""The panel's Review pages (docs/panel/review.md): the queue of playlist versions
waiting for this approver, and one version's changes against what is on air, with
Approve and Reject. The pages only show; their scripts call the review API
(``/api/v1/review-queue``, ``…/diff``, ``…/approve``, ``…/reject``), which decides."""

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


@panel_review.get("/review/<playlist_id>")
@page(*REVIEW_ROLES)
def version(playlist_id: str) -> str:
    return render_template("panel/review_version.html", playlist_id=playlist_id)
