"""Media uploads over HTTP to a real controller: a photo with EXIF orientation and GPS
comes back upright and clean, the same upload twice is one file, refused uploads leave
nothing, the size limit is a 413 naming it, listing pages newest first."""

from __future__ import annotations

import http.client
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from PIL import Image
from sqlalchemy import func, select
from web.helpers import people_tokens

from controller.models import AuditEntry, Media


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    return people_tokens(fleet, {"media-editor": ("editor", "tourism")})


def photo() -> bytes:
    im = Image.new("RGB", (60, 30), (10, 10, 240))
    exif = Image.Exif()
    exif[0x0112] = 6
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (16.0, 27.0, 50.0)
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(server, token: str | None, name: str, data: bytes) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.post(server.url + "/api/v1/media", headers=headers,
                             files={"file": (name, data)}, timeout=30)
    return response.status_code, response.json()


def store_files(fleet) -> set[Path]:
    root = fleet.settings.media_dir
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def count(fleet, model) -> int:
    with fleet.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_photo_upload_is_upright_clean_and_deduplicated(server, fleet, tokens):
    status, body = upload(server, tokens["media-editor"], "../../etc/Huế photo.jpg",
                          photo())
    assert status == 201, body
    assert (body["kind"], body["mime"], body["width"], body["height"]) == (
        "image", "image/jpeg", 30, 60)
    assert body["original_name"] == "Huế photo.jpg" and body["existing"] is False
    served = requests.get(server.url + f"/media/{body['sha256']}", timeout=10,
                          headers={"Authorization": f"Bearer {tokens['admin']}"})
    stored = Image.open(io.BytesIO(served.content))
    assert stored.size == (30, 60) and len(stored.getexif()) == 0
    files = store_files(fleet)
    audit = count(fleet, AuditEntry)
    status, again = upload(server, tokens["admin"], "copy.jpg", photo())
    assert status == 200 and again["existing"] is True
    assert again["sha256"] == body["sha256"]
    assert store_files(fleet) == files and count(fleet, AuditEntry) == audit
    with fleet.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "media.upload",
            AuditEntry.object_id == body["sha256"])).one()
        assert entry.actor == "media-editor"


@pytest.mark.parametrize(("name", "data", "says"), [
    ("empty.png", b"", "empty file"),
    ("photo.png", photo(), "really a JPEG image"),
    ("notes.jpg", b"hello world\n" * 20, "not a JPEG"),
    ("poly.jpg", photo() + b"PK\x03\x04" + b"\x00" * 40, "disguised"),
])
def test_refused_upload_leaves_nothing(server, fleet, tokens, name, data, says):
    files, rows = store_files(fleet), count(fleet, Media)
    status, body = upload(server, tokens["admin"], name, data)
    assert status == 422 and body["error"] == "unprocessable", body
    assert says in body["message"] and name in body["message"]
    assert store_files(fleet) == files and count(fleet, Media) == rows


def test_roles_and_bad_requests(server, tokens):
    status, body = upload(server, tokens["viewer"], "a.jpg", photo())
    assert status == 403
    status, body = upload(server, None, "a.jpg", photo())
    assert status == 401
    response = requests.post(server.url + "/api/v1/media", timeout=10,
                             headers={"Authorization": f"Bearer {tokens['admin']}"},
                             files={"other": ("a.jpg", photo())})
    assert response.status_code == 400 and "'file'" in response.json()["message"]


def test_too_large_is_413_with_the_limit(server, fleet, tokens):
    """A body announced larger than max_upload_mb is answered before it is sent."""
    limit = fleet.settings.max_upload_mb
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.putrequest("POST", "/api/v1/media")
    connection.putheader("Authorization", f"Bearer {tokens['admin']}")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str((limit + 1) * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    assert response.status == 413 and body["error"] == "too_large"
    assert f"{limit} MiB" in body["message"]


def test_list_newest_first_with_paging(server, tokens):
    for i in range(3):
        im = Image.new("RGB", (8 + i, 8), (i * 50, 0, 0))
        out = io.BytesIO()
        im.save(out, "PNG")
        status, _ = upload(server, tokens["admin"], f"square-{i}.png", out.getvalue())
        assert status == 201
    auth = {"Authorization": f"Bearer {tokens['viewer']}"}
    first = requests.get(server.url + "/api/v1/media?kind=image&limit=2", headers=auth,
                         timeout=10).json()
    assert [m["original_name"] for m in first["media"]] == ["square-2.png", "square-1.png"]
    rest = requests.get(server.url + "/api/v1/media", headers=auth, timeout=10,
                        params={"kind": "image", "limit": 2,
                                "before": first["next_before"]}).json()
    assert rest["media"][0]["original_name"] == "square-0.png"
    one = requests.get(server.url + f"/api/v1/media/{rest['media'][0]['sha256']}",
                       headers=auth, timeout=10).json()
    assert one["width"] == 8 and one["original_name"] == "square-0.png"
    videos = requests.get(server.url + "/api/v1/media?kind=video", headers=auth,
                          timeout=10).json()
    assert all(m["kind"] == "video" for m in videos["media"])
    bad = requests.get(server.url + "/api/v1/media?kind=audio", headers=auth, timeout=10)
    assert bad.status_code == 400


def test_an_upload_name_cannot_hide_what_it_is(server, tokens):
    """A right-to-left override would show "gnp.exe" as "exe.png" in the media picker;
    such characters (and C1 controls) are dropped from the name shown."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (12, 10), (200, 30, 30)).save(out, "PNG")
    status, body = upload(server, tokens["media-editor"], "Cố\u202egnp.exe\u0085.png",
                          out.getvalue())
    assert status in (200, 201), body
    assert body["original_name"] == "Cốgnp.exe.png"
