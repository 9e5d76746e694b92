"""The panel's Playlists page (being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from controller.panel.access import page
from controller.panel.nav import PLAYLIST_ROLES

panel_playlists = Blueprint("panel_playlists", __name__, url_prefix="/panel",
                            template_folder="templates", static_folder="static",
                            static_url_path="/static/playlists")


@panel_playlists.get("/playlists")
@page(*PLAYLIST_ROLES)
def playlists() -> str:
    return render_template("panel/playlists.html")
