"""The same bytes uploaded under a new name (issue 12, point 9): the answer carries the
new upload's own name, and the library list shows the file under each name it came
with, newest first, paging through every entry."""

from __future__ import annotations

import io
from typing import Any

import pytest
import requests
from PIL import Image
from web.helpers import people_tokens


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    return people_tokens(fleet, {"names-editor": ("editor", "tourism")})


def poster(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(out, "PNG")
    return out.getvalue()


def upload(server, token: str, name: str, data: bytes) -> tuple[int, Any]:
    response = requests.post(server.url + "/api/v1/media",
                             headers={"Authorization": f"Bearer {token}"},
                             files={"file": (name, data)}, timeout=30)
    return response.status_code, response.json()


def library(server, token: str, **params: Any) -> dict[str, Any]:
    response = requests.get(server.url + "/api/v1/media", timeout=10, params=params,
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_each_upload_keeps_its_own_name(server, tokens):
    token = tokens["names-editor"]
    data = poster((12, 200, 90))
    status, first = upload(server, token, "poster.png", data)
    assert status == 201 and first["original_name"] == "poster.png"
    status, second = upload(server, token, "Lễ hội 2025.png", data)
    assert status == 200 and second["existing"] is True
    assert second["sha256"] == first["sha256"]
    assert second["original_name"] == "Lễ hội 2025.png"
    status, third = upload(server, token, "poster.png", data)  # same name: no new entry
    assert status == 200 and third["original_name"] == "poster.png"
    entries = [m for m in library(server, token, kind="image", limit=500)["media"]
               if m["sha256"] == first["sha256"]]
    assert [m["original_name"] for m in entries] == ["Lễ hội 2025.png", "poster.png"]
    one = requests.get(server.url + f"/api/v1/media/{first['sha256']}", timeout=10,
                       headers={"Authorization": f"Bearer {token}"}).json()
    assert one["original_name"] == "poster.png"  # the file's first name


def test_paging_walks_every_entry_once(server, tokens):
    token = tokens["names-editor"]
    data = poster((1, 2, 3))
    for name in ("page-a.png", "page-b.png", "page-c.png"):
        assert upload(server, token, name, data)[0] in (200, 201)
    seen: list[str] = []
    before = None
    while True:
        params: dict[str, Any] = {"kind": "image", "limit": 2}
        if before is not None:
            params["before"] = before
        page = library(server, token, **params)
        seen += [m["original_name"] for m in page["media"]]
        before = page["next_before"]
        if before is None:
            break
    assert seen.index("page-c.png") < seen.index("page-b.png") < seen.index("page-a.png")
    assert seen.count("page-b.png") == 1


def test_a_bad_cursor_is_a_sentence(server, tokens):
    response = requests.get(server.url + "/api/v1/media", params={"before": "x; drop"},
                            headers={"Authorization": f"Bearer {tokens['names-editor']}"},
                            timeout=10)
    assert response.status_code == 400
    assert "next_before" in response.json()["message"]
