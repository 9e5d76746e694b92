"""A refusal shown on a Vietnamese page is the API's sentence in Vietnamese, on an
English page in English (issue 12, point 12): ``Pano.api`` sends the panel's language
as ``Accept-Language`` and the API answers in it. Real Chromium, real controller."""

from __future__ import annotations

import pytest
from panel.panel_helpers import panel_page

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WITHDRAW_EN = "Cannot withdraw version 1 of 'welcome-hue': it is approved, not in review."
WITHDRAW_VI = ("Không thể rút lại phiên bản 1 của 'welcome-hue': phiên bản này đang ở "
               "trạng thái đã duyệt, không phải chờ duyệt.")
CALL = """Pano.api('POST', '/api/v1/playlists/welcome-hue/versions/1/withdraw')
    .then(() => null, (err) => ({status: err.status, message: err.message, body: err.body}))"""


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_refusal_is_shown_in_the_pages_language(browser, server, lang):
    with panel_page(browser, server.url, "bien-tap", lang=lang) as page:
        page.goto(server.url + "/panel/playlists/welcome-hue")
        refused = page.evaluate(CALL)
        assert refused["status"] == 409
        if lang == "vi":
            assert refused["message"] == WITHDRAW_VI
            assert refused["body"]["message_en"] == WITHDRAW_EN
        else:
            assert refused["message"] == WITHDRAW_EN and "message_en" not in refused["body"]

