"""API refusals are said in the caller's language (issue 12, point 12).

Three guards, each failing on an untranslated refusal:

- every ``refusal("…")`` template in the controller has its Vietnamese, with the same
  placeholders, and the compiled catalogue is current;
- in the areas already converted (``CONVERTED``), no refusal is raised with a bare
  English string or f-string (it would reach Vietnamese staff in English);
- over real HTTP, typical refusals (validation 400/422, permission 403, not found 404,
  review conflict 409, a too-long text, an unknown route) come back in Vietnamese with
  ``Accept-Language: vi`` (and their English in ``message_en``), and exactly as before
  in English without the header; the player routes answer screens in English."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import requests
from web.helpers import DEADLINE, people_tokens

from controller.content.playlists_import import DirectoryMedia, parse_playlist
from controller.content.yamlfile import YamlError
from controller.refusals import catalog, say

ROOT = Path(__file__).resolve().parents[2] / "controller"
# The areas whose refusals are all marked; a new area joins the list when converted.
CONVERTED = [
    "api/errors.py", "api/user_auth.py", "api/playlists.py", "api/playlist_review.py",
    "review/workflow.py", "review/permissions.py", "review/fit.py",
    "content/completeness.py", "content/yamlfile.py", "content/items_json.py",
    "content/playlists_import.py",
    "api/audit.py", "api/reports.py", "reports/filters.py", "reports/records.py",
    "reports/access.py",
    "api/schedules.py", "api/schedule_week.py", "content/schedules_import.py",
    "api/emergencies.py", "emergencies/request.py", "emergencies/store.py",
    "api/users.py", "api/agencies.py", "review/agencies.py",
    "api/screens.py", "api/screen_commands.py", "api/sites.py",
    "api/media.py", "api/media_thumbnails.py",
    "emergencies/fit.py", "auth/users.py", "players/commands.py", "api/qr.py",
    "api/preview.py", "content/sites_import.py", "content/text_rule.py", "languages.py",
    "qr/allowlist.py",
    "api/jobs.py", "jobs/records.py", "jobs/runner.py", "jobs/playlist_import.py",
    "jobs/media_upload.py", "api/playlist_files.py", "content/playlist_bundle.py",
    "content/playlists_write.py", "media/routes.py", "media/ingest.py",
    "media/images.py", "media/gif.py", "media/video.py",
]
# Calls whose message argument reaches a person through the API.
REFUSING = {"ApiError", "ReviewError", "YamlError", "JobRefused", "EmergencyRefused",
            "UserRefused", "fail", "fail_item", "error_response", "ValueError",
            "CommandRefused", "IngestRefused", "BundleRefused", "LookupError",
            "ImageRefused", "VideoRefused"}
PEOPLE = {"lang-editor": ("editor", "culture"), "lang-approver": ("approver", "dic"),
          "lang-tourism": ("approver", "tourism")}


def test_every_refusal_template_has_its_vietnamese_and_is_compiled():
    problems = catalog.problems()
    assert not problems, "\n".join(problems)


def test_the_check_notices_an_untranslated_refusal(tmp_path, monkeypatch):
    source = tmp_path / "controller"
    (source / "demo").mkdir(parents=True)
    (source / "demo" / "rule.py").write_text(
        'from controller.refusals import refusal\n'
        'def check():\n    raise ValueError(refusal("Nobody translated %(what)s.", what=1))\n',
        encoding="utf-8")
    monkeypatch.setattr(catalog, "SOURCE", source)
    found = catalog.problems()
    assert any("no Vietnamese for 'Nobody translated %(what)s.'" in p for p in found), found


def _bare_messages(path: Path) -> list[str]:
    """``file:line`` of every refusing call given a plain string, f-string or
    concatenation instead of a ``refusal(…)``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else (
            node.func.attr if isinstance(node.func, ast.Attribute) else "")
        if name not in REFUSING:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(arg, ast.JoinedStr | ast.BinOp) or (
                    isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                    and " " in arg.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_converted_areas_raise_no_bare_english_refusal():
    bare = [hit for rel in CONVERTED for hit in _bare_messages(ROOT / rel)]
    assert not bare, "refusals not marked with refusal(…): " + ", ".join(bare)


def test_a_yaml_refusal_keeps_its_file_and_line_in_both_languages(tmp_path):
    path = tmp_path / "news.yaml"
    path.write_text("id: news\ntitle: {vi: Tin, en: News}\nitems:\n  - id: one\n"
                    "    type: text\n    duration: 99999\n"
                    "    variants: {vi: {title: A}, en: {title: B}}\n", encoding="utf-8")
    with pytest.raises(YamlError) as refused:
        parse_playlist(path, DirectoryMedia(tmp_path))
    english = str(refused.value)
    assert english.startswith(f"{path}, line 6: item 'one': 'duration' must be between ")
    said = say(english, "vi")
    assert said.startswith(f"{path}, dòng 6: mục 'one': 'duration' phải nằm trong khoảng ")
    assert said.endswith("nhận được 99999")


# --------------------------------------------------------------------------- over HTTP

@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    return people_tokens(fleet, PEOPLE)


def ask(server, method: str, path: str, token: str | None, body: Any = None,
        language: str | None = None) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if language:
        headers["Accept-Language"] = language
    response = requests.request(method, server.url + path, json=body, headers=headers,
                                timeout=DEADLINE)
    return response.status_code, response.json()


def both(server, method: str, path: str, token: str | None, body: Any = None,
         ) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """The same refused request without Accept-Language and with ``vi``: the English
    answer is the same sentence as the Vietnamese answer's ``message_en``."""
    status, en = ask(server, method, path, token, body)
    status_vi, vi = ask(server, method, path, token, body, "vi-VN,vi;q=0.9,en;q=0.5")
    assert status == status_vi >= 400, (en, vi)
    assert set(en) == {"error", "message"}, en
    assert set(vi) == {"error", "message", "message_en"}, vi
    assert vi["error"] == en["error"] and vi["message_en"] == en["message"]
    assert vi["message"] != en["message"], f"not translated: {vi['message']}"
    return status, en, vi


def text_item(item_id: str, title: str) -> dict[str, Any]:
    return {"id": item_id, "type": "text", "duration": 8,
            "variants": {"vi": {"title": "Tiêu đề"}, "en": {"title": title}}}


def test_typical_refusals_in_vietnamese_and_english(server, tokens):
    editor, approver = tokens["lang-editor"], tokens["lang-approver"]
    status, body = ask(server, "POST", "/api/v1/playlists", editor, {
        "id": "lang-news", "title": {"vi": "Tin", "en": "News"},
        "items": [text_item("one", "One")]})
    assert status == 201, body

    # validation (400)
    status, en, vi = both(server, "GET", "/api/v1/playlists?state=nonsense", editor)
    assert status == 400 and en["message"].startswith("Unknown state 'nonsense'; use one of")
    assert vi["message"].startswith("Trạng thái 'nonsense' không hợp lệ")
    # permission (403): a viewer's role, and the editor approving
    status, en, vi = both(server, "POST", "/api/v1/playlists/lang-news/versions/1/approve",
                          editor)
    assert status == 403 and en["message"] == (
        "Role 'editor' may not use this route (allowed: approver).")
    assert vi["message"] == ("Vai trò 'editor' không được dùng đường dẫn này (được phép: "
                             "approver).")
    # not found (404)
    status, en, vi = both(server, "GET", "/api/v1/playlists/no-such-list", editor)
    assert status == 404 and en["message"] == "No playlist 'no-such-list'."
    assert vi["message"] == "Không có danh sách phát 'no-such-list'."
    # review conflict (409): withdrawing a draft, then editing while in review
    status, en, vi = both(server, "POST", "/api/v1/playlists/lang-news/versions/1/withdraw",
                          editor)
    assert status == 409 and en["message"] == (
        "Cannot withdraw version 1 of 'lang-news': it is a draft, not in review.")
    assert vi["message"] == ("Không thể rút lại phiên bản 1 của 'lang-news': phiên bản này "
                             "đang ở trạng thái bản nháp, không phải chờ duyệt.")
    assert ask(server, "POST", "/api/v1/playlists/lang-news/versions/1/submit",
               editor)[0] == 200
    status, en, vi = both(server, "PUT", "/api/v1/playlists/lang-news/draft", editor,
                          {"items": [text_item("one", "Changed")]})
    assert status == 409 and "is in review; withdraw it" in en["message"]
    assert "đang chờ duyệt; hãy rút lại" in vi["message"]
    # a too-long text (422)
    status, en, vi = both(server, "POST", "/api/v1/playlists/lang-news/versions/1/reject",
                          approver, {"reason": "x" * 2001})
    assert status == 422 and en["message"] == (
        "The reason is too long (at most 2000 characters).")
    assert vi["message"] == "Lý do quá dài (tối đa 2000 ký tự)."
    # a too-long title in a new playlist's items (422), naming the item and the language
    status, en, vi = both(server, "POST", "/api/v1/playlists", editor, {
        "id": "lang-long", "title": {"vi": "Dài", "en": "Long"},
        "items": [text_item("two", "x" * 500)]})
    assert status == 422 and en["message"].startswith(
        "item 'two', variant 'en': 'title' is longer than")
    assert vi["message"].startswith("mục 'two', bản ngôn ngữ 'en': 'title' dài quá")
    # an unknown route (404) and a missing credential (401)
    status, en, vi = both(server, "GET", "/api/v1/nowhere", editor)
    assert vi["message"] == "Không có đường dẫn này: GET /api/v1/nowhere."
    status, en, vi = both(server, "GET", "/api/v1/playlists", None)
    assert status == 401 and vi["message"].startswith("Thiếu thông tin xác thực")


def test_audit_and_report_refusals_in_vietnamese(server, tokens):
    editor, approver = tokens["lang-editor"], tokens["lang-approver"]
    status, en, vi = both(server, "GET", "/api/v1/audit?limit=0", approver)
    assert status == 400 and en["message"] == (
        "'limit' must be a whole number from 1 to 500, got '0'.")
    assert vi["message"] == "'limit' phải là số nguyên từ 1 đến 500, nhận được '0'."
    status, en, vi = both(server, "GET", "/api/v1/audit?agency=dic", tokens["lang-tourism"])
    assert status == 403 and "reads only the entries of agency 'tourism'" in en["message"]
    assert "chỉ được xem các mục nhật ký của cơ quan 'tourism'" in vi["message"]
    status, en, vi = both(server, "GET", "/api/v1/reports/plays?from=2026-05-02&to=2026-05-01",
                          editor)
    assert status == 400 and vi["message"] == (
        "'from' 2026-05-02 sau 'to' 2026-05-01: hãy đổi chỗ hai ngày.")


def test_english_is_chosen_by_the_header_and_is_the_default(server, tokens):
    path = "/api/v1/playlists/no-such-list"
    for language in (None, "en", "en-GB,en;q=0.9", "fr", "vi;q=0.1, en"):
        status, body = ask(server, "GET", path, tokens["lang-editor"], language=language)
        assert (status, body) == (404, {"error": "not_found",
                                        "message": "No playlist 'no-such-list'."}), language


def test_player_routes_answer_screens_in_english(server):
    status, body = ask(server, "GET", "/api/v1/player/timeline", "pst_wrong", language="vi")
    assert status == 401 and set(body) == {"error", "message"}
    assert body["message"].isascii(), body


def test_schedule_refusals_in_vietnamese(server, tokens):
    editor = tokens["lang-editor"]
    status, en, vi = both(server, "GET", "/api/v1/schedules/no-such-schedule", editor)
    assert status == 404 and en["message"] == "No schedule 'no-such-schedule'."
    assert vi["message"] == "Không có lịch 'no-such-schedule'."
    status, en, vi = both(server, "POST", "/api/v1/schedules", editor, {
        "id": "lang-evening", "playlist": "no-such-list", "targets": {"tags": ["lobby"]}})
    assert status == 422 and en["message"] == (
        "schedule 'lang-evening': unknown playlist 'no-such-list' (import playlists/ first)")
    assert vi["message"] == ("lịch 'lang-evening': không có danh sách phát 'no-such-list' "
                             "(hãy nhập playlists/ trước)")
    status, en, vi = both(server, "GET", "/api/v1/screens/any/week?start=23/11/2026", editor)
    assert status == 400 and en["message"].startswith("'start' '23/11/2026' is not a date")
    assert vi["message"].startswith("'start' '23/11/2026' không phải là ngày")


def test_emergency_refusals_in_vietnamese(server, tokens):
    admin = tokens["admin"]
    status, en, vi = both(server, "GET", "/api/v1/emergencies/987654", admin)
    assert status == 404 and en["message"] == "No emergency 987654."
    assert vi["message"] == "Không có tin khẩn cấp 987654."
    text = {"title": "Cảnh báo", "body": "Bão"}
    status, en, vi = both(server, "POST", "/api/v1/emergencies", admin, {
        "messages": {"vi": text}, "targets": {"sites": ["nowhere"]}, "duration_minutes": 5})
    assert status == 400 and en["message"] == (
        "messages needs a text in en (required: vi, en).")
    assert vi["message"] == "messages cần có văn bản bằng en (bắt buộc: vi, en)."
    status, en, vi = both(server, "POST", "/api/v1/emergencies", admin, {
        "messages": {"vi": text, "en": {"title": "Alert", "body": "Storm"}},
        "targets": {"sites": ["nowhere"]}, "duration_minutes": 5})
    assert status == 400 and en["message"] == "unknown site(s): nowhere."
    assert vi["message"] == "không có địa điểm: nowhere."


def test_user_and_agency_refusals_in_vietnamese(server, tokens):
    admin = tokens["admin"]
    status, en, vi = both(server, "PATCH", "/api/v1/users/nobody-here", admin,
                          {"disabled": True})
    assert status == 404 and en["message"] == "No user named 'nobody-here'."
    assert vi["message"] == "Không có người dùng tên 'nobody-here'."
    status, en, vi = both(server, "POST", "/api/v1/users", admin,
                          {"username": "lang-new", "role": "boss"})
    assert status == 422 and en["message"].startswith("Unknown role 'boss' (known: ")
    assert vi["message"].startswith("Không có vai trò 'boss' (các vai trò hiện có: ")
    status, en, vi = both(server, "PUT", "/api/v1/agencies/dic", admin,
                          {"name": {"vi": "Sở", "en": "Dept"}, "lead": False})
    assert status == 409 and en["message"] == (
        "'dic' is the lead agency; make another agency the lead instead (exactly one agency "
        "leads).")
    assert vi["message"].startswith("'dic' là cơ quan chủ trì;")
    status, en, vi = both(server, "PUT", "/api/v1/agencies/culture", admin, {"name": {"vi": "Sở"}})
    assert status == 422 and en["message"] == (
        "name.en is required: the agency's name in en (text).")
    assert vi["message"] == "Cần có name.en: tên cơ quan bằng en (văn bản)."


def test_screen_command_refusals_in_vietnamese(server, tokens):
    technician = tokens["technician"]
    status, en, vi = both(server, "POST", "/api/v1/screens/no-such-screen/commands", technician,
                          {"command": "identify"})
    assert status == 404 and en["message"] == "No screen 'no-such-screen'."
    assert vi["message"] == "Không có màn hình 'no-such-screen'."
    screen = requests.get(server.url + "/api/v1/screens", timeout=DEADLINE, headers={
        "Authorization": f"Bearer {technician}"}).json()["screens"][0]["id"]
    status, en, vi = both(server, "GET", f"/api/v1/screens/{screen}/commands/nope", technician)
    assert status == 404 and en["message"] == f"No command 'nope' for screen {screen}."
    assert vi["message"] == f"Không có lệnh 'nope' cho màn hình {screen}."


def test_media_refusals_in_vietnamese(server, tokens):
    editor = tokens["lang-editor"]
    status, en, vi = both(server, "GET", "/api/v1/media?kind=audio", editor)
    assert status == 400 and en["message"] == "'kind' must be image or video, got 'audio'."
    assert vi["message"] == "'kind' phải là image hoặc video, nhận được 'audio'."
    missing = "0" * 64
    status, en, vi = both(server, "GET", f"/api/v1/media/{missing}", editor)
    assert status == 404 and en["message"] == f"No media file {missing}."
    assert vi["message"] == f"Không có tệp đa phương tiện {missing}."
