"""The Emergency page's choice of single screens, in a real browser against a real
controller: under each site, "Choose screens…" lists its screens; choosing only the A Đớt
outdoor pano sends a screen target (as the API stores it), the confirmation names the
screen, the board lists that one screen, the draft keeps the choice across a reload;
ticking a whole site still sends a site target; a language's column appears exactly
when a chosen screen shows it."""

from __future__ import annotations

import re

from panel.panel_helpers import panel_page
from playwright.sync_api import Page, expect

HALL, PANO = "a-dot-entry-hall", "a-dot-outdoor-pano"
TEXTS = {"vi": ("Tạm dừng thông quan", "Cửa khẩu A Đớt tạm dừng làm thủ tục do mưa lũ."),
         "lo": ("ຢຸດຜ່ານແດນຊົ່ວຄາວ", "ກະລຸນາລໍຖ້າຄຳແນະນຳ."),
         "en": ("Border crossing suspended", "Formalities are suspended because of flooding.")}
A_DOT_VI = "Cửa khẩu quốc tế A Đớt"
PANO_VI = "Màn hình pano ngoài trời A Đớt"


def site_item(page: Page, site_id: str):
    return page.locator(f"#sites .site-item[data-site='{site_id}']")


def screen_box(page: Page, screen_id: str):
    return page.locator(f"#sites label.screen[data-screen='{screen_id}'] input")


def fill_texts(page: Page, langs: tuple[str, ...]) -> None:
    for lang in langs:
        title, body = TEXTS[lang]
        page.fill(f"#msg-{lang}-title", title)
        page.fill(f"#msg-{lang}-body", body)


def send(page: Page, where: str) -> int:
    """Review, check the confirmation says ``where``, send; the new emergency's id."""
    page.get_by_role("button", name=re.compile("^(Xem lại và gửi…|Review and send…)$")).click()
    dialog = page.locator("#confirm")
    expect(dialog.locator("#confirm-where li")).to_have_count(1)
    expect(dialog.locator("#confirm-where li")).to_have_text(where)
    dialog.get_by_role("button", name=re.compile("^(Gửi ngay|Send now)$")).click()
    page.wait_for_url(re.compile(r"/panel/emergency/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def stored(page: Page, eid: int) -> dict:
    """The emergency as GET /api/v1/emergencies/<id> answers it (the page's session)."""
    response = page.request.get(page.url.split("/panel/")[0] + f"/api/v1/emergencies/{eid}")
    assert response.ok, response.text()
    return response.json()


def test_officer_sends_to_the_a_dot_outdoor_pano_only(browser, server):
    with panel_page(browser, server.url, "khan-cap", lang="vi") as page:
        page.goto(server.url + "/panel/emergency")
        columns = page.locator("#messages .lang-column")
        expect(columns).to_have_count(2)
        a_dot = site_item(page, "a-dot-border-gate")
        a_dot.get_by_text("Chọn màn hình…").click()
        pano = a_dot.locator(f"label.screen[data-screen='{PANO}']")
        expect(pano).to_contain_text(PANO_VI)
        expect(pano.locator(".other-name")).to_have_text("A Dot outdoor pano screen")
        expect(pano.locator(".screen-langs")).to_have_text("vi · lo · en")
        pano.click()
        expect(screen_box(page, PANO)).to_be_checked()
        expect(screen_box(page, HALL)).not_to_be_checked()
        site_input = a_dot.locator("label.site input")
        expect(site_input).not_to_be_checked()
        assert site_input.evaluate("box => box.indeterminate") is True
        expect(a_dot.locator(".screens-chosen")).to_have_text("(đã chọn 1/2)")
        expect(columns).to_have_count(3)  # the pano shows Lao
        expect(page.locator(".lang-column[data-lang=lo] h3")).to_contain_text("cần cho 1 màn hình")
        fill_texts(page, ("vi", "lo", "en"))

        # The draft in the tab keeps the screen choice.
        page.reload()
        a_dot = site_item(page, "a-dot-border-gate")
        expect(screen_box(page, PANO)).to_be_checked()
        expect(screen_box(page, HALL)).not_to_be_checked()
        expect(a_dot.locator("details")).to_have_attribute("open", "")
        expect(page.locator("#msg-lo-title")).to_have_value(TEXTS["lo"][0])

        eid = send(page, f"Gửi đến 1 màn hình tại {A_DOT_VI}: {PANO_VI}")
        rows = page.locator("#receipts tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-screen", PANO)
        expect(rows.first).to_contain_text(PANO_VI)
        expect(page.locator("#board-texts [lang=lo]")).to_contain_text(TEXTS["lo"][0])
        emergency = stored(page, eid)
        assert emergency["targets"] == {"sites": [], "screens": [PANO]}
        assert [row["screen"] for row in emergency["screens"]] == [PANO]
        assert set(emergency["messages"]) == {"vi", "lo", "en"}


def test_a_whole_site_is_sent_as_a_site_target(browser, server):
    with panel_page(browser, server.url, "khan-cap", lang="vi") as page:
        page.goto(server.url + "/panel/emergency")
        a_dot = site_item(page, "a-dot-border-gate")
        a_dot.locator("label.site").click()
        a_dot.get_by_text("Chọn màn hình…").click()
        expect(screen_box(page, PANO)).to_be_checked()  # the site ticks all its screens
        expect(screen_box(page, HALL)).to_be_checked()

        # Unticking one screen narrows the site to the other; ticking it again makes it
        # the whole site once more.
        screen_box(page, HALL).uncheck()
        expect(a_dot.locator("label.site input")).not_to_be_checked()
        expect(a_dot.locator(".screens-chosen")).to_have_text("(đã chọn 1/2)")
        screen_box(page, HALL).check()
        expect(a_dot.locator("label.site input")).to_be_checked()
        expect(a_dot.locator(".screens-chosen")).to_have_text("")

        fill_texts(page, ("vi", "lo", "en"))
        eid = send(page, f"Gửi đến 2 màn hình tại {A_DOT_VI}")
        expect(page.locator("#receipts tbody tr")).to_have_count(2)
        assert stored(page, eid)["targets"] == {"sites": ["a-dot-border-gate"], "screens": []}


def test_a_language_column_appears_exactly_when_a_chosen_screen_shows_it(browser, server):
    with panel_page(browser, server.url, "khan-cap", lang="en") as page:
        page.goto(server.url + "/panel/emergency")
        columns = page.locator("#messages .lang-column")
        chan_may = site_item(page, "chan-may-port")
        chan_may.get_by_text("Choose screens…").click()
        screen_box(page, "chan-may-gate-kiosk").check()
        expect(chan_may.locator(".screens-chosen")).to_have_text("(1 of 2 chosen)")
        expect(columns).to_have_count(2)  # vi and en only: no Lao at Chan May

        a_dot = site_item(page, "a-dot-border-gate")
        a_dot.get_by_text("Choose screens…").click()
        pano = a_dot.locator(f"label.screen[data-screen='{PANO}']")
        expect(pano.locator(".screen-name")).to_have_text("A Dot outdoor pano screen")
        expect(pano.locator(".other-name")).to_have_text(PANO_VI)
        expect(pano.locator(".other-name")).to_have_attribute("lang", "vi")
        screen_box(page, PANO).check()
        expect(columns).to_have_count(3)
        expect(page.locator(".lang-column[data-lang=lo] h3")).to_contain_text("needed by 1 screen")
        expect(page.locator("#all-sites")).not_to_be_checked()
        assert page.locator("#all-sites").evaluate("box => box.indeterminate") is True

        screen_box(page, PANO).uncheck()
        expect(columns).to_have_count(2)
        expect(page.locator(".lang-column[data-lang=lo]")).to_have_count(0)

        # "All sites" makes every site whole; unticking it chooses nothing.
        page.locator("#all-sites").check()
        expect(screen_box(page, "chan-may-cruise-terminal")).to_be_checked()
        expect(columns).to_have_count(3)
        page.locator("#all-sites").uncheck()
        expect(screen_box(page, "chan-may-gate-kiosk")).not_to_be_checked()
        page.get_by_role("button", name="Review and send…").click()
        expect(page.locator("#sites-error")).to_have_text("Choose at least one site or screen.")
        page.evaluate("sessionStorage.clear()")
