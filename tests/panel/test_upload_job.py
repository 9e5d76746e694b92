"""The media picker when the controller answers an upload with a job (202: its checks
take longer than ``jobs_wait``, here 0 s): the bar starts again with the job's steps in
the panel's language, the file is chosen once the job is done, and a refusal shows the
server's sentence, exactly as for an immediate answer."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from panel.panel_helpers import panel_page
from panel.test_playlist_upload import open_picker, photo
from playwright.sync_api import expect

from controller.server import ControllerServer

RECORD = """() => {
  const box = document.querySelector('[data-testid=upload-progress]');
  window.seen = [];
  new MutationObserver(() => window.seen.push(
    {value: Number(box.getAttribute('aria-valuenow')), hidden: box.hidden,
     text: document.getElementById('media-upload-pct').textContent}))
    .observe(box, {attributes: true, subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def server(fleet) -> Iterator[ControllerServer]:
    running = ControllerServer(dataclasses.replace(fleet.settings, jobs_wait=0)).start()
    yield running
    running.stop()


def test_a_job_is_followed_in_vietnamese_and_the_file_chosen(browser, server, tmp_path):
    big = photo(tmp_path / "dai-noi.jpg")
    with panel_page(browser, server.url, "bien-tap") as page:
        open_picker(page, server.url)
        page.evaluate(RECORD)
        page.set_input_files("#media-file", str(big))
        expect(page.locator("#media-dialog")).to_be_hidden(timeout=30_000)
        seen = page.evaluate("window.seen")
        texts = [s["text"] for s in seen if not s["hidden"]]
        assert any(t.startswith(("Đang chờ máy chủ kiểm tra tệp", "Máy chủ đang kiểm tra tệp"))
                   for t in texts), texts
        assert seen[-1]["hidden"], seen
        expect(page.locator(".pl-variant[data-lang=vi] .pl-media-name")).to_have_text(
            "dai-noi.jpg")


def test_a_refused_job_shows_the_servers_message(browser, server, tmp_path):
    fake = tmp_path / "khong-phai-anh.jpg"
    fake.write_text("Đây không phải là một bức ảnh.\n" * 50, encoding="utf-8")
    with panel_page(browser, server.url, "bien-tap", lang="en") as page:
        open_picker(page, server.url)
        page.set_input_files("#media-file", str(fake))
        error = page.locator("#media-error")
        expect(error).to_contain_text("khong-phai-anh.jpg was not uploaded",
                                      timeout=30_000)
        expect(error).to_contain_text("not a JPEG, PNG, WebP")
        expect(page.get_by_test_id("upload-progress")).to_be_hidden()
        expect(page.locator("#media-dialog")).to_be_visible()
