"""The panel's Reports and Replay pages (docs/panel/reports.md). They only show: their
scripts read ``GET /api/v1/reports/plays``, the charts (``/api/v1/reports/charts/…``)
and ``GET /api/v1/plays``, which decide what each role may read; the export buttons are
links to ``GET /api/v1/reports/ttdn``. The static folder also serves the yearly report's
stylesheet (``ttdn.css``), which its HTML links and its PDF inlines."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from controller.panel.access import page
from controller.panel.nav import REPORT_ROLES

panel_reports = Blueprint("panel_reports", __name__, url_prefix="/panel",
                          template_folder="templates", static_folder="static",
                          static_url_path="/static/reports")

FILTERS = ("from", "to", "agency", "site", "screen", "playlist", "item", "language",
           "theme", "group_by")
REPLAY = ("screen", "from", "to")


@panel_reports.get("/reports")
@page(*REPORT_ROLES)
def reports() -> str:
    # The question is in the URL (shareable); the form shows it as given.
    given = {name: request.args.get(name, "")[:100] for name in FILTERS}
    return render_template("panel/reports.html", given=given)


@panel_reports.get("/replay")
@page(*REPORT_ROLES)
def replay() -> str:
    given = {name: request.args.get(name, "")[:100] for name in REPLAY}
    return render_template("panel/replay.html", given=given)
