"""The yearly report laid out: HTML (to read in a browser, print or archive), PDF (A4,
WeasyPrint: Pango/HarfBuzz shape Vietnamese and Lao in the Noto fonts and embed them)
and CSV (one line per agency, UTF-8 with a byte-order mark so a spreadsheet reads the
Vietnamese headers right).

PDF: WeasyPrint turns the HTML into pages in a child process
(``python -m controller.reports.pdf_process``), not in the serving one: a year's report
takes a second or two of CPU (docs/reports.md), which in gevent mode would stop every
socket of the process for as long; a child's pipe is waited on cooperatively, so the
screens and other pages go on while it works. The command line renders in its own
process directly."""

from __future__ import annotations

import base64
import csv
import io
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from controller.reports.filters import CHARTS, HUE, ReportQuery, as_utc
from controller.reports.ttdn import LANGUAGES, Ttdn, build
from controller.reports.ttdn_words import number, percent, word

FORMATS = ("html", "pdf", "csv")
TEMPLATES = Path(__file__).with_name("templates")
CSS = Path(__file__).resolve().parents[1] / "panel" / "reports" / "static" / "ttdn.css"
CSS_URL = "/panel/static/reports/ttdn.css"
PDF_TIMEOUT = 300  # seconds
MIME = {"html": "text/html", "pdf": "application/pdf", "csv": "text/csv"}

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())


class PdfFailed(RuntimeError):
    """WeasyPrint could not make the PDF (the child's message)."""


def file_name(report: Ttdn, fmt: str) -> str:
    who = report.agency or "toan-tinh"
    return f"bao-cao-ttdn-{report.year}-{who}.{fmt}"


def chart_urls(query: ReportQuery, lang: str) -> list[str]:
    params = {"from": query.first.isoformat(), "to": query.last.isoformat(),
              **query.filters, "lang": lang}
    return [f"/api/v1/reports/charts/{name}.svg?{urlencode(params)}" for name in CHARTS]


def chart_data(session: Session, query: ReportQuery, lang: str) -> list[str]:
    from controller.reports.charts import draw

    return ["data:image/svg+xml;base64," + base64.b64encode(
        draw(session, query, name, lang)).decode() for name in CHARTS]


def html(report: Ttdn, lang: str, charts: list[str], inline_css: bool) -> str:
    def name(kind: str, ident: str) -> str:
        return report.names.get(kind, {}).get(ident, {}).get(lang, ident)

    def local_time(text: str) -> str:
        moment = as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
        return moment.astimezone(HUE).strftime(TIME_FORMAT[lang])

    def language_name(code: str) -> str:
        return word(f"lang_{code}", lang) if f"lang_{code}" in WORD_KEYS else code

    _env.filters["language_name"] = language_name
    return _env.get_template("ttdn.html").render(
        r=report, lang=lang, charts=charts, languages=LANGUAGES,
        inline_css=CSS.read_text(encoding="utf-8") if inline_css else "", css_url=CSS_URL,
        w=lambda key, **v: word(key, lang, **v), num=lambda v, d=0: number(v, lang, d),
        pct=lambda v: percent(v, lang), name=name, local_time=local_time,
        language_name=language_name, day_format=DAY_FORMAT[lang],
        generated=report.generated_at.astimezone(HUE).strftime(TIME_FORMAT[lang]),
        screens_count=sum(len(s["screens"]) for s in report.sites))


DAY_FORMAT = {"vi": "%d/%m/%Y", "en": "%Y-%m-%d"}
TIME_FORMAT = {"vi": "%H:%M %d/%m/%Y", "en": "%Y-%m-%d %H:%M"}
WORD_KEYS = {f"lang_{code}" for code in LANGUAGES}


def csv_bytes(report: Ttdn, lang: str) -> bytes:
    """One line per agency, then the total; UTF-8 with BOM, numbers as plain decimals
    (a dot) so every spreadsheet reads them as numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([word("agency", lang), word("plays", lang), word("airtime_h", lang),
                     word("share", lang),
                     *(word("hours_in", lang, language=word(f"lang_{c}", lang))
                       for c in LANGUAGES), word("qr_scans", lang)])
    for line in report.agencies:
        label = report.names["agency"].get(line.agency, {}).get(lang) or line.agency or \
            word("no_agency", lang)
        writer.writerow([label, line.plays, f"{line.hours:.4f}", f"{100 * line.share:.2f}",
                         *(f"{line.language_hours.get(c, 0.0):.4f}" for c in LANGUAGES),
                         line.qr_scans])
    t = report.totals
    writer.writerow([word("total", lang), t["plays"], f"{t['airtime_hours']:.4f}",
                     "100.00" if t["airtime_seconds"] else "0.00", "", "", "",
                     t["qr_scans"]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def html_to_pdf(text: str) -> bytes:
    """WeasyPrint in this process (the command line; the child process)."""
    from weasyprint import HTML

    return HTML(string=text, base_url=str(TEMPLATES)).write_pdf()


def pdf_in_child(text: str) -> bytes:
    done = subprocess.run([sys.executable, "-m", "controller.reports.pdf_process"],
                          input=text.encode("utf-8"), capture_output=True,
                          timeout=PDF_TIMEOUT, check=False)
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        raise PdfFailed(done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
                        or ["no output"])
    return done.stdout


def render(session: Session, query: ReportQuery, fmt: str, lang: str,
           in_child: bool = True) -> tuple[bytes, str, str]:
    """(body, MIME type, file name) of the report in ``fmt`` and ``lang``."""
    report = build(session, query)
    if fmt == "csv":
        return csv_bytes(report, lang), "text/csv", file_name(report, fmt)
    if fmt == "html":
        text = html(report, lang, chart_urls(query, lang), inline_css=False)
        return text.encode("utf-8"), MIME[fmt], file_name(report, fmt)
    text = html(report, lang, chart_data(session, query, lang), inline_css=True)
    body = pdf_in_child(text) if in_child else html_to_pdf(text)
    return body, MIME[fmt], file_name(report, fmt)


def render_to(session: Session, query: ReportQuery, fmt: str, lang: str,
              out: Path) -> Any:
    """Write the report to ``out`` (atomically: a temporary name, then renamed)."""
    body, _, _ = render(session, query, fmt, lang, in_child=False)
    partial = out.with_name(out.name + ".part")
    partial.write_bytes(body)
    partial.replace(out)
    return len(body)
