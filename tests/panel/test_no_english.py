"""No English in the Vietnamese panel (issue 16, point 9): a browser walks the main
pages as every role, in Vietnamese, after the actions that bring words from elsewhere
onto them (a version waiting for review, an emergency message with its receipts, a
refused upload, a refused QR link, the audit entries of all this), and fails on any English a person
would read there (``english_check.py`` says how it is found). Real Chromium, a real
controller over the demo content."""

from __future__ import annotations

from typing import Any

import pytest
from panel.english_check import content_of, english_on, judge
from panel.panel_helpers import panel_page, person_api
from playwright.sync_api import expect

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# role's user -> the pages walked (every page of its navigation, and the deeper ones).
WALKS: dict[str, list[str]] = {
    "quan-tri": ["/panel/fleet", "/panel/playlists", "/panel/playlists/welcome-hue",
                 "/panel/playlists/new", "/panel/schedules", "/panel/preview",
                 "/panel/emergency", "/panel/alerts", "/panel/reports", "/panel/replay",
                 "/panel/audit", "/panel/people"],
    "duyet": ["/panel/review", "/panel/review/sea-islands", "/panel/playlists/sea-islands",
              "/panel/audit"],
    "khan-cap": ["/panel/emergency", "/panel/fleet"],
    "bien-tap": ["/panel/playlists", "/panel/playlists/sea-islands", "/panel/reports"],
    "ky-thuat": ["/panel/fleet", "/panel/alerts"],
    "xem": ["/panel/playlists", "/panel/schedules", "/panel/audit"],
}


@pytest.fixture(scope="module")
def happened(fleet, server) -> dict[str, Any]:
    """What brings other words onto the pages: a submitted version waiting for review
    and an emergency message sent to screens that never connected (the sent one)."""
    editor = person_api(fleet, server, "bien-tap")
    items = editor("GET", "/playlists/sea-islands/versions/1")["items"]
    items[0]["variants"]["en"]["title"] = "The sea and islands of Viet Nam, for everyone"
    number = editor("PUT", "/playlists/sea-islands/draft", {"items": items})["version"]["number"]
    editor("POST", f"/playlists/sea-islands/versions/{number}/submit")
    officer = person_api(fleet, server, "khan-cap")
    return officer("POST", "/emergencies", {
        "messages": {"vi": {"title": "Bão số 5", "body": "Tránh xa bờ biển."},
                     "en": {"title": "Typhoon 5", "body": "Keep away from the shore."}},
        "targets": {"sites": ["lang-co-pano"]}, "duration_minutes": 30})


def test_the_check_finds_english(fleet) -> None:
    """The check itself: what it must find, and what it must let be."""
    content = content_of(fleet)
    assert judge("xong — showing the screen's name and id for 10 s", content)
    assert judge("Trạng thái: in_review → approved", content)  # a raw value
    assert judge("scope_sites: []", content)  # a field's name
    assert judge("Screens", content)  # a message id shown as it is
    assert judge("3 online", content)  # a message id with its value in place
    assert judge("Màn hình", content) is None
    assert judge("Cảng hàng không quốc tế Phú Bài · Phu Bai International Airport",
                 content) is None  # a site's English name is content
    assert judge("Nguồn: /srv/pano/playlists/welcome-hue.yaml", content) is None
    assert judge("Xóa Mục 1 (item-1)", content) is None  # an id is not English


def test_no_english_on_the_vietnamese_pages(browser, server, fleet, happened, tmp_path):
    content = content_of(fleet)
    found: list[str] = []
    for user, paths in WALKS.items():
        with panel_page(browser, server.url, user, lang="vi") as page:
            for path in paths + ([f"/panel/emergency/{happened['id']}"]
                                 if user == "khan-cap" else []):
                page.goto(server.url + path)
                page.wait_for_load_state("networkidle")
                found += [f"{user} {path} {f}" for f in english_on(page, content)]
            if user == "bien-tap":  # a refused upload says why in Vietnamese
                fake = tmp_path / "khong-phai-anh.jpg"
                fake.write_text("Đây không phải là một bức ảnh.\n" * 50, encoding="utf-8")
                page.goto(server.url + "/panel/playlists/new")
                expect(page.locator("#ed-root")).to_have_attribute("aria-busy", "false")
                page.select_option(".pl-item select[data-field=type]", "image")
                page.locator(".pl-variant[data-lang=vi] .pl-pick").click()
                page.set_input_files("#media-file", str(fake))
                expect(page.locator("#media-error")).to_be_visible()
                found += [f"{user} upload refused {f}" for f in english_on(page, content)]
                # A QR link outside the allowed domains is refused in Vietnamese too.
                page.goto(server.url + "/panel/playlists/happy-hue-2025")
                expect(page.locator("#ed-root")).to_have_attribute("aria-busy", "false")
                page.locator("input[data-field=url][lang=vi]").first.fill(
                    "https://khong-duoc-phep.example.com/trang")
                page.click("#ed-save")
                expect(page.locator("#ed-error")).to_contain_text("không thuộc các tên miền")
                page.wait_for_load_state("networkidle")
                found += [f"{user} QR refused {f}" for f in english_on(page, content)]
    assert not found, "English on the Vietnamese panel:\n" + "\n".join(found)


def test_an_answer_without_the_apis_sentence_is_said_in_vietnamese(browser, server):
    """A 404 page of the web server (no JSON sentence) showed its reason phrase, "NOT
    FOUND"; the panel says it in its language with the status."""
    with panel_page(browser, server.url, "bien-tap", lang="vi") as page:
        page.goto(server.url + "/panel/playlists")
        refused = page.evaluate("""() => Pano.api('GET', '/panel/static/base/no-such-file.js')
            .then(() => null, (err) => ({status: err.status, message: err.message}))""")
        assert refused == {"status": 404, "message": "Máy chủ điều khiển trả lời lỗi 404 mà "
                           "không giải thích. Hãy thử lại; nếu vẫn lỗi, hãy báo quản trị viên."}
