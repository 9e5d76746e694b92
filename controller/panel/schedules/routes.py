"""The panel's Schedules page (a week view of what a screen plays, and why, with the
schedules of the chosen site to create, edit and delete) and its Preview page (any
screen at any time, as that screen would show it). Both are server-rendered shells whose
scripts call ``/api/v1``: ``/screens/<id>/week`` (controller/api/schedule_week.py),
``/schedules``, ``/sites``, ``/playlists`` and ``/screens/<id>/preview``(``.png``).
docs/panel/schedules.md describes them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from controller.panel.access import page
from controller.panel.nav import PREVIEW_ROLES, SCHEDULE_ROLES
from controller.review.permissions import SCHEDULE_ROLES as WRITE_ROLES

panel_schedules = Blueprint("panel_schedules", __name__, url_prefix="/panel",
                            template_folder="templates", static_folder="static",
                            static_url_path="/static/schedules")

# What both pages say about why a screen plays what it plays (schedule_text.js): the
# facts come from the API, the words from here. Placeholders are filled in by Pano.t.
EXPLAIN_STRINGS = {
    "nothing": _l("Nothing plays"),
    "by_screen": _l("by its screen id"),
    "by_tag": _l("by tag"),
    "by_site": _l("by its site"),
    # Named by their playlists, as people know them; the schedule ids are in the details
    # (and added to a name only where two schedules of one playlist meet).
    "won_by_schedule": _l("“%(playlist)s” plays by its schedule (priority %(priority)s, "
                          "targets the screen %(match)s)."),
    "won_by_fallback": _l("No schedule is on: the screen's default playlist plays."),
    "won_by_nothing": _l("No schedule is on and the screen has no default playlist: "
                         "nothing plays."),
    "why_priority": _l("“%(winner)s” (priority %(wp)s) wins over “%(loser)s” (priority "
                       "%(lp)s): its schedule's priority is higher."),
    "why_specificity": _l("“%(winner)s” wins over “%(loser)s”: both schedules have priority "
                          "%(wp)s, and its schedule targets the screen more specifically "
                          "(%(wm)s, the other %(lm)s)."),
    "why_recency": _l("“%(winner)s” wins over “%(loser)s”: same priority (%(wp)s) and the "
                      "same kind of target, and its schedule was created later."),
    "why_id": _l("“%(winner)s” wins over “%(loser)s”: their schedules tie on everything, and "
                 "its schedule has the lower number."),
    "overlaps": _l("Overlapping schedules"),
    "engine": _l("The controller's explanation (English)"),
}


def page_strings(strings: dict[str, Any]) -> dict[str, Any]:
    """The explanation strings plus a page's own, for the template's strings block."""
    out: dict[str, Any] = {key: str(value) for key, value in EXPLAIN_STRINGS.items()}
    out.update(strings)
    return out


@panel_schedules.get("/schedules")
@page(*SCHEDULE_ROLES)
def week() -> str:
    # Who may write is the API's decision (it refuses the rest); the page only hides
    # the buttons of a role that may never use them.
    return render_template("panel/schedules.html", page_strings=page_strings,
                           can_write=current_user.role in WRITE_ROLES)


@panel_schedules.get("/preview")
@page(*PREVIEW_ROLES)
def preview() -> str:
    return render_template("panel/preview.html", page_strings=page_strings,
                           can_see_week=current_user.role in SCHEDULE_ROLES)
