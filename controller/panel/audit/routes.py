"""The panel's Audit log page (docs/panel/audit.md): who did what, when, to what,
searchable by person, agency, action, object and date. The page only shows; its script
reads ``GET /api/v1/audit``, which decides what each role may read (approvers of a
non-lead agency see only their agency's entries)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from controller.panel.access import page
from controller.panel.nav import AUDIT_ROLES

panel_audit = Blueprint("panel_audit", __name__, url_prefix="/panel",
                        template_folder="templates", static_folder="static",
                        static_url_path="/static/audit")

FILTERS = ("actor", "agency", "action", "object_type", "object_id", "from", "to")


@panel_audit.get("/audit")
@page(*AUDIT_ROLES)
def log() -> str:
    # The search is in the URL (shareable); the form shows it as given.
    given = {name: request.args.get(name, "")[:100] for name in FILTERS}
    return render_template("panel/audit.html", given=given)
