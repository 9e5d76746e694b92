"""The panel's pages and the roles that may use each (what the navigation shows).

The same roles guard the pages (``access.page``) and, through ``require_role``, the API
routes the pages call; keep them in step with docs/panel.md."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from controller.panel.sources.label import SOURCES_LABEL


@dataclass(frozen=True)
class Page:
    endpoint: str
    label: object  # a lazy translated string
    roles: tuple[str, ...]


FLEET_ROLES = ("admin", "technician", "emergency")
PLAYLIST_ROLES = ("admin", "editor", "approver", "viewer")
REVIEW_ROLES = ("approver",)
SCHEDULE_ROLES = ("admin", "editor", "approver", "viewer")
PREVIEW_ROLES = ("admin", "editor", "approver", "technician", "viewer", "emergency")
EMERGENCY_ROLES = ("admin", "emergency")
AUDIT_ROLES = ("admin", "approver", "viewer")
ALERT_ROLES = ("admin", "technician")
USER_ROLES = ("admin",)
SOURCE_ROLES = ("admin", "technician")  # as GET /api/v1/sources; admins edit
# Every role reads reports; the API limits agency editors and approvers to their agency.
REPORT_ROLES = ("admin", "editor", "approver", "emergency", "technician", "viewer")

PAGES = (
    Page("panel_fleet.fleet", _l("Screens"), FLEET_ROLES),
    Page("panel_playlists.playlists", _l("Playlists"), PLAYLIST_ROLES),
    Page("panel_review.queue", _l("Review"), REVIEW_ROLES),
    Page("panel_schedules.week", _l("Schedules"), SCHEDULE_ROLES),
    Page("panel_schedules.preview", _l("Preview"), PREVIEW_ROLES),
    Page("panel_emergency.compose", _l("Emergency"), EMERGENCY_ROLES),
    Page("panel_alerts.alerts", _l("Alerts"), ALERT_ROLES),
    Page("panel_sources.sources", SOURCES_LABEL, SOURCE_ROLES),
    Page("panel_reports.reports", _l("Reports"), REPORT_ROLES),
    Page("panel_reports.replay", _l("Replay"), REPORT_ROLES),
    Page("panel_audit.log", _l("Audit log"), AUDIT_ROLES),
    Page("panel_people.users", _l("People"), USER_ROLES),
)


# Where a role's work starts, when it is not the first page of the navigation: an
# approver's is the queue of versions waiting for them, an emergency officer's is
# sending and following emergency messages.
FIRST_PAGES = {"approver": "panel_review.queue", "emergency": "panel_emergency.compose"}


def pages_for(role: str | None) -> list[Page]:
    return [p for p in PAGES if role in p.roles]


def first_page(role: str | None) -> str | None:
    """The endpoint ``/panel/`` sends ``role`` to (None: no page for that role)."""
    pages = pages_for(role)
    wanted = FIRST_PAGES.get(role or "")
    if wanted and any(p.endpoint == wanted for p in pages):
        return wanted
    return pages[0].endpoint if pages else None


def current_page(endpoint: str | None) -> str | None:
    """The navigation entry to mark for ``endpoint``: its own page, else the first page
    of the same area (a playlist's editor marks "Playlists")."""
    if endpoint is None:
        return None
    if any(p.endpoint == endpoint for p in PAGES):
        return endpoint
    area = endpoint.split(".")[0]
    return next((p.endpoint for p in PAGES if p.endpoint.split(".")[0] == area), None)
