"""Every area of the panel (one package each, with its own templates, scripts and
Vietnamese catalogue), in navigation order."""

from __future__ import annotations

from controller.panel.alerts.routes import panel_alerts
from controller.panel.audit.routes import panel_audit
from controller.panel.emergency.routes import panel_emergency
from controller.panel.fleet.routes import panel_fleet
from controller.panel.people.routes import panel_people
from controller.panel.playlists.routes import panel_playlists
from controller.panel.reports.routes import panel_reports
from controller.panel.review.routes import panel_review
from controller.panel.schedules.routes import panel_schedules
from controller.panel.sources.routes import panel_sources

AREA_BLUEPRINTS = (panel_fleet, panel_playlists, panel_review, panel_schedules,
                   panel_emergency, panel_alerts, panel_sources, panel_reports, panel_audit,
                   panel_people)
