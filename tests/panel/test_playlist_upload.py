"""Uploading from the playlist editor's media picker: the progress bar moves to 100 %
and goes away, the new file is chosen; a refused file shows the server's message."""

from __future__ import annotations

import os
from pathlib import Path

from panel.panel_helpers import panel_page
from playwright.sync_api import Page, expect

RECORD = """() => {
  const bar = document.querySelector('[data-testid=upload-progress]');
  window.progressSeen = [];
  new MutationObserver(() => window.progressSeen.push(
    {value: Number(bar.getAttribute('aria-valuenow')), hidden: bar.hidden,
     width: bar.querySelector('.progress > span').style.width}))
    .observe(bar, {attributes: true, subtree: true});
}"""


def photo(path: Path, width: int = 2400, height: int = 1600) -> Path:
    """A real JPEG of noise (noise does not compress: a few MB)."""
    from PIL import Image

    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(
        path, "JPEG", quality=95)
    return path


def open_picker(page: Page, base: str) -> None:
    page.goto(base + "/panel/playlists/new")
    expect(page.locator("#ed-root")).to_have_attribute("aria-busy", "false")
    page.select_option(".pl-item select[data-field=type]", "image")
    page.locator(".pl-variant[data-lang=vi] .pl-pick").click()
    expect(page.locator("#media-dialog")).to_be_visible()


def test_the_progress_bar_moves_and_the_upload_is_chosen(browser, server, tmp_path) -> None:
    big = photo(tmp_path / "hoang-thanh.jpg")
    assert big.stat().st_size > 3_000_000
    with panel_page(browser, server.url, "bien-tap") as page:
        open_picker(page, server.url)
        page.evaluate(RECORD)
        page.set_input_files("#media-file", str(big))
        expect(page.locator("#media-dialog")).to_be_hidden()
        seen = page.evaluate("window.progressSeen")
        shown = [s for s in seen if not s["hidden"]]
        assert any(s["value"] > 0 for s in shown), seen
        assert any(s["value"] == 100 and s["width"] == "100%" for s in shown), seen
        assert seen[-1]["hidden"], seen  # gone once the file is stored
        expect(page.locator(".pl-variant[data-lang=vi] .pl-media-name")).to_have_text(
            "hoang-thanh.jpg")
        expect(page.locator(".pl-variant[data-lang=en] img.pl-thumb")).to_be_visible()


def test_a_refused_file_shows_the_servers_message(browser, server, tmp_path) -> None:
    fake = tmp_path / "khong-phai-anh.jpg"
    fake.write_text("Đây không phải là một bức ảnh.\n" * 50, encoding="utf-8")
    with panel_page(browser, server.url, "bien-tap", lang="en") as page:
        open_picker(page, server.url)
        page.set_input_files("#media-file", str(fake))
        error = page.locator("#media-error")
        expect(error).to_contain_text("khong-phai-anh.jpg was not uploaded")
        expect(page.get_by_test_id("upload-progress")).to_be_hidden()
        expect(page.locator("#media-dialog")).to_be_visible()
        expect(page.locator(".pl-variant[data-lang=vi] .pl-pick")).to_be_attached()
