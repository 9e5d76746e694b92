"""``/api/v1/agencies``: to be written."""

from __future__ import annotations

from flask import Blueprint

agencies_api = Blueprint("agencies_api", __name__, url_prefix="/api/v1")
