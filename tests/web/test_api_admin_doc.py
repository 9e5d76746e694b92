"""docs/api-admin.md, "Screens and emergencies", documents every field of
``GET /api/v1/screens`` and of the ``POST /api/v1/emergencies`` body that
controller/api/openapi.yaml declares and the code answers or accepts."""

from __future__ import annotations

import re
from pathlib import Path

from controller.api.openapi import document
from controller.api.screens import FACT_KEYS

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "api-admin.md").read_text(encoding="utf-8")
OPENAPI = document()
SCHEMAS = OPENAPI["components"]["schemas"]


def _section(title: str) -> str:
    start = DOC.index(title)
    end = DOC.find("\n### ", start + 1)
    return DOC[start:] if end < 0 else DOC[start:end]


def _row_names(section: str) -> set[str]:
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`(\w+)`", row.split(" | ")[0])}


def test_every_screen_field_is_documented():
    section = _section("### `GET /api/v1/screens`")
    assert _row_names(section) == set(SCHEMAS["ScreenSummary"]["properties"])
    facts = section[section.index("| `facts` |"):].splitlines()[0]
    for key in FACT_KEYS:
        assert f"`{key}`" in facts, key


def test_every_emergency_request_field_is_documented():
    section = _section("### `POST /api/v1/emergencies`")
    assert _row_names(section) == set(SCHEMAS["EmergencyRequest"]["properties"])
    for required in SCHEMAS["EmergencyRequest"]["required"]:
        assert f"`{required}` (required)" in section
