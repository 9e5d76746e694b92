"""Looking at a PDF's pages as pictures (pypdfium2): where a text is drawn, and whether
the pixels there are the text's glyphs. A word is cut out of the rendered page and
compared with the same word drawn by Pillow (raqm shaping) in the font it should have,
and with a wrong drawing of it (tofu boxes from a font without the script, or the
word without its diacritics): the page must look like the right one."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps, ImageStat

NOTO = Path("/usr/share/fonts/truetype/noto")
SCALE = 4.0  # pixels per PDF point


def font_names(pdf: pdfium.PdfDocument) -> set[str]:
    import ctypes

    names = set()
    for page in pdf:
        for obj in page.get_objects():
            if obj.type == raw.FPDF_PAGEOBJ_TEXT:
                buf = ctypes.create_string_buffer(256)
                raw.FPDFFont_GetBaseFontName(raw.FPDFTextObj_GetFont(obj.raw), buf, 256)
                names.add(buf.value.decode().split("+")[-1])
    return names


def word_image(pdf: pdfium.PdfDocument, text: str) -> Image.Image:
    """The ink of the first place ``text`` is drawn, cut from the rendered page."""
    for page in pdf:
        found = page.get_textpage().search(text).get_next()
        if found is None:
            continue
        index, count = found
        textpage = page.get_textpage()
        boxes = [textpage.get_charbox(i) for i in range(index, index + count)]
        left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
        bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
        height = page.get_height()
        picture = page.render(scale=SCALE).to_pil().convert("L")
        pad = 3 * SCALE
        crop = picture.crop((int(left * SCALE - pad), int((height - top) * SCALE - pad),
                             int(right * SCALE + pad), int((height - bottom) * SCALE + pad)))
        return ink(crop)
    raise AssertionError(f"{text!r} is not in the PDF's text")


def ink(picture: Image.Image) -> Image.Image:
    """The picture cut to its dark pixels, black on white."""
    gray = picture.convert("L")
    box = ImageOps.invert(gray).point(lambda v: 255 if v > 60 else 0).getbbox()
    assert box, "nothing is drawn there"
    return gray.crop(box)


def drawn(text: str, font_file: Path, size: int = 120) -> Image.Image:
    font = ImageFont.truetype(str(font_file), size, layout_engine=ImageFont.Layout.RAQM)
    canvas = Image.new("L", (size * (len(text) + 2), size * 3), 255)
    ImageDraw.Draw(canvas).text((size, size), text, font=font, fill=0)
    return ink(canvas)


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean pixel difference (0 same … 1 opposite) once both have the same size."""
    size = (96, 24)
    a, b = a.resize(size), b.resize(size)
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0] / 255
