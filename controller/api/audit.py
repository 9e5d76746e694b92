"""``/api/v1/audit``: to be written."""

from __future__ import annotations

from flask import Blueprint

audit_api = Blueprint("audit_api", __name__, url_prefix="/api/v1")
