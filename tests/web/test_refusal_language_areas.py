"""Refusals of the areas converted after the first ones, said in Vietnamese over HTTP
(issue 12, point 12): an emergency too long for its screens, the password and user-name
rules, a remote command's validation and the "screen is offline" 409, QR scan counts,
preview, and the clauses other sentences quote (the text rule, unknown languages, the QR
allow-list, id hints). Each asks the same refused request without ``Accept-Language``
(today's English) and with ``vi`` (``both`` fails when the sentence is not translated).
The guards over the catalogue and the ``CONVERTED`` list are in test_refusal_language.py."""

from __future__ import annotations

import pytest
from web.helpers import people_tokens
from web.test_refusal_language import both

PEOPLE = {"areas-editor": ("editor", "culture")}


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    return people_tokens(fleet, PEOPLE)


def test_an_emergency_too_long_for_its_screens(server, tokens):
    long_text = {lang: {"title": "Thông báo khẩn " * 12, "body": "Nội dung dài " * 76}
                 for lang in ("vi", "en", "lo")}
    status, en, vi = both(server, "POST", "/api/v1/emergencies", tokens["admin"], {
        "messages": long_text, "targets": {"sites": ["a-dot-border-gate"]},
        "duration_minutes": 30})
    assert status == 400
    assert en["message"].startswith(
        "the message is too long for the 1920×1080 screens of a-dot-border-gate (")
    assert en["message"].endswith(" take the most room): shorten it.")
    assert vi["message"].startswith(
        "tin khẩn cấp quá dài so với các màn hình 1920×1080 của a-dot-border-gate (")
    assert vi["message"].endswith(" chiếm nhiều chỗ nhất): hãy rút ngắn.")


def test_user_name_and_password_rules(server, tokens):
    admin = tokens["admin"]
    status, en, vi = both(server, "POST", "/api/v1/users", admin,
                          {"username": "Bad Name", "role": "editor"})
    assert status == 422 and en["message"] == (
        "Bad username 'Bad Name': use 2-64 lowercase letters, digits, '.', '_' or '-', "
        "starting with a letter or digit.")
    assert vi["message"] == (
        "Tên người dùng 'Bad Name' không hợp lệ: hãy dùng 2-64 ký tự gồm chữ cái viết "
        "thường, chữ số, '.', '_' hoặc '-', bắt đầu bằng chữ cái hoặc chữ số.")
    status, en, vi = both(server, "POST", "/api/v1/users/areas-editor/password", admin,
                          {"password": "short"})
    assert status == 422 and en["message"] == "Password too short: at least 12 characters."
    assert vi["message"] == "Mật khẩu quá ngắn: cần ít nhất 12 ký tự."
    status, en, vi = both(server, "POST", "/api/v1/users/areas-editor/password", admin,
                          {"password": " padded with spaces "})
    assert status == 422 and vi["message"] == (
        "Mật khẩu không được bắt đầu hoặc kết thúc bằng khoảng trắng.")


def test_a_remote_command_refused_to_a_person(server, tokens):
    technician, path = tokens["technician"], "/api/v1/screens/a-dot-entry-hall/commands"
    status, en, vi = both(server, "POST", path, technician, {"command": "self_destruct"})
    assert status == 400 and en["message"] == (
        "'command' must be one of identify, reload, clear_cache, screenshot, restart, "
        "reboot; got 'self_destruct'.")
    assert vi["message"] == ("'command' phải là một trong các lệnh identify, reload, "
                             "clear_cache, screenshot, restart, reboot; nhận được "
                             "'self_destruct'.")
    status, en, vi = both(server, "POST", path, technician,
                          {"command": "identify", "args": {"seconds": 0}})
    assert status == 400 and vi["message"].startswith(
        "'seconds' của lệnh identify phải là số nguyên từ ")
    status, en, vi = both(server, "POST", path, technician, {"command": "identify"})
    assert status == 409 and en["message"] == (
        "Screen a-dot-entry-hall is not connected to the controller, so it cannot receive "
        "a command now. Try again when it is online.")
    assert vi["message"] == ("Màn hình a-dot-entry-hall không kết nối với bộ điều khiển nên "
                             "lúc này không nhận được lệnh. Hãy thử lại khi màn hình trực "
                             "tuyến.")


def test_qr_scan_counts_and_preview_refusals(server, tokens):
    admin = tokens["admin"]
    status, en, vi = both(server, "GET", "/api/v1/qr/scans?by=colour", admin)
    assert status == 400 and en["message"] == (
        "'by' must be one of item, screen, site, lang, playlist, got 'colour'.")
    assert vi["message"] == (
        "'by' phải là một trong: item, screen, site, lang, playlist, nhận được 'colour'.")
    status, en, vi = both(server, "GET", "/api/v1/qr/scans?site=a&site=b", admin)
    assert status == 400 and vi["message"] == "'site' được ghi nhiều hơn một lần."
    status, en, vi = both(server, "GET", "/api/v1/screens/a-dot-entry-hall/preview", admin)
    assert status == 400 and en["message"] == (
        "Missing 'at': give 'at' as an ISO 8601 time with a time zone, e.g. "
        "?at=2026-11-27T18:30:00Z or ?at=2026-11-28T01:30:00%2B07:00.")
    assert vi["message"] == (
        "Thiếu 'at': hãy ghi 'at' là thời điểm theo ISO 8601 có múi giờ, ví dụ "
        "?at=2026-11-27T18:30:00Z hoặc ?at=2026-11-28T01:30:00%2B07:00.")
    status, en, vi = both(server, "GET",
                          "/api/v1/screens/a-dot-entry-hall/preview.png?at=2026-11-27T18:30",
                          admin)
    assert status == 400 and vi["message"].startswith(
        "'at' '2026-11-27T18:30' không có múi giờ: hãy ghi 'at' là thời điểm")


def test_quoted_clauses_are_said_in_vietnamese_too(server, tokens):
    """The text rule, the QR allow-list, unknown languages, id hints and a schedule's
    window are clauses other refusals quote: they follow the caller's language."""
    admin, editor = tokens["admin"], tokens["areas-editor"]
    text = {"vi": {"title": "Đóng\u202ecửa"}, "en": {"title": "Closed"}}
    status, en, vi = both(server, "POST", "/api/v1/emergencies", admin, {
        "messages": text, "targets": {"sites": ["a-dot-border-gate"]}, "duration_minutes": 5})
    assert status == 400 and en["message"].startswith(
        "messages.vi.title contains U+202E (RIGHT-TO-LEFT OVERRIDE) at character 5, an "
        "invisible bidirectional control")
    assert vi["message"] == (
        "messages.vi.title chứa U+202E (RIGHT-TO-LEFT OVERRIDE) ở ký tự thứ 5, là một ký tự "
        "điều khiển hướng chữ vô hình, có thể khiến trang trình chiếu hiển thị khác với nội "
        "dung người duyệt đã đọc: hãy xóa ký tự này.")
    status, en, vi = both(server, "POST", "/api/v1/emergencies", admin, {
        "messages": {"vi": {"title": "A"}, "en": {"title": "B"}},
        "url": "https://evil.example.com/x", "targets": {"sites": ["a-dot-border-gate"]},
        "duration_minutes": 5})
    assert status == 400 and "evil.example.com is not an allowed domain; QR codes may " \
        "lead only to " in en["message"]
    assert "evil.example.com không thuộc các tên miền được phép; mã QR chỉ được dẫn tới " \
        in vi["message"]
    item = {"id": "one", "type": "text", "duration": 8,
            "variants": {"vi": {"title": "A"}, "en": {"title": "B"}, "de": {"title": "C"}}}
    status, en, vi = both(server, "POST", "/api/v1/playlists", editor, {
        "id": "areas-news", "title": {"vi": "Tin", "en": "News"}, "items": [item]})
    assert status == 422 and en["message"].endswith(
        "'variants': unknown language 'de' (known: vi, en, fr, lo, pac; add it to "
        "'languages' in config/controller.yaml)")
    assert vi["message"].endswith(
        "'variants': ngôn ngữ 'de' chưa được cấu hình (các ngôn ngữ hiện có: vi, en, fr, lo, "
        "pac; hãy thêm nó vào 'languages' trong config/controller.yaml)")
    status, en, vi = both(server, "POST", "/api/v1/playlists", editor, {
        "id": "Bad_Id", "title": {"vi": "Tin", "en": "News"}, "items": []})
    assert status == 422 and en["message"].endswith(
        ": use 2-63 lowercase letters, digits and '-', starting with a letter or digit")
    assert vi["message"].endswith(": hãy dùng 2-63 ký tự gồm chữ cái viết thường, chữ số và "
                                  "'-', bắt đầu bằng chữ cái hoặc chữ số")
    status, en, vi = both(server, "POST", "/api/v1/schedules", editor, {
        "id": "areas-evening", "playlist": "border-welcome", "targets": {"tags": ["lobby"]},
        "windows": ["18:00-18:00"]})
    assert status == 422 and "window 18:00–18:00 is empty or ambiguous: use 00:00–00:00 " \
        "for the whole day" in en["message"]
    assert "khung giờ 18:00–18:00 trống hoặc không rõ ràng: hãy dùng 00:00–00:00 cho cả " \
        "ngày" in vi["message"]
