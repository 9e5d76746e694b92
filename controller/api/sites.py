"""``GET /api/v1/sites``: the sites and their screens (names, size, language profile),
for every signed-in role: the panel's schedule, preview and emergency pages choose sites
and screens from it. Presence and facts stay in ``/api/v1/screens`` (technicians)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy import select

from controller.api.user_auth import require_role
from controller.auth.users import ROLES
from controller.models import Screen, Site
from controller.state import db, state

sites_api = Blueprint("sites_api", __name__, url_prefix="/api/v1")


def _screen(screen: Screen) -> dict[str, Any]:
    return {"id": screen.id, "name": {"vi": screen.name_vi, "en": screen.name_en},
            "orientation": screen.orientation, "width": screen.width,
            "height": screen.height, "languages": list(screen.languages or []),
            "bilingual_mode": screen.bilingual_mode, "tags": list(screen.tags or []),
            "default_playlist": screen.default_playlist_id,
            "layout": screen.layout}  # its zones (docs/zones.md), None: the whole screen


@sites_api.get("/sites")
@require_role(*ROLES)
def list_sites() -> Any:
    session = db()
    screens: dict[str, list[dict[str, Any]]] = {}
    for screen in session.scalars(select(Screen).order_by(Screen.site_id, Screen.id)):
        screens.setdefault(screen.site_id, []).append(_screen(screen))
    config = state().settings.language_config
    return {
        "languages": [{"code": lang.code, "name": {"vi": lang.name_vi, "en": lang.name_en}}
                      for lang in config.languages],
        "required_languages": list(config.required),
        "sites": [{"id": site.id,
                   "name": {**(site.names or {}), "vi": site.name_vi, "en": site.name_en},
                   "timezone": site.timezone, "screens": screens.get(site.id, [])}
                  for site in session.scalars(select(Site).order_by(Site.id))],
    }
