"""``/api/v1/schedules``: to be written."""

from __future__ import annotations

from flask import Blueprint

schedules_api = Blueprint("schedules_api", __name__, url_prefix="/api/v1")
