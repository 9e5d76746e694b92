"""Playlist files over HTTP through real controllers: export as zip or YAML, import an
upload as drafts (never approved), the export → import round trip into a second
controller, and hostile uploads refused with nothing stored."""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from sqlalchemy import func, select
from support.zips import make_zip, playlist_yaml
from web.helpers import Fleet, make_settings

from controller.auth.tokens import issue_user_token
from controller.auth.users import add_user
from controller.models import AuditEntry, Media, Playlist, PlaylistVersion
from controller.server import ControllerServer


def _png() -> bytes:
    """A real PNG of noise (decoded whole by the store's intake, so it must be valid)."""
    out = io.BytesIO()
    Image.frombytes("RGB", (32, 32), os.urandom(32 * 32 * 3)).save(out, "PNG")
    return out.getvalue()


PNG = _png()


def users(fleet: Fleet) -> dict[str, str]:
    out = {role: fleet.users[role] for role in ("admin", "viewer", "technician")}
    with fleet.sessions() as session:
        for name, role, agency in (("culture-editor", "editor", "culture"),
                                   ("dic-approver", "approver", "dic")):
            add_user(session, name, role, password="correct horse battery", agency=agency)
            session.flush()
            out[name] = issue_user_token(session, name)
        session.commit()
    return out


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    return users(fleet)


@pytest.fixture(scope="module")
def gallery(fleet, server, tokens, tmp_path_factory) -> str:
    """A culture draft with an image stored earlier (as an upload would have)."""
    src = tmp_path_factory.mktemp("upload") / "gallery-photo.png"
    src.write_bytes(PNG)
    with fleet.sessions() as session:
        sha = fleet.store.put_file(session, src, "gallery-photo.png", "image/png",
                                   "image").sha256
        session.commit()
    body = {"id": "culture-gallery", "title": {"vi": "Thư viện ảnh", "en": "Gallery"},
            "themes": ["heritage"], "items": [
                {"id": "photo", "type": "image", "duration": 10, "variants": {
                    "vi": {"title": "Ảnh", "media": sha}, "en": {"title": "Photo", "media": sha}}},
                {"id": "note", "type": "text", "duration": 5, "variants": {
                    "vi": {"title": "Ghi chú", "body": "Dòng 1\nDòng 2"},
                    "en": {"title": "Note"}}}]}
    response = requests.post(f"{server.url}/api/v1/playlists", json=body, timeout=10,
                             headers={"Authorization": f"Bearer {tokens['culture-editor']}"})
    assert response.status_code == 201, response.text
    return sha


@pytest.fixture(scope="module")
def other(tmp_path_factory) -> Iterator[tuple[Fleet, ControllerServer, dict[str, str]]]:
    fleet = Fleet(make_settings(tmp_path_factory.mktemp("second"))).seed()
    running = ControllerServer(fleet.settings).start()
    yield fleet, running, users(fleet)
    running.stop()
    fleet.close()


def get(server, path: str, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(server.url + "/api/v1" + path, headers=headers, timeout=10)


def upload(server, token: str | None, name: str, content: bytes,
           field: str = "file") -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.post(server.url + "/api/v1/playlists/import", headers=headers,
                             files={field: (name, content)}, timeout=30)
    return response.status_code, response.json()


def snapshot(fleet: Fleet) -> tuple[int, ...]:
    with fleet.sessions() as session:
        counts = tuple(session.scalar(select(func.count()).select_from(table))
                       for table in (Playlist, PlaylistVersion, AuditEntry, Media))
    files = sum(1 for p in Path(fleet.store.root).rglob("*") if p.is_file())
    return (*counts, files)


def exported_zip(server, token: str, playlist: str) -> bytes:
    response = get(server, f"/playlists/{playlist}/export", token)
    assert response.status_code == 200, response.text
    return response.content


def test_export_as_zip_and_as_yaml(server, tokens, gallery):
    response = get(server, "/playlists/culture-gallery/export?version=1", tokens["viewer"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment")
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        assert sorted(bundle.namelist()) == ["culture-gallery.yaml",
                                             "media/gallery-photo.png"]
        assert bundle.read("media/gallery-photo.png") == PNG
        text = bundle.read("culture-gallery.yaml").decode("utf-8")
    assert "agency: culture" in text and "themes: [heritage]" in text
    assert "media: gallery-photo.png" in text
    response = get(server, "/playlists/culture-gallery/export?format=yaml", tokens["viewer"])
    assert response.headers["Content-Type"] == "application/yaml; charset=utf-8"
    assert response.text.split("\n", 1)[1] == text.split("\n", 1)[1]  # header has the time
    assert get(server, "/playlists/culture-gallery/export?version=7",
               tokens["viewer"]).status_code == 404
    assert get(server, "/playlists/culture-gallery/export?format=pdf",
               tokens["viewer"]).status_code == 400
    assert get(server, "/playlists/culture-gallery/export", None).status_code == 401


def test_round_trip_into_a_second_controller(server, fleet, tokens, gallery, other):
    with fleet.sessions() as session:
        original = session.execute(select(PlaylistVersion).where(
            PlaylistVersion.playlist_id == "culture-gallery")).scalar_one().content_hash
    bundle = exported_zip(server, tokens["culture-editor"], "culture-gallery")
    fleet2, server2, tokens2 = other
    assert not fleet2.store.exists(gallery)
    status, body = upload(server2, tokens2["culture-editor"], "culture-gallery.zip", bundle)
    assert status == 201, body
    assert body["created"] == 1
    [playlist] = body["playlists"]
    assert playlist["on_air"] is None and playlist["working"]["state"] == "draft"
    assert playlist["versions"][0]["content_hash"] == original
    assert playlist["versions"][0]["created_by"] == "culture-editor"
    assert fleet2.store.exists(gallery)
    with fleet2.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.object_id == "culture-gallery")).one()
        assert (entry.action, entry.actor) == ("playlist.create", "culture-editor")
    # the same upload again changes nothing
    status, body = upload(server2, tokens2["culture-editor"], "culture-gallery.zip", bundle)
    assert status == 200 and body["unchanged"] == 1


def test_an_import_of_an_approved_playlist_is_only_a_draft(other):
    fleet2, server2, tokens2 = other
    text = get(server2, "/playlists/festival-hue-2025/export?format=yaml",
               tokens2["viewer"]).text
    assert '"The Huế Imperial City"' in text
    changed = text.replace('"The Huế Imperial City"', '"The Imperial City of Huế"')
    status, body = upload(server2, tokens2["culture-editor"], "festival.yaml",
                          changed.encode("utf-8"))
    assert status == 200, body
    [playlist] = body["playlists"]
    assert playlist["on_air"] == 1 and playlist["working"]["state"] == "draft"
    assert playlist["working"]["number"] == 2


def test_a_yaml_upload_with_an_error_names_the_file_and_line(server, fleet, tokens,
                                                           gallery):
    before = snapshot(fleet)
    text = get(server, "/playlists/culture-gallery/export?format=yaml",
               tokens["viewer"]).text
    bad = text.replace("duration: 10", "duration: ten")
    status, body = upload(server, tokens["culture-editor"], "my gallery.yaml",
                          bad.encode("utf-8"))
    assert status == 422
    line = bad.splitlines().index(next(x for x in bad.splitlines() if "ten" in x)) + 1
    assert body["message"].startswith(f"my gallery.yaml, line {line}: ")
    assert "'duration' must be a number" in body["message"]
    assert "/tmp" not in body["message"] and "pano-upload" not in body["message"]
    status, body = upload(server, tokens["culture-editor"], "g.yaml",
                          text.replace("gallery-photo.png", "missing.png").encode())
    assert status == 422 and "g.yaml, line" in body["message"]
    assert "'missing.png'" in body["message"] and "/tmp" not in body["message"]
    status, body = upload(server, tokens["culture-editor"], "big.yaml",
                          b"# " + b"x" * (1024 * 1024 + 10))
    assert status == 422 and "larger than 1024 KiB" in body["message"]
    assert snapshot(fleet) == before


def test_only_editors_and_admins_import(server, fleet, tokens, gallery):
    before = snapshot(fleet)
    assert upload(server, None, "x.yaml", b"id: x")[0] == 401
    for role in ("viewer", "technician", "dic-approver"):
        status, body = upload(server, tokens[role], "x.yaml", b"id: x")
        assert status == 403, body
    status, body = upload(server, tokens["culture-editor"], "x.yaml", b"id: x",
                          field="document")
    assert status == 400 and "'file'" in body["message"]
    status, body = upload(server, tokens["culture-editor"], "x.pdf", b"%PDF")
    assert status == 400 and ".zip" in body["message"]
    assert snapshot(fleet) == before


def _symlink() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("media/link.png")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


YAML = b'id: evil\ntitle: {vi: "a", en: "b"}\nitems: []\n'
HOSTILE = {
    "traversal": (make_zip([("evil.yaml", YAML), ("media/../../evil.png", PNG)]), "'..'"),
    "traversal-yaml": (make_zip([("../evil.yaml", YAML)]), "'..'"),
    "absolute": (make_zip([("evil.yaml", YAML), ("/etc/evil.png", PNG)]), "absolute"),
    "nested": (make_zip([("evil.yaml", YAML), ("media/sub/evil.png", PNG)]),
               "unexpected entry"),
    "bomb": (make_zip([("evil.yaml", YAML), ("media/bomb.png", b"\0" * (20 << 20))]),
             "zip bomb"),
    "two-yamls": (make_zip([("a.yaml", YAML), ("b.yaml", YAML)]), "exactly one .yaml"),
    "no-yaml": (make_zip([("media/a.png", PNG)]), "exactly one .yaml"),
    "symlink": (make_zip([("evil.yaml", YAML), (_symlink(), b"/etc/passwd")]),
                "symbolic link"),
    "not-a-zip": (b"PK\x03\x04 this is not really a zip" + os.urandom(100), "not a readable"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_zips_are_refused_and_nothing_is_stored(server, fleet, tokens, gallery,
                                                        case):
    content, fragment = HOSTILE[case]
    before = snapshot(fleet)
    status, body = upload(server, tokens["culture-editor"], f"{case}.zip", content)
    assert status == 400, body
    assert fragment in body["message"], body["message"]
    assert snapshot(fleet) == before


def test_duplicate_names_in_a_zip_are_refused(server, fleet, tokens, gallery):
    before = snapshot(fleet)
    out = io.BytesIO()
    with pytest.warns(UserWarning), zipfile.ZipFile(out, "w") as bundle:
        bundle.writestr("evil.yaml", YAML)
        bundle.writestr("media/a.png", PNG)
        bundle.writestr("media/a.png", PNG + b"other")
    status, body = upload(server, tokens["culture-editor"], "dup.zip", out.getvalue())
    assert status == 400 and "twice" in body["message"]
    assert snapshot(fleet) == before


def test_a_zip_with_an_invalid_playlist_is_422_naming_the_entry(server, fleet, tokens):
    before = snapshot(fleet)
    status, body = upload(server, tokens["culture-editor"], "upload.zip",
                          make_zip([("evil.yaml", YAML), ("media/a.png", PNG)]))
    assert status == 422
    assert body["message"].startswith("upload.zip/evil.yaml, line 3: ")
    assert "must not be an empty list" in body["message"]
    assert snapshot(fleet) == before
    assert json.dumps(body).count("/tmp") == 0


def test_a_bundles_pictures_have_the_uploads_pixel_limit(tmp_path_factory):
    """The controller's max_image_pixels applies to the pictures of an imported bundle
    as to an upload (it was the library's default there)."""
    fleet = Fleet(make_settings(tmp_path_factory.mktemp("pixels"),
                                max_image_pixels=1_000_000)).seed()
    running = ControllerServer(fleet.settings).start()
    try:
        people = users(fleet)
        wide = io.BytesIO()
        Image.new("RGB", (1100, 1000), (20, 90, 160)).save(wide, "PNG")  # 1.1 megapixels
        content = make_zip([("gallery.yaml", playlist_yaml("photo.png", agency="culture")),
                            ("media/photo.png", wide.getvalue())])
        status, body = upload(running, people["culture-editor"], "gallery.zip", content)
        assert status == 422, body
        assert "photo.png" in body["message"] and "pixel" in body["message"], body
    finally:
        running.stop()
        fleet.close()
