"""Drawing a data slide: a table of live records in the text slides' frame, with the same
fonts, shaping (raqm), Unicode line breaking (ICU) and palette
(:mod:`controller.slides.render`, :mod:`controller.slides.layout`).

The slide, top to bottom: the frame's header band (province and site, in the screen's
languages); the **title** in every language of the slide ("Chuyến bay đến / Arrivals /
ຖ້ຽວບິນມາຮອດ"), wrapped and shrunk like a text slide's; the **column labels**, one line
per language; the **rows**, one line each, a value too wide for its column cut with "…"
at a character boundary (never inside a Lao cluster); the **footer**: "+N more" in each
language when rows were left out, and "updated at HH:MM dd/mm" in each language.

Sizes: the rows start at 5 % of the short side and shrink (to 2.6 %) until every row
fits; at the smallest size the rows that do not fit are cut at a whole row and counted
in "+N more". Equal specs give identical pictures (:func:`png_bytes`), and
:func:`input_hash` names them like the text slides (``controller.slides.cache``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace

from PIL import Image

from controller.slides import fonts, layout
from controller.slides.cache import encode_png, hash_inputs
from controller.slides.layout import Para, PlacedRun
from controller.slides.render import ITEM_PALETTE, _line_runs, framed_canvas
from controller.slides.spec import (
    MARGIN,
    MAX_SIDE,
    MIN_SIDE,
    LangText,
    SlideDoesNotFit,
    SlideError,
    SlideSpec,
    clean_text,
)

DATA_RENDERER_VERSION = 1
MORE = {"vi": "+{n} mục nữa", "en": "+{n} more", "lo": "ອີກ {n} ລາຍການ", "fr": "+{n} de plus"}
ROW_START, ROW_MIN = 0.05, 0.026  # a row's text, of the short side
TITLE_SHARE = 0.2  # the most of the content's height the title takes
LABEL_FACTOR = 0.72  # the column labels, of the rows' size
FOOTER_FACTOR = 0.6  # the footer, of the rows' smallest size … at least
MAX_COLUMN_SHARE = 0.5  # no column asks for more than this of the width
MIN_CAPPED_SHARE = 0.15  # … and one held there gets at least this
ROW_SHADE = (241, 235, 226)
ELLIPSIS = "…"


@dataclass(frozen=True)
class DataSlideSpec:
    """Everything a data slide is made from; equal specs give identical slides."""

    width: int
    height: int
    languages: tuple[str, ...]  # primary first
    titles: tuple[tuple[str, str], ...]  # (language, title)
    columns: tuple[tuple[tuple[str, str], ...], ...]  # per column: (language, label)
    rows: tuple[tuple[str, ...], ...]  # cell texts, a row per record shown at most
    total: int  # records in the snapshot (rows beyond those drawn are "+N more")
    updated: tuple[tuple[str, str], ...] = ()  # (language, "Updated at 14:05 06/12")
    site_vi: str = ""
    site_en: str = ""
    frame_more: tuple[tuple[str, str, str], ...] = ()
    name: str = ""  # the item, for error messages (not drawn)

    def __post_init__(self) -> None:
        for attr in ("languages", "titles", "columns", "rows", "updated", "frame_more"):
            object.__setattr__(self, attr, _frozen(getattr(self, attr)))
        if not (MIN_SIDE <= self.width <= MAX_SIDE and MIN_SIDE <= self.height <= MAX_SIDE):
            raise SlideError(f"{self.width}×{self.height} is not a screen size "
                             f"({MIN_SIDE}–{MAX_SIDE} px a side)")
        if not self.languages or not self.columns:
            raise SlideError(f"{self.name or 'data slide'}: no language or no column")
        if any(len(row) != len(self.columns) for row in self.rows):
            raise SlideError(f"{self.name or 'data slide'}: a row has not one cell a column")

    def canonical(self) -> str:
        """A canonical serialisation (sorted keys, no spaces, UTF-8 text)."""
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False,
                          separators=(",", ":"))

    def alternate(self) -> tuple[DataSlideSpec, ...]:
        """One single-language slide per language (``alternate`` screens: the player
        shows each language's slide in turn)."""
        def only(pairs: tuple[tuple[str, str], ...], lang: str) -> tuple[tuple[str, str], ...]:
            return tuple(pair for pair in pairs if pair[0] == lang)

        return tuple(replace(self, languages=(lang,), titles=only(self.titles, lang),
                             columns=tuple(only(c, lang) for c in self.columns),
                             updated=only(self.updated, lang))
                     for lang in self.languages)

    def frame(self) -> SlideSpec:
        """The text slide whose frame (header band) this slide shares."""
        lang, title = self.titles[0] if self.titles else (self.languages[0], self.name)
        return SlideSpec(self.width, self.height, (LangText(lang, title or "-"),), "single",
                         self.site_vi, self.site_en, frame_more=self.frame_more,
                         name=self.name)


def _frozen(value: object) -> object:
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


@dataclass
class DataRendered:
    """A drawn data slide and where things went (the tests read these)."""

    image: Image.Image
    shown: int  # rows drawn
    more: int  # records left out ("+N more")
    row_size: int
    title_runs: list[PlacedRun] = field(default_factory=list)
    label_runs: list[PlacedRun] = field(default_factory=list)
    cells: list[list[list[PlacedRun]]] = field(default_factory=list)  # row, column: runs
    cell_texts: list[list[str]] = field(default_factory=list)  # as drawn (cut with "…")
    columns: list[tuple[int, int]] = field(default_factory=list)  # x0, x1 of each column
    footer_runs: list[PlacedRun] = field(default_factory=list)
    frame_runs: list[PlacedRun] = field(default_factory=list)


def cut_to_width(text: str, bold: bool, size: int, lang: str, width: float) -> str:
    """``text`` when it fits ``width``, else its longest start (whole characters: a Lao
    cluster or a Vietnamese letter with its marks is never split) followed by "…"."""
    if layout.text_width(text, bold, size, lang) <= width:
        return text
    units = layout.char_units(text)
    low, high = 0, len(units)  # the longest prefix that fits with the ellipsis
    while low < high:
        mid = (low + high + 1) // 2
        if layout.text_width("".join(units[:mid]).rstrip() + ELLIPSIS, bold, size,
                             lang) <= width:
            low = mid
        else:
            high = mid - 1
    return "".join(units[:low]).rstrip() + ELLIPSIS


def _line_height(text: str, bold: bool, size: int) -> tuple[int, int]:
    return layout._metrics(text, bold, size)


def _column_widths(spec: DataSlideSpec, size: int, room: int) -> tuple[list[int], bool]:
    """Each column's width at row size ``size``: what its widest label or value needs
    (at most half the room), then the room left shared out; ``False`` when even that
    does not fit the room (the columns are squeezed and values cut)."""
    label_size = round(size * LABEL_FACTOR)
    gap = round(size * 0.8)
    lang = spec.languages[0]
    needs = []
    for c, labels in enumerate(spec.columns):
        widest = max([layout.text_width(label, i == 0, label_size, code)
                      for i, (code, label) in enumerate(labels)]
                     + [layout.text_width(row[c], False, size, lang) for row in spec.rows]
                     + [0.0])
        needs.append(min(widest + gap, room * MAX_COLUMN_SHARE))
    total = sum(needs)
    if total <= room:
        extra = (room - total) / len(needs)
        return [round(n + extra) for n in needs], True
    # Columns held at the cap (a long value) share what the others leave: their values
    # are cut with "…" rather than the whole table shrunk for them.
    cap = room * MAX_COLUMN_SHARE
    capped = [i for i, n in enumerate(needs) if n >= cap]
    left = room - sum(n for i, n in enumerate(needs) if i not in capped)
    if capped and left >= len(capped) * room * MIN_CAPPED_SHARE:
        return [int(left / len(capped)) if i in capped else round(n)
                for i, n in enumerate(needs)], True
    return [int(n * room / total) for n in needs], False


def render_data_layout(spec: DataSlideSpec) -> DataRendered:
    """Draw ``spec`` and report where everything went. Raises
    :class:`SlideDoesNotFit` when not even the title and one row fit."""
    w, h = spec.width, spec.height
    short = min(w, h)
    pal = ITEM_PALETTE
    margin = round(short * MARGIN)
    image, draw, frame_runs, under_frame = framed_canvas(spec.frame(), pal)
    x0, top, x1, bottom = margin, under_frame + margin, w - margin, h - margin
    lang = spec.languages[0]

    # The footer: "+N more" left (filled in once the rows are known), "updated" right.
    foot_size = max(10, round(short * ROW_MIN * FOOTER_FACTOR * 1.2))
    updated = " · ".join(clean_text(text) for _, text in spec.updated)
    while updated and foot_size > 10 and layout.text_width(
            updated, False, foot_size, lang) > (x1 - x0) * 0.7:
        foot_size -= 1
    f_asc, f_desc = _line_height(updated or "0", False, foot_size)
    foot_top = bottom - (f_asc + f_desc)
    bottom = foot_top - round(short * 0.015)

    # The title, every language on one paragraph, wrapped and shrunk like a text slide's.
    title = " / ".join(clean_text(t) for _, t in spec.titles if t)
    title_runs: list[PlacedRun] = []
    if title:
        sizes = layout.size_ladder(round(short * 0.065), round(short * 0.034))
        region = (x0, top, x1, top + round((bottom - top) * TITLE_SHARE))
        try:
            placed = layout.fit([Para(title, lang, True, 1.0, pal.title)], region, sizes,
                                valign="top")
        except layout.TextDoesNotFit as exc:
            raise SlideDoesNotFit(f"data item {spec.name}: the title {title!r} does not "
                                  f"fit on a {w}×{h} slide ({exc}); shorten it", spec.name,
                                  lang, (lang,)) from exc
        title_runs = placed.runs
        top = max(r.bbox[3] for r in title_runs) + round(short * 0.025)

    # The rows' size: the largest at which every row fits, else the smallest, cut.
    sizes = layout.size_ladder(round(short * ROW_START), round(short * ROW_MIN))
    for size in sizes:
        widths, wide_enough = _column_widths(spec, size, x1 - x0)
        label_lines = [_line_height(" ".join(col[i][1] for col in spec.columns), i == 0,
                                    round(size * LABEL_FACTOR))
                       for i in range(len(spec.languages))]
        labels_h = sum(a + d for a, d in label_lines) + round(size * 0.4)
        asc, desc = _line_height("".join(c for row in spec.rows for c in row) or "0",
                                 False, size)
        row_h = round((asc + desc) * 1.25)
        fits = (bottom - top - labels_h) // row_h
        if wide_enough and fits >= len(spec.rows):
            break
    if fits < 1 and spec.rows:
        raise SlideDoesNotFit(f"data item {spec.name}: not one row fits on a {w}×{h} slide "
                              f"under its title; shorten the title or the column labels",
                              spec.name, lang, (lang,))
    shown = min(len(spec.rows), max(fits, 0))
    more = spec.total - shown
    out = DataRendered(image, shown, more, size, title_runs=title_runs,
                       frame_runs=frame_runs)
    x = x0
    for width in widths:
        out.columns.append((x, x + width))
        x += width

    # Column labels: one line per language, the primary bold.
    y = top
    label_size = round(size * LABEL_FACTOR)
    for i, (a, d) in enumerate(label_lines):
        for c, labels in enumerate(spec.columns):
            code, label = labels[i]
            cx0, cx1 = out.columns[c]
            text = cut_to_width(clean_text(label), i == 0, label_size, code,
                                cx1 - cx0 - round(size * 0.8))
            out.label_runs += _line_runs(cx0, y + a, text, i == 0, label_size, code,
                                         pal.title if i == 0 else pal.title2)[0]
        y += a + d
    rule = max(2, round(size * 0.08))
    y += round(size * 0.2)
    draw.rectangle((x0, y, x1 - 1, y + rule - 1), fill=pal.rule)
    y = top + labels_h

    # The rows, shaded every other one.
    for r, row in enumerate(spec.rows[:shown]):
        if r % 2:
            draw.rectangle((x0, y, x1 - 1, y + row_h - 1), fill=ROW_SHADE)
        baseline = y + (row_h - asc - desc) // 2 + asc
        runs_row, texts_row = [], []
        for c, value in enumerate(row):
            cx0, cx1 = out.columns[c]
            text = cut_to_width(value, c == 0, size, lang, cx1 - cx0 - round(size * 0.8))
            runs = _line_runs(cx0 + round(size * 0.15), baseline, text, c == 0, size, lang,
                              pal.body if c else pal.title)[0]
            runs_row.append(runs)
            texts_row.append(text)
        out.cells.append(runs_row)
        out.cell_texts.append(texts_row)
        y += row_h

    # The footer.
    baseline = foot_top + f_asc
    if updated:
        uw = layout.text_width(updated, False, foot_size, lang)
        out.footer_runs += _line_runs(x1 - uw, baseline, updated, False, foot_size, lang,
                                      pal.body2)[0]
    if more > 0:
        text = " · ".join(MORE.get(code, MORE["en"]).format(n=more) for code in spec.languages)
        room = x1 - x0 - (layout.text_width(updated, False, foot_size, lang) if updated
                          else 0) - round(short * 0.03)
        text = cut_to_width(text, True, foot_size, lang, room)
        out.footer_runs += _line_runs(x0, baseline, text, True, foot_size, lang,
                                      pal.title2)[0]
    for run in title_runs + out.label_runs + [r for row in out.cells for c in row for r in c] \
            + out.footer_runs + frame_runs:
        draw.text((run.x, run.baseline), run.text, fill=run.fill, anchor="ls",
                  font=fonts.font(run.script, run.bold, run.size), language=run.language)
    return out


def render_data(spec: DataSlideSpec) -> Image.Image:
    """The data slide: an RGB image of exactly ``spec.width`` × ``spec.height``."""
    return render_data_layout(spec).image


def input_hash(spec: DataSlideSpec) -> str:
    """SHA-256 (hex) of everything that goes into the picture (the text slides' recipe:
    ``controller.slides.cache.hash_inputs``, with this drawing's own version)."""
    return hash_inputs({"data_renderer": DATA_RENDERER_VERSION}, spec.canonical())


def png_bytes(spec: DataSlideSpec) -> bytes:
    """The slide as a deterministic PNG (no metadata)."""
    return encode_png(render_data(spec))
