"""``/api/v1/playlists``: to be written."""

from __future__ import annotations

from flask import Blueprint

playlists_api = Blueprint("playlists_api", __name__, url_prefix="/api/v1")
