"""Refusals of playlist files, media files and jobs said in the caller's language
(issue 12, point 12): a refused import or media upload answers in Vietnamese with
``Accept-Language: vi`` and in today's English without it, and so does its failed job
read back from ``GET /api/v1/jobs/<id>`` (the job keeps the refusal's template and
parameters, ``jobs.error_refusal``); a job row without them, or with a corrupt value,
keeps its English text. The guards over the catalogue and the ``CONVERTED`` list are
in test_refusal_language.py."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import requests
from sqlalchemy import update
from web.helpers import DEADLINE, people_tokens
from web.test_refusal_language import both

from controller.jobs import records
from controller.models import Job

PEOPLE = {"files-editor": ("editor", "culture")}
VI = "vi-VN,vi;q=0.9,en;q=0.5"
PLAYLIST = ("id: files-news\ntitle: {vi: Tin, en: News}\nagency: culture\nitems:\n"
            "  - id: photo\n    type: image\n    duration: 8\n    variants:\n"
            "      vi: {title: Ảnh, media: p.jpg}\n      en: {title: Photo, media: p.jpg}\n")


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    return people_tokens(fleet, PEOPLE)


def upload(server, path: str, token: str, name: str, data: bytes,
           language: str | None = None) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    if language:
        headers["Accept-Language"] = language
    response = requests.post(f"{server.url}/api/v1{path}", files={"file": (name, data)},
                             headers=headers, timeout=60)
    return response.status_code, response.json()


def both_uploads(server, path: str, token: str, name: str, data: bytes,
                 ) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """The same refused upload without Accept-Language and with ``vi`` (each its own
    job, whose refusal the request waited for and read back from the job's row)."""
    status, en = upload(server, path, token, name, data)
    status_vi, vi = upload(server, path, token, name, data, VI)
    assert status == status_vi >= 400, (en, vi)
    assert set(en) == {"error", "message"} and vi["message_en"] == en["message"], (en, vi)
    assert vi["message"] != en["message"], f"not translated: {vi['message']}"
    return status, en, vi


def latest_job(server, token: str, language: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    if language:
        headers["Accept-Language"] = language
    jobs = requests.get(f"{server.url}/api/v1/jobs?limit=1", headers=headers,
                        timeout=DEADLINE).json()["jobs"]
    return requests.get(server.url + jobs[0]["url"], headers=headers,
                        timeout=DEADLINE).json()


def bundle(photo: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("files-news.yaml", PLAYLIST)
        archive.writestr("media/p.jpg", photo)
    return out.getvalue()


def test_a_refused_import_and_its_failed_job_in_vietnamese(server, tokens):
    editor = tokens["files-editor"]
    status, en, vi = both_uploads(server, "/playlists/import", editor, "broken.zip",
                                  bundle(b"not a photo at all"))
    assert status == 422 and en["message"] == (
        "broken.zip/files-news.yaml, line 9: item 'photo', variant 'vi': media 'p.jpg' is "
        "not a JPEG, PNG, WebP, GIF, MP4 or WebM file, nor a HEIC photo (judged by its "
        "content, not its name).")
    assert vi["message"] == (
        "broken.zip/files-news.yaml, dòng 9: mục 'photo', bản ngôn ngữ 'vi': media 'p.jpg' "
        "không phải là tệp JPEG, PNG, WebP, GIF, MP4 hay WebM, cũng không phải ảnh HEIC "
        "(xét theo nội dung, không theo tên tệp).")
    # the failed job, read back: Vietnamese for a vi reader, English without the header
    job = latest_job(server, editor, VI)
    assert job["status"] == "failed" and job["kind"] == "playlist_import"
    assert job["error"] == {"status": 422, "error": "unprocessable",
                            "message": vi["message"], "message_en": en["message"]}
    assert latest_job(server, editor)["error"] == {
        "status": 422, "error": "unprocessable", "message": en["message"]}


def test_an_unsafe_playlist_upload_in_vietnamese(server, tokens):
    editor = tokens["files-editor"]
    status, en, vi = both_uploads(server, "/playlists/import", editor, "notes.txt", b"hi")
    assert status == 400 and en["message"] == (
        "'notes.txt': upload a playlist .yaml/.yml file or a .zip as export produces.")
    assert vi["message"] == ("'notes.txt': hãy tải lên tệp danh sách phát .yaml/.yml hoặc "
                             "tệp .zip như bản xuất tạo ra.")
    status, en, vi = both_uploads(server, "/playlists/import", editor, "empty.zip",
                                  b"PK\x05\x06" + b"\0" * 18)
    assert status == 400 and en["message"] == (
        "'empty.zip' must hold exactly one .yaml file at the top level; found 0.")
    assert vi["message"] == ("'empty.zip' phải chứa đúng một tệp .yaml ở cấp ngoài cùng; "
                             "không tìm thấy tệp nào.")


def test_a_refused_media_upload_in_vietnamese(server, tokens):
    editor = tokens["files-editor"]
    status, en, vi = both_uploads(server, "/media", editor, "fake.jpg",
                                  b"GIF89a" + b"0" * 50)
    assert status == 422 and en["message"].startswith(
        "'fake.jpg' is a GIF file by its content but its name says otherwise (.jpg): "
        "refused as mislabelled. It is really a GIF image;")
    assert vi["message"] == (
        "Theo nội dung, 'fake.jpg' là tệp GIF nhưng tên tệp lại cho biết kiểu khác (.jpg): "
        "bị từ chối vì ghi sai kiểu. Đây thực sự là ảnh GIF; nếu bạn muốn gửi đúng tệp "
        "này, hãy đổi tên cho có đuôi .gif.")
    job = latest_job(server, editor, VI)
    assert job["kind"] == "media_upload" and job["error"]["message"] == vi["message"]
    status, en, vi = both_uploads(server, "/media", editor, "archive.png",
                                  b"PK\x03\x04" + b"0" * 40)
    assert status == 422 and en["message"] == (
        "'archive.png' is not a JPEG, PNG, WebP, GIF, MP4 or WebM file, nor a HEIC photo "
        "(judged by its content, not its name); it looks like a ZIP archive.")
    assert vi["message"].endswith("(xét theo nội dung, không theo tên tệp); có vẻ đây là "
                                  "tệp nén ZIP.")
    # the decoders' sentences (controller/media/images.py, gif.py, video.py)
    status, en, vi = both_uploads(server, "/media", editor, "cut.png",
                                  b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    assert status == 422 and en["message"] == (
        "'cut.png' is damaged or cut short: its PNG structure ends too early. Upload the "
        "complete file.")
    assert vi["message"] == ("'cut.png' bị hỏng hoặc bị cắt cụt: cấu trúc PNG của tệp kết "
                             "thúc quá sớm. Hãy tải lên tệp đầy đủ.")


def test_playlist_export_and_media_file_refusals_in_vietnamese(server, tokens):
    editor = tokens["files-editor"]
    playlist = "files-export"
    assert requests.post(f"{server.url}/api/v1/playlists", timeout=DEADLINE, json={
        "id": playlist, "title": {"vi": "Xuất", "en": "Export"},
        "items": [{"id": "one", "type": "text", "duration": 8, "variants": {
            "vi": {"title": "Một"}, "en": {"title": "One"}}}]},
        headers={"Authorization": f"Bearer {editor}"}).status_code == 201
    status, en, vi = both(server, "GET", f"/api/v1/playlists/{playlist}/export?format=pdf",
                          editor)
    assert status == 400 and en["message"] == "Unknown format 'pdf'; use zip (default) or yaml."
    assert vi["message"] == "Định dạng 'pdf' không hợp lệ; hãy dùng zip (mặc định) hoặc yaml."
    status, en, vi = both(server, "GET", f"/api/v1/playlists/{playlist}/export?version=7",
                          editor)
    assert status == 404 and en["message"] == (
        "Playlist 'files-export' has no version 7 (versions: 1).")
    assert vi["message"] == ("Danh sách phát 'files-export' không có phiên bản 7 (các phiên "
                             "bản: 1).")
    status, en, vi = both(server, "GET", "/media/not-a-hash", editor)
    assert status == 400 and vi["message"] == (
        "Tên tệp đa phương tiện là một SHA-256: 64 chữ số thập lục phân viết thường.")
    status, en, vi = both(server, "GET", "/media/" + "0" * 64, None)
    assert status == 401 and en["message"] == (
        "Missing credential: send 'Authorization: Bearer <screen token>'.")
    assert vi["message"] == ("Thiếu thông tin xác thực: hãy gửi 'Authorization: Bearer "
                             "<mã màn hình>'.")


def test_a_job_row_without_a_readable_refusal_keeps_its_text(fleet, server, tokens):
    """Rows failed before the column existed, and corrupt values, answer their text."""
    editor = tokens["files-editor"]
    upload(server, "/media", editor, "empty.jpg", b"")
    job_id = latest_job(server, editor)["id"]
    english = "'empty.jpg' is an empty file (0 bytes)."
    said = latest_job(server, editor, VI)["error"]["message"]
    assert said == "'empty.jpg' là tệp rỗng (0 byte)."
    corrupt = [None, "text", {"template": "%(missing)s"}, {"template": 5, "params": []},
               {"template": "Something else entirely."},
               {"template": "%(name)s is an empty file (0 bytes).", "params": {"name": [1]}}]
    for value in corrupt:
        with fleet.sessions() as session:
            session.execute(update(Job).where(Job.id == job_id).values(error_refusal=value))
            session.commit()
        error = latest_job(server, editor, VI)["error"]
        assert error["message"] == error["message_en"] == english, value


def test_only_a_refusal_that_reads_back_as_its_text_is_stored():
    from controller.refusals import refusal

    said = refusal("%(name)s is an empty file (0 bytes).", name="'a.png'")
    assert records.stored_refusal(said) == said.as_json()
    assert records.stored_refusal("plain text") is None
    assert records.stored_refusal(refusal("%(x)s", x=("a", "b"))) is None  # a list in JSON
    job = Job(error_message=str(said), error_refusal={"template": "%(name)s is an empty "
              "file (0 bytes).", "params": {"name": "'a.png'"}, "verbatim": False})
    assert records.refusal_of(job).said_in("vi") == "'a.png' là tệp rỗng (0 byte)."


def test_an_import_refusal_names_the_upload_not_the_server_path(tmp_path):
    from controller.content.yamlfile import YamlError
    from controller.jobs.playlist_import import describe
    from controller.refusals import refusal, say

    media = tmp_path / "unpacked" / "media"
    reason = refusal("media file %(name)r not found in %(folder)s", name="p.jpg",
                     folder=str(media))
    said = describe(YamlError(tmp_path / "unpacked" / "x.yaml", 7, reason), "up.zip/x.yaml",
                    tmp_path / "unpacked", media)
    assert said == ("up.zip/x.yaml, line 7: media file 'p.jpg' not found in the upload's "
                    "media/ folder")
    assert say(said, "vi") == ("up.zip/x.yaml, dòng 7: không tìm thấy tệp đa phương tiện "
                               "'p.jpg' trong thư mục media/ của tệp tải lên")
    assert str(tmp_path) not in say(said, "vi")
