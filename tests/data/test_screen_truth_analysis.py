"""The screen-truth analysis on real pictures drawn with Pillow: a black frame, a frame
identical across different expected items (frozen), a matching frame, a clearly wrong
frame, and bytes that are not a picture."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from controller.screen_truth.analysis import NotAnImage, as_shown, decode, distance, look
from controller.screen_truth.judge import Previous, judge

BLACK_LEVEL, TOLERANCE, FROZEN = 24, 14, 3
SCREEN = (320, 180)


def slide(text_rows: int, hue: tuple[int, int, int], size=SCREEN) -> Image.Image:
    """A picture like a slide: a coloured ground, a title bar and some text lines."""
    img = Image.new("RGB", size, hue)
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.rectangle((w * 0.1, h * 0.1, w * 0.9, h * 0.3), fill=(240, 240, 240))
    for row in range(text_rows):
        top = h * (0.4 + 0.12 * row)
        draw.rectangle((w * 0.15, top, w * (0.85 - 0.1 * row), top + h * 0.05),
                       fill=(255, 220, 0))
    return img


def photo(seed: int, size=SCREEN) -> Image.Image:
    """A picture like a photograph: diagonal bands and a disc, placed by ``seed``."""
    img = Image.new("RGB", size, (30, 90, 40))
    draw = ImageDraw.Draw(img)
    w, h = size
    for i in range(0, w + h, 40):
        draw.line((i + seed * 13, 0, i - h + seed * 13, h), fill=(200, 160, 90), width=12)
    draw.ellipse((w * 0.6 - seed * 20, h * 0.2, w * 0.9 - seed * 20, h * 0.8),
                 fill=(20, 30, 160))
    return img


def png(img: Image.Image, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, quality=80) if fmt == "JPEG" else img.save(out, fmt)
    return out.getvalue()


def seen(img: Image.Image, fmt: str = "PNG"):
    return look(decode(png(img, fmt)), BLACK_LEVEL)


def expected_for(img: Image.Image, size=SCREEN):
    return look(as_shown(img, size), BLACK_LEVEL)


def test_black_frame_is_black_and_a_dark_slide_is_not() -> None:
    black = seen(Image.new("RGB", SCREEN, (3, 3, 5)))
    assert black.black
    # A black screen with the player's tiny idle text in a corner is still black.
    idle = Image.new("RGB", SCREEN, (0, 0, 0))
    ImageDraw.Draw(idle).text((280, 165), "Pano", fill=(51, 51, 51))
    assert seen(idle).black
    assert not seen(slide(3, (11, 42, 74))).black
    verdict = judge(black, "welcome", expected_for(slide(3, (11, 42, 74))), None,
                    TOLERANCE, FROZEN)
    assert verdict.verdict == "black"
    assert "black" in verdict.reason and "welcome" in verdict.reason
    # Nothing scheduled: the player's idle page is dark on purpose.
    idle_verdict = judge(seen(idle), None, None, None, TOLERANCE, FROZEN)
    assert idle_verdict.verdict == "unknown" and "idle page" in idle_verdict.reason


def test_matching_frame_is_ok_even_scaled_and_recompressed() -> None:
    expected = slide(3, (11, 42, 74), size=(1920, 1080))
    capture = seen(expected.resize(SCREEN), "JPEG")
    verdict = judge(capture, "welcome", expected_for(expected), None, TOLERANCE, FROZEN)
    assert verdict.verdict == "ok", verdict.reason
    assert verdict.distance is not None and verdict.distance <= TOLERANCE


def test_letterboxed_rendition_matches_its_padded_frame() -> None:
    rendition = photo(1, size=(200, 180))  # narrower than the screen: black bars
    on_screen = as_shown(rendition, SCREEN)
    verdict = judge(seen(on_screen, "JPEG"), "citadel", expected_for(rendition), None,
                    TOLERANCE, FROZEN)
    assert verdict.verdict == "ok", verdict.reason


def test_clearly_wrong_frame_is_wrong() -> None:
    verdict = judge(seen(photo(0)), "welcome", expected_for(slide(3, (11, 42, 74))), None,
                    TOLERANCE, FROZEN)
    assert verdict.verdict == "wrong", verdict.reason
    assert verdict.distance is not None and verdict.distance > TOLERANCE
    assert "welcome" in verdict.reason


def test_same_capture_across_different_items_is_frozen() -> None:
    stuck = photo(0)
    first = seen(stuck)
    before = Previous(first.dhash, "citadel", expected_for(photo(0)).dhash)
    verdict = judge(seen(stuck), "welcome", expected_for(slide(3, (11, 42, 74))), before,
                    TOLERANCE, FROZEN)
    assert verdict.verdict == "frozen", verdict.reason
    assert "citadel" in verdict.reason and "welcome" in verdict.reason


def test_same_item_twice_or_alike_items_are_not_frozen() -> None:
    still = photo(0)
    before = Previous(seen(still).dhash, "citadel", expected_for(still).dhash)
    assert judge(seen(still), "citadel", expected_for(still), before, TOLERANCE,
                 FROZEN).verdict == "ok"
    # Another item whose picture is the same one: a still screen is right.
    assert judge(seen(still), "citadel-again", expected_for(still), before, TOLERANCE,
                 FROZEN).verdict == "ok"


def test_nothing_to_compare_is_unknown() -> None:
    verdict = judge(seen(photo(2)), "video-1", None, None, TOLERANCE, FROZEN)
    assert verdict.verdict == "unknown"
    assert verdict.distance is None


def test_different_pictures_are_far_apart() -> None:
    assert distance(seen(photo(0)).dhash, seen(slide(3, (11, 42, 74))).dhash) > TOLERANCE


@pytest.mark.parametrize("data", [b"", b"not a picture at all", png(photo(0))[:200],
                                  b"<svg xmlns='http://www.w3.org/2000/svg'/>"])
def test_bytes_that_are_not_a_picture_are_refused(data: bytes) -> None:
    with pytest.raises(NotAnImage) as refused:
        decode(data)
    assert "capture" in str(refused.value)


def test_a_picture_of_another_format_is_refused_before_it_is_decoded() -> None:
    with pytest.raises(NotAnImage, match="not a PNG or JPEG picture"):
        decode(png(photo(0), "GIF"), formats=("PNG", "JPEG"))
    with pytest.raises(NotAnImage, match="too large"):
        decode(png(Image.new("RGB", (400, 300))), max_pixels=100_000)


def test_a_rendered_slide_is_compared_stretched_as_the_page_shows_it() -> None:
    rendered = slide(3, (11, 42, 74), size=(1920, 1080))
    on_page = rendered.resize((960, 397))  # a page area of another shape: stretched
    capture = seen(on_page, "JPEG")
    stretched = look(as_shown(rendered, on_page.size, fill=True), BLACK_LEVEL)
    assert judge(capture, "welcome", stretched, None, TOLERANCE, FROZEN).verdict == "ok"
