"""The panel's Playlists pages: the list (``/panel/playlists``) and the editor
(``/panel/playlists/new``, ``/panel/playlists/<id>``).

The routes only render pages; the pages' scripts read and write through ``/api/v1``
(playlists, review, media, sites, agencies), so the API's rules decide everything and a
refusal reaches the person as the API's own message. docs/panel/playlists.md."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for
from flask_login import current_user

from controller.content.sites_import import ID_RE
from controller.panel.access import page
from controller.panel.nav import PLAYLIST_ROLES
from controller.panel.playlists.themes import theme_choices
from controller.state import state

panel_playlists = Blueprint("panel_playlists", __name__, url_prefix="/panel",
                            template_folder="templates", static_folder="static",
                            static_url_path="/static/playlists")

EDIT_ROLES = ("admin", "editor")


def _may_edit() -> bool:
    return current_user.role in EDIT_ROLES


@panel_playlists.get("/playlists")
@page(*PLAYLIST_ROLES)
def playlists() -> str:
    return render_template("panel/playlists.html", may_edit=_may_edit(),
                           themes=theme_choices())


def _editor(playlist_id: str | None) -> str:
    settings = state().settings
    config: dict[str, Any] = {
        "playlist": playlist_id, "may_edit": _may_edit(),
        "max_upload_mb": settings.max_upload_mb, "id_pattern": ID_RE.pattern,
        "review_url": url_for("panel_review.queue") if current_user.role == "approver"
        else None,
        "preview_url": url_for("panel_schedules.preview"),
        "themes": theme_choices(),
    }
    return render_template("panel/playlist_edit.html", editor=config,
                           playlist_id=playlist_id)


@panel_playlists.get("/playlists/new")
@page(*EDIT_ROLES)
def new_playlist() -> str:
    return _editor(None)


@panel_playlists.get("/playlists/<playlist_id>")
@page(*PLAYLIST_ROLES)
def edit_playlist(playlist_id: str) -> str:
    return _editor(playlist_id)
