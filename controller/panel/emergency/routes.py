"""The panel's Emergency pages: ``/panel/emergency`` composes an urgent message (every
language the chosen sites or single screens show, side by side), confirms what goes where and
sends it; below, the latest emergencies with their state and an End button.
``/panel/emergency/<id>`` is the live board of delivery receipts, one row per targeted
screen. Both pages' scripts call ``/api/v1/emergencies`` and ``/api/v1/sites``; the
board follows the ``emergencies`` topic of the live feed (``live_source``).

Technicians may open both pages read-only (the API lets them read receipts); only the
roles that may send (``EMERGENCY_ROLES``) see the form and the End buttons."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user

from controller.api.emergencies import READERS
from controller.emergencies.request import MAX_BODY, MAX_TITLE
from controller.panel.access import page
from controller.panel.emergency import live_source  # noqa: F401 - registers the topic
from controller.panel.emergency.draft_strings import draft_strings
from controller.panel.emergency.strings import page_strings
from controller.panel.nav import EMERGENCY_ROLES

# Who may open the pages: the senders, and technicians read-only (as the API's readers).
# The navigation (nav.PAGES) links the page for the senders only.
EMERGENCY_READERS = READERS

panel_emergency = Blueprint("panel_emergency", __name__, url_prefix="/panel",
                            template_folder="templates", static_folder="static",
                            static_url_path="/static/emergency")


def _context() -> dict[str, Any]:
    return {"may_send": current_user.role in EMERGENCY_ROLES,
            "limits": {"title": MAX_TITLE, "body": MAX_BODY},
            "page_strings": {**page_strings(), **draft_strings()}}


@panel_emergency.get("/emergency")
@page(*EMERGENCY_READERS)
def compose() -> str:
    return render_template("panel/emergency.html", **_context())


@panel_emergency.get("/emergency/<int:emergency_id>")
@page(*EMERGENCY_READERS)
def board(emergency_id: int) -> str:
    return render_template("panel/emergency_board.html", emergency_id=emergency_id,
                           **_context())
