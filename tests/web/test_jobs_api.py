"""Imports and uploads as jobs (controller/jobs/), through a real controller whose job
worker runs in threads, with ``jobs_wait: 0`` so every upload answers 202 at once: the
person follows the job to its end, sees its progress, and gets the answer the
synchronous API gives (the drafts, the stored file) or its refusal in the same words;
nobody else sees the job."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PIL import Image
from sqlalchemy import func, select
from web.helpers import Fleet, make_settings, people_tokens, wait_for

from controller.models import Media

PEOPLE = {"job-editor": ("editor", "culture"), "other-editor": ("editor", "culture")}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    fleet = Fleet(make_settings(tmp_path_factory.mktemp("jobs"), jobs_wait=0)).seed()
    yield fleet
    fleet.close()


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    return {**people_tokens(fleet, PEOPLE), "admin": fleet.users["admin"],
            "viewer": fleet.users["viewer"]}


def jpeg(seed: int, size: tuple[int, int] = (640, 480)) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, "JPEG")
    return out.getvalue()


def bundle(playlist_id: str, photos: int, *, broken: bool = False) -> bytes:
    items = "\n".join(
        f"  - id: photo-{n}\n    type: image\n    duration: 8\n    variants:\n"
        f"      vi: {{title: \"Ảnh {n}\", media: p{n}.jpg}}\n"
        f"      en: {{title: \"Photo {n}\", media: p{n}.jpg}}" for n in range(photos))
    text = (f"id: {playlist_id}\ntitle: {{vi: \"Thư viện\", en: \"Gallery\"}}\n"
            f"agency: culture\nitems:\n{items}\n")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(f"{playlist_id}.yaml", text)
        for n in range(photos):
            data = b"not a photo at all" if broken and n == photos - 1 else jpeg(n)
            archive.writestr(f"media/p{n}.jpg", data)
    return out.getvalue()


def post(server, path: str, token: str, name: str, data: bytes) -> requests.Response:
    return requests.post(f"{server.url}/api/v1{path}", files={"file": (name, data)},
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)


def get(server, path: str, token: str) -> requests.Response:
    return requests.get(f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"},
                        timeout=10)


def follow(server, location: str, token: str) -> tuple[dict[str, Any], list[dict]]:
    """Poll the job until it ends: (the job, every progress seen on the way)."""
    seen: list[dict] = []

    def ended() -> dict | None:
        job = get(server, location, token).json()
        seen.append(job["progress"])
        return job if job["status"] in ("done", "failed") else None

    return wait_for(ended, timeout=60, what="the job to end"), seen


def test_an_import_answers_202_and_the_job_ends_with_the_drafts(server, tokens):
    response = post(server, "/playlists/import", tokens["job-editor"], "gallery.zip",
                    bundle("jobs-gallery", 6))
    assert response.status_code == 202, response.text
    queued = response.json()
    assert response.headers["Location"] == f"/api/v1/jobs/{queued['id']}" == queued["url"]
    assert queued["kind"] == "playlist_import" and queued["status"] in ("queued", "running")
    assert queued["name"] == "gallery.zip" and queued["result"] is None
    job, seen = follow(server, queued["url"], tokens["job-editor"])
    assert job["status"] == "done", job
    assert job["result_status"] == 201 and job["error"] is None
    assert job["created_by"] == "job-editor" and job["finished_at"]
    assert job["progress"]["done"] == job["progress"]["total"] == 6
    assert all(p["done"] <= p["total"] or p["total"] == 0 for p in seen)
    result = job["result"]
    assert result["created"] == 1
    [playlist] = result["playlists"]
    assert playlist["id"] == "jobs-gallery" and playlist["working"]["state"] == "draft"
    assert playlist["versions"][0]["created_by"] == "job-editor"
    drafted = get(server, "/api/v1/playlists/jobs-gallery/versions/1", tokens["job-editor"])
    assert drafted.status_code == 200 and len(drafted.json()["items"]) == 6


def media_rows(fleet) -> int:
    with fleet.sessions() as session:
        return session.scalar(select(func.count()).select_from(Media))


def test_a_refused_import_is_a_failed_job_with_the_same_message(server, fleet, tokens):
    before = media_rows(fleet)
    response = post(server, "/playlists/import", tokens["job-editor"], "broken.zip",
                    bundle("jobs-broken", 3, broken=True))
    assert response.status_code == 202, response.text
    job, _ = follow(server, response.json()["url"], tokens["job-editor"])
    assert job["status"] == "failed" and job["result"] is None
    assert job["error"]["status"] == 422 and job["error"]["error"] == "unprocessable"
    assert job["error"]["message"].startswith("broken.zip/jobs-broken.yaml")
    assert "'p2.jpg'" in job["error"]["message"] and "/tmp" not in job["error"]["message"]
    assert get(server, "/api/v1/playlists/jobs-broken",
               tokens["job-editor"]).status_code == 404
    assert media_rows(fleet) == before  # refused while checking: nothing stored
    leftovers = list((fleet.settings.data_dir / "tmp").glob("job-*"))
    assert leftovers == [], leftovers  # the work folder went with the job


def test_an_unsafe_upload_is_a_failed_job_answering_400(server, tokens):
    response = post(server, "/playlists/import", tokens["job-editor"], "notes.txt",
                    b"hello")
    job, _ = follow(server, response.json()["url"], tokens["job-editor"])
    assert job["error"]["status"] == 400 and "'notes.txt'" in job["error"]["message"]


def test_a_media_upload_job_ends_with_the_stored_file(server, tokens):
    response = post(server, "/media", tokens["job-editor"], "hue.jpg", jpeg(99))
    assert response.status_code == 202, response.text
    job, _ = follow(server, response.json()["url"], tokens["job-editor"])
    assert job["status"] == "done" and job["result_status"] == 201, job
    media = job["result"]
    assert media["kind"] == "image" and media["original_name"] == "hue.jpg"
    assert not media["existing"]
    stored = get(server, f"/api/v1/media/{media['sha256']}", tokens["job-editor"])
    assert stored.status_code == 200
    response = post(server, "/media", tokens["job-editor"], "fake.jpg", b"GIF89a" + b"0" * 50)
    job, _ = follow(server, response.json()["url"], tokens["job-editor"])
    assert job["status"] == "failed" and job["error"]["status"] == 422
    assert job["error"]["message"].startswith("'fake.jpg' is a GIF") or (
        "fake.jpg" in job["error"]["message"]), job


def test_only_its_creator_and_admins_see_a_job(server, tokens):
    response = post(server, "/media", tokens["job-editor"], "mine.jpg", jpeg(7))
    url = response.json()["url"]
    follow(server, url, tokens["job-editor"])
    for who in ("other-editor", "viewer"):
        refused = get(server, url, tokens[who])
        assert refused.status_code == 404, refused.text
        assert refused.json()["error"] == "not_found"
        listed = get(server, "/api/v1/jobs", tokens[who]).json()["jobs"]
        assert url not in [j["url"] for j in listed]
    assert get(server, url, tokens["admin"]).status_code == 200
    mine = get(server, "/api/v1/jobs?limit=100", tokens["job-editor"]).json()["jobs"]
    assert url in [j["url"] for j in mine]
    assert all(j["created_by"] == "job-editor" for j in mine)
    everyone = get(server, "/api/v1/jobs?limit=100", tokens["admin"]).json()["jobs"]
    assert url in [j["url"] for j in everyone]
    assert get(server, "/api/v1/jobs?limit=0", tokens["admin"]).status_code == 400
    assert get(server, "/api/v1/jobs?state=x", tokens["admin"]).status_code == 400
