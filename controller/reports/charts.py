"""The reports' three charts, drawn by matplotlib (Agg, no display) as SVG: airtime by
theme per month (stacked bars), availability by site (bars, %), plays by language.

Text is drawn in Noto Sans (fonts-noto-core), with Noto Sans Lao as a per-glyph fallback,
and stored in the SVG as paths (``svg.fonttype = path``): the picture looks the same in
a browser without those fonts and inside the PDF. Figures are made with the object API
(``Figure``), never ``pyplot``'s global state, so two requests can draw at once."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from controller.reports.filters import CHARTS, ReportQuery  # noqa: E402, F401

FONTS = ["Noto Sans", "Noto Sans Lao", "DejaVu Sans"]
COLOURS = ["#1f5f8b", "#d98c1f", "#3a8f5c", "#a23b3b", "#6b5aa6", "#7a7a7a", "#2b9fb3"]
TEXT = {
    "airtime_by_theme": {"vi": "Thời lượng phát theo chủ đề, từng tháng (giờ)",
                         "en": "Airtime by theme per month (hours)"},
    "availability_by_site": {"vi": "Tỷ lệ hoạt động theo địa điểm (%)",
                             "en": "Availability by site (%)"},
    "plays_by_language": {"vi": "Lượt phát theo ngôn ngữ", "en": "Plays by language"},
    "no_theme": {"vi": "(không chủ đề)", "en": "(no theme)"},
    "empty": {"vi": "Không có dữ liệu trong khoảng thời gian này",
              "en": "No data in this period"},
}
LANGUAGE_NAMES = {"vi": {"vi": "Tiếng Việt", "en": "Tiếng Anh", "lo": "Tiếng Lào"},
                  "en": {"vi": "Vietnamese", "en": "English", "lo": "Lao"}}


def _figure(lang: str, name: str) -> tuple[Figure, Any]:
    fig = Figure(figsize=(7.5, 3.4), dpi=100)
    fig.set_layout_engine("constrained")
    ax = fig.add_subplot()
    ax.set_title(TEXT[name][lang], fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _svg(fig: Figure) -> bytes:
    out = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "font.family": FONTS,
                                "svg.hashsalt": "pano"}):
        fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _empty(ax: Any, lang: str) -> None:
    ax.text(0.5, 0.5, TEXT["empty"][lang], ha="center", va="center",
            transform=ax.transAxes, color="#666")
    ax.set_xticks([])
    ax.set_yticks([])


def airtime_by_theme(rows: list[dict[str, Any]], lang: str) -> bytes:
    """``rows`` grouped by month and theme."""
    with matplotlib.rc_context({"font.family": FONTS}):
        fig, ax = _figure(lang, "airtime_by_theme")
        hours: dict[str, dict[str, float]] = defaultdict(dict)
        for row in rows:
            theme = row["key"]["theme"] or TEXT["no_theme"][lang]
            hours[theme][row["key"]["month"]] = row["airtime_hours"]
        months = sorted({m for per in hours.values() for m in per})
        if not months:
            _empty(ax, lang)
            return _svg(fig)
        bottom = [0.0] * len(months)
        for i, theme in enumerate(sorted(hours)):
            values = [hours[theme].get(m, 0.0) for m in months]
            ax.bar(months, values, bottom=bottom, label=theme,
                   color=COLOURS[i % len(COLOURS)])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
        return _svg(fig)


def availability_by_site(sites: list[dict[str, Any]], site_names: dict[str, Any],
                         lang: str) -> bytes:
    with matplotlib.rc_context({"font.family": FONTS}):
        fig, ax = _figure(lang, "availability_by_site")
        shown = [s for s in sites if s["availability"] is not None]
        if not shown:
            _empty(ax, lang)
            return _svg(fig)
        labels = [site_names.get(s["site"], {}).get(lang, s["site"]) for s in shown]
        values = [100 * s["availability"] for s in shown]
        bars = ax.barh(labels, values, color=COLOURS[2])
        ax.bar_label(bars, fmt="%.1f", fontsize=8, padding=2)
        ax.set_xlim(0, 105)
        ax.invert_yaxis()
        return _svg(fig)


def plays_by_language(rows: list[dict[str, Any]], lang: str) -> bytes:
    """``rows`` grouped by language."""
    with matplotlib.rc_context({"font.family": FONTS}):
        fig, ax = _figure(lang, "plays_by_language")
        if not rows:
            _empty(ax, lang)
            return _svg(fig)
        ordered = sorted(rows, key=lambda r: r["key"]["language"])
        labels = [LANGUAGE_NAMES[lang].get(r["key"]["language"], r["key"]["language"])
                  for r in ordered]
        bars = ax.bar(labels, [r["plays"] for r in ordered], color=COLOURS[0])
        ax.bar_label(bars, fontsize=8, padding=2)
        return _svg(fig)


def chart_query(query: ReportQuery, name: str) -> ReportQuery:
    """The grouping each chart needs, over the same period and filters."""
    groups = {"airtime_by_theme": ("month", "theme"), "plays_by_language": ("language",),
              "availability_by_site": ()}[name]
    return ReportQuery(query.first, query.last, dict(query.filters), groups, query.kind)


def draw(session: Any, query: ReportQuery, name: str, lang: str,
         now: Any = None) -> bytes:
    """Chart ``name`` (one of CHARTS) for ``query`` in ``lang`` (vi|en), as SVG bytes."""
    from datetime import UTC, datetime

    from controller.reports import airtime as air
    from controller.reports.availability import availability
    from controller.reports.plays_report import names

    asked = chart_query(query, name)
    if name == "availability_by_site":
        sites = availability(session, asked, now or datetime.now(UTC))["sites"]
        return availability_by_site(sites, names(session)["site"], lang)
    cat = air.Catalogue.load(session)
    rows = air.rows(asked.group_by, air.airtime(session, asked, cat), {}, 0.0)
    return airtime_by_theme(rows, lang) if name == "airtime_by_theme" else \
        plays_by_language(rows, lang)
