"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 description of the HTTP API.

The document is written by hand in ``openapi.yaml`` next to this module (prose and
examples read better there than generated from code) and kept true by tests: every
route of the app under ``/api/v1`` is in it and nothing else is, each operation's
``x-roles`` matches what the route enforces, and the document validates against the
OpenAPI 3.1 schema (tests/web/test_openapi.py)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, jsonify

SPEC_FILE = Path(__file__).with_name("openapi.yaml")

openapi_api = Blueprint("openapi_api", __name__, url_prefix="/api/v1")


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The parsed document (read once per process). libyaml's loader where PyYAML has it:
    the pure-Python one takes about 0.3 s of CPU for this 130 KB file, libyaml a tenth."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_FILE.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)  # noqa: S506 (a safe loader, C or Python)


@openapi_api.get("/openapi.json")
def openapi_json() -> Any:
    response = jsonify(document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
