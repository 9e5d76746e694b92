"""The QR code on a rendered slide decodes to exactly the data given, and its short link
is printed under it. Decoding needs pyzbar and Debian's libzbar0 (installed by
``scripts/install-system-deps.sh``): skipped when absent, except under ``CI=true``,
where a missing decoder is a failure."""

from __future__ import annotations

import os

import pytest
from PIL import Image, ImageStat

from controller.slides.render import LangText, QrSpec, SlideSpec, render_layout

from .test_golden import golden_specs


def _decoder():  # noqa: ANN202 - the pyzbar.decode function
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError) as exc:  # OSError: pyzbar without libzbar0
        if os.environ.get("CI") == "true":
            pytest.fail(f"pyzbar/libzbar0 missing under CI: {exc}")
        pytest.skip(f"pyzbar or libzbar0 is not installed ({exc}): scripts/install-system-deps.sh")
    return pyzbar.decode


def _decoded(image: Image.Image) -> list[str]:
    return [symbol.data.decode("utf-8") for symbol in _decoder()(image.convert("L"))
            if symbol.type == "QRCODE"]


@pytest.mark.parametrize("name", ["dual-vi-en-1920x1080", "a-dot-vi-lo-en-1080x1920",
                                  "emergency-1920x1080"])
def test_the_qr_code_decodes_and_its_link_is_printed_under_it(name: str) -> None:
    spec = golden_specs()[name]
    out = render_layout(spec)
    assert _decoded(out.image) == [spec.qr.data]
    # Also the code alone, cut out of the slide: it is really that region that scans.
    assert _decoded(out.image.crop(out.qr_box)) == [spec.qr.data]
    qx0, qy0, qx1, qy1 = out.qr_box
    lx0, ly0, lx1, ly1 = out.link_box
    assert ly0 > qy1, "the link is below the code"
    assert min(lx1, qx1) > max(lx0, qx0), "the link is under the code, not beside it"
    # The region below the code is not blank: some pixels there are text-coloured.
    below = out.image.crop((min(qx0, lx0), qy1, max(qx1, lx1), ly1 + 4)).convert("L")
    lo, hi = below.getextrema()
    assert hi - lo > 128 and ImageStat.Stat(below).stddev[0] > 10
    # Large enough to type: the capital height alone is ≥ 1.5 % of the screen height,
    # the font size ≥ 2.2 %.
    link_runs = [r for r in out.frame_runs if r.text == spec.qr.link]
    assert link_runs and link_runs[0].size >= 0.022 * spec.height
    assert ly1 - ly0 >= 0.015 * spec.height


def test_a_long_link_shrinks_to_the_minimum_then_is_refused() -> None:
    texts = (LangText("vi", "Chào mừng"), LangText("en", "Welcome"))
    link = "pano.example/q/AB12CD34EF"
    out = render_layout(SlideSpec(1920, 1080, texts, qr=QrSpec("https://" + link, link)))
    assert [r.size for r in out.frame_runs if r.text == link][0] >= 0.022 * 1080
    long_link = "pano.example/q/" + "A" * 80
    with pytest.raises(ValueError, match="too long to print under the QR code"):
        render_layout(SlideSpec(1920, 1080, texts, qr=QrSpec("https://" + long_link,
                                                                 long_link)))
