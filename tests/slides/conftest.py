"""Fixtures and shared data for the slide tests: the shipped texts (every
``playlists/*.yaml`` file, the emergency examples of docs/protocol.md and the OpenAPI
document), a real SQLite database and a media store."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from controller.api.openapi import document as openapi_document
from controller.db import make_engine, make_session_factory, upgrade

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def playlist_texts() -> list[tuple[str, str, str]]:
    """(file, language, text) for every title and body of every variant, and the
    playlists' own titles."""
    out = []
    for path in sorted((REPO / "playlists").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for lang, title in (doc.get("title") or {}).items():
            out.append((path.name, lang, title))
        for item in doc.get("items") or []:
            for lang, variant in (item.get("variants") or {}).items():
                for key in ("title", "body"):
                    if variant.get(key):
                        out.append((f"{path.name}:{item['id']}.{key}", lang, variant[key]))
    return out


def _find_messages(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        found = [value["messages"]] if isinstance(value.get("messages"), dict) else []
        return found + [m for v in value.values() for m in _find_messages(v)]
    if isinstance(value, list):
        return [m for v in value for m in _find_messages(v)]
    return []


def emergency_examples() -> list[dict[str, Any]]:
    """The ``messages`` of every emergency example shipped in docs/protocol.md and the
    OpenAPI document."""
    found = []
    protocol = (REPO / "docs" / "protocol.md").read_text(encoding="utf-8")
    for block in re.findall(r"```json\n(.*?)```", protocol, re.S):
        if '"messages"' in block:
            found += _find_messages(json.loads("{" + block.strip() + "}"))
    openapi = openapi_document()
    found += [m for m in _find_messages(openapi)
              if all(isinstance(v, dict) and "title" in v for v in m.values())]
    assert len(found) >= 2, "the emergency examples moved: update tests/slides/conftest.py"
    return found


def site_names() -> list[tuple[str, str, str]]:
    doc = yaml.safe_load((REPO / "config" / "sites.yaml").read_text(encoding="utf-8"))
    out = []
    for site in doc["sites"]:
        out += [(site["id"], "vi", site["name"]["vi"]), (site["id"], "en", site["name"]["en"])]
    return out


@pytest.fixture
def session(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'pano.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        yield s
    engine.dispose()
